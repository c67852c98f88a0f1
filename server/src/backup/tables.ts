import type { Db } from '../db/index.js';

/** One table of BaluHost's schema, with what a dump needs to read it in a stable order. */
export interface TableInfo {
  readonly name: string;
  /** Primary key columns (snake_case, as in the database), to page through rows in a stable order. */
  readonly primaryKey: readonly string[];
  /** Tables this one references through a foreign key (itself excluded). */
  readonly references: readonly string[];
}

type Row = Record<string, unknown>;

/** Raw query rows on either client (the snake-case mappers have camel-cased their keys). */
async function rawRows(db: Db, sql: string): Promise<Row[]> {
  const result = (await db.raw(sql)) as Row[] | { rows: Row[] };
  return Array.isArray(result) ? result : result.rows;
}

/**
 * A column of a raw row: the snake-case mappers camel-case SQLite's raw rows but not those nested in pg's
 * result object, so look under both spellings.
 */
function field(row: Row, snake: string): unknown {
  return row[snake] ?? row[snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())];
}

function isSqlite(db: Db): boolean {
  return (db.client as { config: { client: string } }).config.client === 'better-sqlite3';
}

/** Every BaluHost table (not knex's bookkeeping), with its primary key and foreign-key parents. */
export async function listTables(db: Db): Promise<TableInfo[]> {
  if (isSqlite(db)) {
    const names = (
      await rawRows(
        db,
        "select name from sqlite_master where type = 'table' and substr(name, 1, 7) <> 'sqlite_' and substr(name, 1, 5) <> 'knex_'",
      )
    ).map((r) => String(r['name']));
    const out: TableInfo[] = [];
    for (const name of names) {
      const quoted = `"${name.replace(/"/g, '""')}"`;
      const columns = await rawRows(db, `pragma table_info(${quoted})`);
      const foreign = await rawRows(db, `pragma foreign_key_list(${quoted})`);
      out.push({
        name,
        primaryKey: columns
          .filter((c) => Number(c['pk']) > 0)
          .sort((a, b) => Number(a['pk']) - Number(b['pk']))
          .map((c) => String(c['name'])),
        references: [...new Set(foreign.map((f) => String(f['table'])))].filter((t) => t !== name),
      });
    }
    return out;
  }
  const names = (
    await rawRows(
      db,
      "select tablename from pg_tables where schemaname = current_schema() and left(tablename, 5) <> 'knex_'",
    )
  ).map((r) => String(r['tablename']));
  const keys = await rawRows(
    db,
    `select kcu.table_name, kcu.column_name, kcu.ordinal_position
       from information_schema.table_constraints tc
       join information_schema.key_column_usage kcu
         on tc.constraint_name = kcu.constraint_name and tc.table_schema = kcu.table_schema
      where tc.constraint_type = 'PRIMARY KEY' and tc.table_schema = current_schema()
      order by kcu.table_name, kcu.ordinal_position`,
  );
  const foreign = await rawRows(
    db,
    `select tc.table_name, ccu.table_name as referenced
       from information_schema.table_constraints tc
       join information_schema.constraint_column_usage ccu
         on tc.constraint_name = ccu.constraint_name and tc.table_schema = ccu.table_schema
      where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema()`,
  );
  return names.map((name) => ({
    name,
    primaryKey: keys
      .filter((k) => field(k, 'table_name') === name)
      .map((k) => String(field(k, 'column_name'))),
    references: [
      ...new Set(
        foreign.filter((f) => field(f, 'table_name') === name).map((f) => String(field(f, 'referenced'))),
      ),
    ].filter((t) => t !== name),
  }));
}

/**
 * Orders tables so that every table comes after the tables it references (parents first), ties by name.
 * @throws Error on a foreign-key cycle (BaluHost's schema has none)
 */
export function inForeignKeyOrder(tables: readonly TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const out: TableInfo[] = [];
  const visit = (table: TableInfo, path: readonly string[]): void => {
    if (done.has(table.name)) return;
    if (path.includes(table.name))
      throw new Error(`foreign-key cycle: ${[...path, table.name].join(' -> ')}`);
    for (const parent of [...table.references].sort()) {
      const p = byName.get(parent);
      if (p) visit(p, [...path, table.name]);
    }
    done.add(table.name);
    out.push(table);
  };
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(t, []);
  return out;
}

/** Names of the migrations applied to this database, in order. */
export async function appliedMigrations(db: Db): Promise<string[]> {
  const rows = (await db('knex_migrations').select('name').orderBy('id')) as { name: string }[];
  return rows.map((r) => r.name);
}

export { isSqlite };
