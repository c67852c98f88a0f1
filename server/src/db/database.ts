import path from 'node:path';
import { mkdirSync } from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import { createRequire } from 'node:module';
import type PgModule from 'pg';
import { Model, knexSnakeCaseMappers } from 'objection';
import { ListMigrationSource } from '@baluhost/migrations';
import type { Config } from '../config/index.js';
import { registerSqliteConnection, type SqliteConnection, type SqliteStatement } from './sql.js';

const require = createRequire(import.meta.url);

/**
 * 64-bit integers (quotas, byte counts, audit ids) come back as numbers on PostgreSQL as they do on SQLite
 * (values stay far below 2^53). pg is loaded only when PostgreSQL is used: SQLite installs don't pay its memory.
 */
function preparePostgres(): void {
  const pg = require('pg') as typeof PgModule;
  pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));
}

export type Db = Knex;

export interface DatabaseInfo {
  readonly client: 'sqlite' | 'postgres';
  /** The SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;
}

export function sqlitePath(config: Config): string {
  return path.join(config.dataDir, 'baluhost.sqlite');
}

/** Opens the database the config names: PostgreSQL when DATABASE_URL is set, else SQLite in the data dir. */
export function openDatabase(config: Config): { db: Db; info: DatabaseInfo } {
  const mappers = knexSnakeCaseMappers();
  if (config.databaseUrl) {
    preparePostgres();
    const db = knexFactory({
      client: 'pg',
      connection: config.databaseUrl,
      searchPath: config.databaseSchema ? [config.databaseSchema] : undefined,
      pool: { min: 0, max: 10 },
      ...mappers,
    });
    return {
      db,
      info: { client: 'postgres', location: config.databaseUrl.replace(/\/\/([^:/@]+):[^@]*@/, '//$1@') },
    };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const file = sqlitePath(config);
  const holder: { connection: SqliteConnection | null } = { connection: null };
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) => {
        cachePreparedStatements(conn);
        conn.pragma('journal_mode = WAL');
        conn.pragma('synchronous = NORMAL');
        conn.pragma('foreign_keys = ON');
        conn.pragma('busy_timeout = 5000');
        holder.connection = conn;
        done(null, conn);
      },
    },
    ...mappers,
  });
  registerSqliteConnection(db, holder);
  return { db, info: { client: 'sqlite', location: file } };
}

/** Prepared statements kept per connection; more distinct statements than this and the oldest is dropped. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * knex prepares every query's SQL again on each run; SQLite's compile step was a tenth of a small PUT's time.
 * better-sqlite3's statements are reusable (they run to completion synchronously, and SQLite recompiles one by
 * itself after a schema change), so the connection keeps them by their SQL text.
 */
function cachePreparedStatements(conn: SqliteConnection): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, SqliteStatement>();
  conn.prepare = (sql: string): SqliteStatement => {
    let statement = cache.get(sql);
    if (statement !== undefined) {
      cache.delete(sql); // most recently used goes last
    } else {
      statement = prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) {
        const oldest = cache.keys().next();
        if (oldest.done !== true) cache.delete(oldest.value);
      }
    }
    cache.set(sql, statement);
    return statement;
  };
}

/** Creates the configured PostgreSQL schema when missing, then applies every pending migration. */
export async function migrateLatest(db: Db, config: Config): Promise<string[]> {
  if (config.databaseUrl && config.databaseSchema) {
    await db.raw('CREATE SCHEMA IF NOT EXISTS ??', [config.databaseSchema]);
  }
  const [, applied] = (await db.migrate.latest({ migrationSource: new ListMigrationSource() })) as [
    number,
    string[],
  ];
  return applied;
}

export async function migrateRollbackAll(db: Db): Promise<void> {
  await db.migrate.rollback({ migrationSource: new ListMigrationSource() }, true);
}

/** Binds objection's models to this knex instance. One database per process. */
export function bindModels(db: Db): void {
  Model.knex(db);
}

/** The id of the first row an `insert(...).returning('id')` gave back: `{id}` on both SQLite and PostgreSQL, a bare value on older drivers. */
export function insertedId(rows: readonly unknown[]): number {
  const first = rows[0];
  return typeof first === 'object' && first !== null ? (first as { id: number }).id : Number(first);
}

export function nowIso(clock: () => number = Date.now): string {
  return new Date(clock()).toISOString();
}
