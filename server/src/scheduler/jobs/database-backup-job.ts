import path from 'node:path';
import { execFile } from 'node:child_process';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import { AppError } from '../../errors/index.js';
import { defineJob } from '../job.js';

const execFileAsync = promisify(execFile);
const BACKUP_NAME = /^baluhost-\d{8}T\d{6}Z\.(sqlite|dump)$/;
/** pg_dump of Debian's postgresql-client; PATH is searched when it is elsewhere. */
const PG_DUMP = '/usr/bin/pg_dump';

interface SqliteConnection {
  backup(destination: string): Promise<unknown>;
}

/** `20261205T030000Z`: sorts as it reads. */
function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** The URL without its password (which goes to pg_dump through PGPASSWORD, not the command line). */
function splitPassword(url: string): { url: string; password: string | null } {
  const u = new URL(url);
  const password = u.password === '' ? null : decodeURIComponent(u.password);
  u.password = '';
  return { url: u.toString(), password };
}

async function backupSqlite(db: Db, file: string): Promise<void> {
  const client = db.client as {
    acquireConnection(): Promise<SqliteConnection>;
    releaseConnection(c: SqliteConnection): Promise<void>;
  };
  // SQLite's online backup on the pool's own connection: consistent, and writers wait for it instead of failing.
  const connection = await client.acquireConnection();
  try {
    await connection.backup(file);
  } finally {
    await client.releaseConnection(connection);
  }
}

async function backupPostgres(config: Config, file: string, signal: AbortSignal): Promise<void> {
  if (config.databaseUrl === undefined) throw new Error('no DATABASE_URL');
  const { url, password } = splitPassword(config.databaseUrl);
  const args = ['--format=custom', '--no-owner', `--file=${file}`];
  if (config.databaseSchema !== undefined) args.push('--schema', config.databaseSchema);
  args.push(`--dbname=${url}`);
  const bin = await stat(PG_DUMP).then(
    () => PG_DUMP,
    () => 'pg_dump',
  );
  try {
    await execFileAsync(bin, args, {
      signal,
      timeout: 3_600_000,
      maxBuffer: 1024 * 1024,
      env: { PATH: '/usr/bin:/bin', ...(password === null ? {} : { PGPASSWORD: password }) },
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new AppError(
        'DRIVER_UNAVAILABLE',
        'pg_dump is not installed (apt-get install postgresql-client).',
        {
          cause: err,
        },
      );
    }
    const detail = (e.stderr ?? '').trim().split('\n').slice(-1)[0] ?? '';
    throw new AppError('DRIVER_FAILED', `pg_dump failed${detail === '' ? '' : `: ${detail}`}`, {
      cause: err,
    });
  }
}

/**
 * Backs the database up into `<data dir>/backups/`: SQLite's online backup, or `pg_dump --format=custom` (of the
 * configured schema only, when one is set) for PostgreSQL. Keeps the newest `keep` backups (default 7).
 */
export function databaseBackupJob(db: Db, config: Config) {
  const isPostgres = (db.client as { config: { client: string } }).config.client === 'pg';
  return defineJob({
    name: 'database_backup',
    description: 'Backs the database up into <data dir>/backups, keeping the newest N (default 7).',
    defaultSchedule: 'at 02:30',
    options: z.object({ keep: z.number().int().min(1).max(1000).default(7) }).strict(),
    async run({ now, options, signal }) {
      const dir = path.join(config.dataDir, 'backups');
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const name = `baluhost-${stamp(now())}.${isPostgres ? 'dump' : 'sqlite'}`;
      const final = path.join(dir, name);
      const partial = `${final}.part`;
      try {
        if (isPostgres) await backupPostgres(config, partial, signal);
        else await backupSqlite(db, partial);
        signal.throwIfAborted();
        await rename(partial, final);
      } catch (err) {
        await rm(partial, { force: true });
        throw err;
      }
      const { size } = await stat(final);
      const backups = (await readdir(dir))
        .filter((f) => BACKUP_NAME.test(f))
        .sort()
        .reverse();
      const removed: string[] = [];
      for (const old of backups.slice(options.keep)) {
        await rm(path.join(dir, old), { force: true });
        removed.push(old);
      }
      return {
        file: name,
        bytes: size,
        kept: Math.min(backups.length, options.keep),
        removed,
        database: isPostgres ? 'postgres' : 'sqlite',
      };
    },
  });
}
