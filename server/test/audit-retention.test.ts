import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Db } from '../src/db/database.js';
import { auditRetentionJob } from '../src/scheduler/jobs/audit-retention-job.js';
import { createLogger } from '../src/logging/logger.js';
import { openTestDatabase, type TestDatabase } from './helpers.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-29T12:00:00.000Z');

/** Appends audit rows in id order, one per `at`. */
async function append(db: Db, ats: readonly number[]): Promise<void> {
  const rows = ats.map((at, i) => ({
    at: new Date(at).toISOString(),
    actor: 'ann',
    protocol: 'webdav',
    action: 'file.write',
    target: `/home/ann/f${i}`,
    result: 'success',
  }));
  for (let i = 0; i < rows.length; i += 500) await db('audit_log').insert(rows.slice(i, i + 500));
}

async function remainingAts(db: Db): Promise<string[]> {
  const rows = await db('audit_log').orderBy('id').select<{ at: string }[]>('at');
  return rows.map((r) => r.at);
}

// The retention job against a real database (SQLite, and PostgreSQL in the CI run).
describe('audit retention job', () => {
  let test: TestDatabase;
  let db: Db;
  const run = (days: number) =>
    auditRetentionJob(db).run({
      signal: new AbortController().signal,
      options: { days },
      trigger: 'manual',
      executionId: 1,
      now: () => NOW,
      logger: createLogger('fatal'),
    });

  before(async () => {
    test = await openTestDatabase('retention');
    db = test.db;
  });
  after(async () => {
    await test.close();
  });
  beforeEach(async () => {
    await db('audit_log').delete();
  });

  it('deletes every row past the cutoff over several batches and keeps the rest', async () => {
    // 2,500 rows 40 to 31 days old, then 30 rows of the last 29 days.
    const old = Array.from({ length: 2500 }, (_, i) => NOW - 40 * DAY + i * 300_000);
    const recent = Array.from({ length: 30 }, (_, i) => NOW - 29 * DAY + i * DAY * 0.9);
    await append(db, [...old, ...recent]);
    const summary = await run(30);
    assert.equal(summary['removed'], 2500);
    assert.equal(summary['olderThan'], new Date(NOW - 30 * DAY).toISOString());
    const left = await remainingAts(db);
    assert.deepEqual(
      left,
      recent.map((t) => new Date(t).toISOString()),
    );
    assert.equal((await run(30))['removed'], 0);
  });

  it('deletes exactly a batch of expired rows, then stops at an empty batch', async () => {
    await append(
      db,
      Array.from({ length: 1000 }, (_, i) => NOW - 400 * DAY + i),
    );
    assert.equal((await run(365))['removed'], 1000);
    assert.deepEqual(await remainingAts(db), []);
  });

  it('keeps a row the clock wrote behind its predecessors until it is among the oldest batch', async () => {
    const before = Array.from({ length: 1000 }, (_, i) => NOW - 10 * DAY + i);
    await append(db, [...before, NOW - 100 * DAY]);
    assert.equal((await run(30))['removed'], 0);
    await db('audit_log').whereIn('id', db('audit_log').orderBy('id').limit(1).select('id')).delete();
    assert.equal((await run(30))['removed'], 1);
    assert.equal((await remainingAts(db)).length, 999);
  });
});
