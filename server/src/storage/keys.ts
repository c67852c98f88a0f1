import type { Knex } from 'knex';
import type { Db } from '../db/index.js';

/** The keys at and above `key`: `s:3/a/b` → [`s:3/a/b`, `s:3/a`, `s:3`]. */
export function selfAndAncestors(key: string): string[] {
  const out = [key];
  let k = key;
  for (let i = k.lastIndexOf('/'); i > 0; i = k.lastIndexOf('/')) {
    k = k.slice(0, i);
    out.push(k);
  }
  return out;
}

export function parentKey(key: string): string | null {
  const i = key.lastIndexOf('/');
  return i > 0 ? key.slice(0, i) : null;
}

/** A knex where-clause for rows whose `resource_key` is `key` or below it (no LIKE: keys may hold % and _). */
export function atOrBelow<Q extends Knex.QueryBuilder>(query: Q, key: string, column = 'resource_key'): Q {
  return query.where((q: Knex.QueryBuilder) => {
    void q.where(column, key).orWhereRaw(`substr(${column}, 1, ?) = ?`, [key.length + 1, `${key}/`]);
  }) as Q;
}

/** Rewrites keys at or below `from` to sit at or below `to`, in one statement. */
export async function moveKeys(trx: Db, table: string, from: string, to: string): Promise<void> {
  await atOrBelow(trx(table), from).update({
    resourceKey: trx.raw(`? || substr(resource_key, ?)`, [to, from.length + 1]),
  });
}
