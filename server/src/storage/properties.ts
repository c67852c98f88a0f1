import { placeholders, sql, SqlRunner, type Db } from '../db/index.js';
import type { DeadProperty } from '@baluhost/protocols';
import { atOrBelow, moveKeys } from './keys.js';

interface PropRow {
  resourceKey: string;
  namespace: string;
  name: string;
  valueXml: string;
}

/** WebDAV dead properties in the database, keyed by resource key; they move and copy with their resource. */
export class PropertyTable {
  private readonly sql: SqlRunner;

  constructor(private readonly db: Db) {
    this.sql = new SqlRunner(db);
  }

  async get(key: string): Promise<DeadProperty[]> {
    const rows = await this.db<PropRow>('dead_properties')
      .where({ resourceKey: key })
      .orderBy(['namespace', 'name']);
    return rows.map(({ namespace, name, valueXml }) => ({ namespace, name, valueXml }));
  }

  async getMany(keys: readonly string[]): Promise<Map<string, DeadProperty[]>> {
    const out = new Map<string, DeadProperty[]>();
    // A PROPFIND asks this for every page of a listing: without the query builder (20 queries of 500 keys for
    // 10,000 files took 32 ms through knex).
    for (let i = 0; i < keys.length; i += 500) {
      const slice = keys.slice(i, i + 500);
      const rows = await this.sql.all<PropRow>(
        sql(
          'select resource_key as "resourceKey", namespace, name, value_xml as "valueXml" from dead_properties' +
            ` where resource_key in (${placeholders(slice.length)})`,
          slice,
        ),
      );
      for (const r of rows) {
        const list = out.get(r.resourceKey) ?? [];
        list.push({ namespace: r.namespace, name: r.name, valueXml: r.valueXml });
        out.set(r.resourceKey, list);
      }
    }
    return out;
  }

  async patch(
    trx: Db,
    key: string,
    set: readonly DeadProperty[],
    remove: readonly { namespace: string; name: string }[],
  ): Promise<void> {
    for (const r of remove)
      await trx('dead_properties').where({ resourceKey: key, namespace: r.namespace, name: r.name }).delete();
    for (const p of set) {
      await trx('dead_properties')
        .insert({ resourceKey: key, namespace: p.namespace, name: p.name, valueXml: p.valueXml })
        .onConflict(['resource_key', 'namespace', 'name'])
        .merge({ valueXml: p.valueXml });
    }
  }

  async removeAtOrBelow(trx: Db, key: string): Promise<void> {
    await atOrBelow(trx('dead_properties'), key).delete();
  }

  async move(trx: Db, from: string, to: string): Promise<void> {
    await this.removeAtOrBelow(trx, to);
    await moveKeys(trx, 'dead_properties', from, to);
  }

  async copy(trx: Db, from: string, to: string): Promise<void> {
    const rows = (await atOrBelow(trx('dead_properties'), from)) as PropRow[];
    await this.removeAtOrBelow(trx, to);
    for (let i = 0; i < rows.length; i += 200) {
      await trx('dead_properties').insert(
        rows.slice(i, i + 200).map((r) => ({ ...r, resourceKey: to + r.resourceKey.slice(from.length) })),
      );
    }
  }
}
