import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { ListMigrationSource, MIGRATIONS } from '../src/index.js';

const PG = process.env['TEST_DATABASE_URL'];

async function withDatabase(fn: (db: Knex) => Promise<void>): Promise<void> {
  if (PG) {
    const schema = `m_${randomBytes(6).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: PG });
    await admin.raw('CREATE SCHEMA ??', [schema]);
    const db = knexFactory({ client: 'pg', connection: PG, searchPath: [schema] });
    try {
      await fn(db);
    } finally {
      await db.destroy();
      await admin.raw('DROP SCHEMA ?? CASCADE', [schema]);
      await admin.destroy();
    }
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'm.sqlite') },
    useNullAsDefault: true,
  });
  try {
    await fn(db);
  } finally {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function tables(db: Knex): Promise<string[]> {
  if (PG) {
    const r = await db.raw<{ rows: { tablename: string }[] }>(
      'select tablename from pg_tables where schemaname = current_schema()',
    );
    return r.rows
      .map((x) => x.tablename)
      .filter((t) => !t.startsWith('knex_'))
      .sort();
  }
  const rows = await db('sqlite_master').where('type', 'table').select<{ name: string }[]>('name');
  return rows
    .map((x) => x.name)
    .filter((t) => !t.startsWith('knex_') && !t.startsWith('sqlite_'))
    .sort();
}

describe(`migrations on ${PG ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('are named <timestamp>_<verb>_<noun> and in order', () => {
    const names = MIGRATIONS.map((m) => m.name);
    for (const name of names) assert.match(name, /^\d{14}_[a-z]+_[a-z_]+$/);
    assert.deepEqual([...names].sort(), names);
    assert.equal(new Set(names).size, names.length);
  });

  it('apply, roll back completely, and apply again', async () => {
    await withDatabase(async (db) => {
      const source = new ListMigrationSource();
      await db.migrate.latest({ migrationSource: source });
      const after = await tables(db);
      for (const t of [
        'users',
        'groups',
        'user_groups',
        'refresh_tokens',
        'audit_log',
        'settings',
        'auth_failures',
        'shares',
        'share_acl',
        'file_owners',
        'storage_usage',
        'quota_reservations',
        'locks',
        'dead_properties',
        'app_passwords',
        'scheduler_configs',
        'scheduler_executions',
        'scheduler_leases',
        'telemetry_samples',
        'notifications',
        'totp_enrolments',
        'totp_recovery_codes',
        'rate_limit_hits',
      ]) {
        assert.ok(after.includes(t), `table ${t}`);
      }
      await db.migrate.rollback({ migrationSource: source }, true);
      assert.deepEqual(await tables(db), []);
      await db.migrate.latest({ migrationSource: source });
      assert.deepEqual(await tables(db), after);
    });
  });
});
