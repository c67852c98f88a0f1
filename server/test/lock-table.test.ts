import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Db } from '../src/db/database.js';
import { LockTable } from '../src/storage/locks.js';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from './helpers.js';

// The lock table's checks. A table whose every lock this process writes (SQLite, one server process) knows when it
// is empty and then answers without a query; any other table is asked each time. The first case runs on SQLite
// only; the second on both.
describe('LockTable', () => {
  let test: TestDatabase;
  let db: Db;
  let now = 1_000_000;
  const clock = () => now;

  before(async () => {
    test = await openTestDatabase('locks');
    db = test.db;
  });

  after(async () => {
    await test.close();
  });

  beforeEach(async () => {
    await db('locks').delete();
  });

  const lock = (key: string, timeoutSeconds = 600) => ({
    key,
    rootPath: `/${key}`,
    scope: 'exclusive' as const,
    depth: 'infinity' as const,
    ownerXml: null,
    holderId: 7,
    holderName: 'ann',
    timeoutSeconds,
  });
  /** A row written behind the table's back, as another process's would be. */
  const foreignRow = (key: string) =>
    db('locks').insert({
      token: `urn:uuid:${randomBytes(8).toString('hex')}`,
      resourceKey: key,
      rootPath: `/${key}`,
      scope: 'exclusive',
      depth: 'infinity',
      ownerXml: null,
      holderId: 8,
      holderName: 'bob',
      timeoutSeconds: 600,
      expiresAtMs: now + 600_000,
    });
  /** Whether a create below `key` by user 9, without tokens, is refused. */
  const refused = async (table: LockTable, key: string): Promise<boolean> => {
    try {
      await table.assertMayMutate(`${key}/new.txt`, 'create', 9, []);
      return false;
    } catch (e) {
      assert.equal((e as { code?: string }).code, 'LOCKED');
      return true;
    }
  };
  /** Lets a count the table started settle. */
  const settle = async () => {
    await nextTurn();
    await nextTurn();
  };

  // A sole writer is SQLite only: PostgreSQL is shared by workers and hosts.
  if (!TEST_DATABASE_URL) {
    it('as the sole writer, answers without a query while empty and sees every lock it creates', async () => {
      const table = new LockTable(db, clock, true);
      // The first check asks the table and counts it.
      assert.equal(await refused(table, 'h:1/docs'), false);
      await settle();
      // Known empty: a row another process wrote is not looked for (no query was made).
      await foreignRow('h:1/docs');
      assert.equal(await refused(table, 'h:1/docs'), false);
      await db('locks').delete();

      // A lock it creates is seen at once, by the next check.
      const made = await db.transaction((trx) => table.create(trx, lock('h:1/docs')));
      assert.equal(await refused(table, 'h:1/docs'), true);
      await table.assertMayMutate('h:1/docs/new.txt', 'create', 7, [made.token]);
      const moved = await db.transaction((trx) => table.create(trx, lock('h:1/other')));
      assert.equal(await refused(table, 'h:1/other'), true);

      // Removing one of two leaves the table asked; removing the last makes it known empty again.
      await table.remove(made.token);
      await settle();
      assert.equal(await refused(table, 'h:1/docs'), false);
      assert.equal(await refused(table, 'h:1/other'), true);
      await db.transaction((trx) => table.removeAtOrBelow(trx, 'h:1/other'));
      await settle();
      assert.equal(await refused(table, 'h:1/other'), false);
      await foreignRow('h:1/docs');
      assert.equal(await refused(table, 'h:1/docs'), false, 'known empty again: no query');
      await db('locks').delete();
      assert.equal(moved.root, '/h:1/other');

      // From known empty, a new lock is seen again; when it expires and is purged, the table is empty again.
      await db.transaction((trx) => table.create(trx, lock('h:1/docs', 1)));
      assert.equal(await refused(table, 'h:1/docs'), true);
      now += 2_000;
      assert.equal(await refused(table, 'h:1/docs'), false, 'expired');
      assert.equal(await table.removeExpired(), 1);
      await settle();
      await foreignRow('h:1/docs');
      assert.equal(await refused(table, 'h:1/docs'), false, 'known empty after the purge');
    });
  }

  it('asks the table on every check when other processes write it too', async () => {
    const table = new LockTable(db, clock, false);
    assert.equal(await refused(table, 'h:1/docs'), false);
    await settle();
    await foreignRow('h:1/docs');
    assert.equal(await refused(table, 'h:1/docs'), true);
    assert.equal((await table.below('h:1')).length, 1);
  });
});
