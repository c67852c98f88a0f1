import path from 'node:path';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import type { Db } from '../db/index.js';
import { ConflictError, ValidationError } from '../errors/index.js';
import type { BackupHeader, BackupSummary } from './backup.js';
import { appliedMigrations, inForeignKeyOrder, isSqlite, listTables } from './tables.js';

const BATCH_ROWS = 200;

/** A value from the dump as the target client takes it. */
function targetValue(value: unknown, sqlite: boolean): unknown {
  if (value !== null && typeof value === 'object' && '$base64' in value) {
    return Buffer.from(String(value.$base64), 'base64');
  }
  // better-sqlite3 binds no booleans; PostgreSQL's boolean columns take 0 and 1 as text, so both agree on 0/1.
  if (typeof value === 'boolean') return sqlite ? Number(value) : value;
  return value;
}

/**
 * Replaces the database's rows and `<dataDir>/keys` with a backup's. The database must already be migrated to
 * exactly the backup's migrations, and hold no users unless `isForced` (then every row is replaced).
 * Runs in one transaction: on any failure the database is left as it was (key files are written only after).
 * @throws ValidationError (not a BaluHost backup, or cut off), ConflictError (schema version differs; users exist)
 */
export async function restoreBackup(
  db: Db,
  dataDir: string,
  file: string,
  options: { isForced?: boolean } = {},
): Promise<BackupSummary & { header: BackupHeader }> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  const iterator = lines[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown> | null> => {
    const r = await iterator.next();
    if (r.done) return null;
    try {
      return JSON.parse(r.value) as Record<string, unknown>;
    } catch (err) {
      throw new ValidationError('The backup is damaged (a line is not JSON).', { cause: err });
    }
  };
  const first = await next();
  if (first?.['format'] !== 'baluhost-backup' || first['formatVersion'] !== 1) {
    throw new ValidationError('This is not a BaluHost backup (or one from a newer format).');
  }
  const header = first as unknown as BackupHeader;
  const current = await appliedMigrations(db);
  if (JSON.stringify(current) !== JSON.stringify(header.migrations)) {
    const missing = header.migrations.filter((m) => !current.includes(m));
    const extra = current.filter((m) => !header.migrations.includes(m));
    throw new ConflictError(
      'The backup belongs to another schema version; restore it with the BaluHost version that made it ' +
        `(${header.baluhostVersion}), then upgrade.`,
      { details: { unknownToThisVersion: missing, notInBackup: extra } },
    );
  }

  const sqlite = isSqlite(db);
  const keys = new Map<string, Buffer>();
  const counts: Record<string, number> = {};
  let end: BackupSummary | undefined;
  await db.transaction(async (trx) => {
    const tables = inForeignKeyOrder(await listTables(trx));
    const known = new Set(tables.map((t) => t.name));
    const [users] = await trx('users').count({ n: '*' });
    if (Number(users?.['n'] ?? 0) > 0 && options.isForced !== true) {
      throw new ConflictError('The database already has users; restore into a new one, or use --force.');
    }
    // Children first, so that no foreign key is left dangling mid-way.
    for (const table of [...tables].reverse()) await trx(table.name).delete();

    let table: string | undefined;
    let batch: Record<string, unknown>[] = [];
    const flush = async () => {
      if (table !== undefined && batch.length > 0) await trx(table).insert(batch);
      batch = [];
    };
    for (let line = await next(); line !== null; line = await next()) {
      if ('key' in line) {
        const name = String(line['key']);
        if (name.includes('/') || name.startsWith('.'))
          throw new ValidationError(`Bad key file name '${name}'.`);
        keys.set(name, Buffer.from(String(line['base64']), 'base64'));
      } else if ('table' in line) {
        await flush();
        table = String(line['table']);
        if (!known.has(table))
          throw new ValidationError(`The backup has a table this schema lacks: ${table}.`);
        counts[table] = 0;
      } else if ('row' in line) {
        if (table === undefined) throw new ValidationError('The backup is damaged (a row before its table).');
        const row = line['row'] as Record<string, unknown>;
        batch.push(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, targetValue(v, sqlite)])));
        counts[table] = (counts[table] ?? 0) + 1;
        if (batch.length >= BATCH_ROWS) await flush();
      } else if ('end' in line) {
        await flush();
        end = line['end'] as BackupSummary;
      }
    }
    if (end === undefined)
      throw new ValidationError('The backup is cut off (no end marker); nothing was restored.');
    for (const [name, n] of Object.entries(end.tables)) {
      if (counts[name] !== n)
        throw new ValidationError(`The backup is damaged: ${name} has ${counts[name] ?? 0} of ${n} rows.`);
    }
    if (!sqlite) {
      // Explicit ids leave PostgreSQL's sequences behind; move each past the largest id restored.
      for (const t of tables) {
        if (t.primaryKey.length !== 1 || t.primaryKey[0] !== 'id') continue;
        const found = await trx.raw<{ rows: { seq: string | null }[] }>(
          `select pg_get_serial_sequence(?, 'id') as seq`,
          [t.name],
        );
        const sequence = found.rows[0]?.seq;
        // A text id (quota_reservations) has no sequence.
        if (sequence === null || sequence === undefined) continue;
        await trx.raw(`select setval(?, coalesce(max(id), 1), max(id) is not null) from ??`, [
          sequence,
          t.name,
        ]);
      }
    }
  });
  const keyDir = path.join(dataDir, 'keys');
  await mkdir(keyDir, { recursive: true, mode: 0o700 });
  for (const [name, content] of keys) {
    const target = path.join(keyDir, name);
    await writeFile(target, content, { mode: 0o600 });
    await chmod(target, 0o600);
  }
  return { header, tables: counts, keys: [...keys.keys()] };
}
