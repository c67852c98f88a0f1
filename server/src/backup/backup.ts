import path from 'node:path';
import { createWriteStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import type { Db } from '../db/index.js';
import { appliedMigrations, inForeignKeyOrder, isSqlite, listTables } from './tables.js';

/** First line of every backup: what made it and which schema version its rows belong to. */
export interface BackupHeader {
  readonly format: 'baluhost-backup';
  readonly formatVersion: 1;
  readonly createdAt: string;
  readonly baluhostVersion: string;
  /** The client the rows came from (`sqlite` or `postgres`); restore works into either. */
  readonly source: 'sqlite' | 'postgres';
  /** Every migration applied, in order; restore refuses a database whose list differs. */
  readonly migrations: readonly string[];
}

/** What a backup holds, counted; also the last line of the file, so that a cut-off file is recognised. */
export interface BackupSummary {
  readonly tables: Readonly<Record<string, number>>;
  readonly keys: readonly string[];
}

const PAGE_ROWS = 1000;

/**
 * A JSON value for a database value, the same from SQLite and PostgreSQL: Buffers become `{"$base64": ...}`,
 * Dates ISO strings, JSON documents (objects, arrays from PostgreSQL) their text.
 */
export function portableValue(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return { $base64: value.toString('base64') };
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
}

/**
 * Writes the database (every table, parents first, rows in primary-key order, read in one transaction so that
 * they are consistent) and the files of `<dataDir>/keys` to `file` as gzipped JSON lines, mode 0600. User files
 * are not included. The file holds secrets (the token key, the TOTP key, TLS keys, password hashes).
 * Lines: the {@link BackupHeader}, `{"key": name, "base64": ...}` per key file, `{"table": name}` then
 * `{"row": {...}}` per row, and finally `{"end": BackupSummary}`.
 */
export async function writeBackup(
  db: Db,
  dataDir: string,
  file: string,
  baluhostVersion: string,
  clock: () => number = Date.now,
): Promise<BackupSummary> {
  const gzip = createGzip();
  const out = createWriteStream(file, { mode: 0o600, flags: 'wx' });
  gzip.pipe(out);
  const write = async (value: unknown): Promise<void> => {
    if (!gzip.write(`${JSON.stringify(value)}\n`)) await once(gzip, 'drain');
  };
  const tables: Record<string, number> = {};
  const keys: string[] = [];
  try {
    const header: BackupHeader = {
      format: 'baluhost-backup',
      formatVersion: 1,
      createdAt: new Date(clock()).toISOString(),
      baluhostVersion,
      source: isSqlite(db) ? 'sqlite' : 'postgres',
      migrations: await appliedMigrations(db),
    };
    await write(header);
    const keyDir = path.join(dataDir, 'keys');
    const names = await readdir(keyDir).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    });
    for (const name of names.sort()) {
      const full = path.join(keyDir, name);
      if (!(await stat(full)).isFile()) continue;
      await write({ key: name, base64: (await readFile(full)).toString('base64') });
      keys.push(name);
    }
    await db.transaction(
      async (trx) => {
        for (const table of inForeignKeyOrder(await listTables(trx))) {
          await write({ table: table.name });
          let count = 0;
          for (let offset = 0; ; offset += PAGE_ROWS) {
            let query = trx(table.name).select('*').limit(PAGE_ROWS).offset(offset);
            for (const column of table.primaryKey) query = query.orderBy(column);
            const rows = (await query) as Record<string, unknown>[];
            for (const row of rows) {
              await write({
                row: Object.fromEntries(Object.entries(row).map(([k, v]) => [k, portableValue(v)])),
              });
            }
            count += rows.length;
            if (rows.length < PAGE_ROWS) break;
          }
          tables[table.name] = count;
        }
      },
      isSqlite(db) ? undefined : { isolationLevel: 'repeatable read', readOnly: true },
    );
    const summary: BackupSummary = { tables, keys };
    await write({ end: summary });
    gzip.end();
    await once(out, 'close');
    return summary;
  } catch (err) {
    gzip.destroy();
    out.destroy();
    throw err;
  }
}
