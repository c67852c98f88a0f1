import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { sqlitePath, type Db } from '../src/db/database.js';
import { sql, SqlRunner } from '../src/db/sql.js';
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from './helpers.js';

// The runner's transactions: all of a caller's statements or none, also when SQLite commits several callers'
// transactions together (group commit). The same checks run on PostgreSQL in its run.
describe('SqlRunner transactions', () => {
  let test: TestDatabase;
  let db: Db;
  let runner: SqlRunner;

  before(async () => {
    test = await openTestDatabase('sql', { migrate: false });
    db = test.db;
    await db.raw('create table rows_t (id integer primary key, label text not null unique)');
    runner = new SqlRunner(db);
  });

  after(async () => {
    await test.close();
  });

  const insert = (id: number, label: string) =>
    sql('insert into rows_t (id, label) values (?, ?)', [id, label]);
  const labels = async (): Promise<string[]> =>
    (await db('rows_t').orderBy('id').select('label')).map((r: { label: string }) => r.label);

  it('commits every statement of a call, and none of a call whose last step throws', async () => {
    await db('rows_t').delete();
    await runner.transaction([insert(1, 'a'), insert(2, 'b')]);
    const refused = new Error('the rename failed');
    await assert.rejects(
      runner.transaction([insert(3, 'c')], () => {
        throw refused;
      }),
      (e) => e === refused,
    );
    assert.deepEqual(await labels(), ['a', 'b']);
  });

  it('rolls back only the call that fails when several are asked for at once', async () => {
    await db('rows_t').delete();
    const steps: string[] = [];
    const results = await Promise.allSettled([
      runner.transaction([insert(10, 'first'), insert(11, 'first-2')], () => steps.push('first')),
      // A duplicate label: its second statement fails, so its first must not stay either.
      runner.transaction([insert(12, 'second'), insert(13, 'first')], () => steps.push('second')),
      runner.transaction([insert(14, 'third')], () => {
        steps.push('third');
        throw new Error('no room');
      }),
      runner.transaction([insert(15, 'fourth')], () => steps.push('fourth')),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
    );
    assert.match(String((results[2] as PromiseRejectedResult).reason), /no room/);
    // A call's last step runs only once its statements have succeeded. On PostgreSQL the calls are transactions
    // of their own on separate connections, which reach their last steps in any order.
    assert.deepEqual([...steps].sort(), ['first', 'fourth', 'third']);
    assert.deepEqual(await labels(), ['first', 'first-2', 'fourth']);
  });

  if (!TEST_DATABASE_URL) {
    it('on SQLite, commits the calls asked for in one turn of the event loop together', async () => {
      await db('rows_t').delete();
      // A second connection sees only what is committed: while the third call's last step runs, the first
      // call's row is not visible to it yet, because both commit in the same transaction.
      const other = new Database(sqlitePath(test.config), { readonly: true });
      try {
        const seen: number[] = [];
        const count = () => (other.prepare('select count(*) as n from rows_t').get() as { n: number }).n;
        await Promise.all([
          runner.transaction([insert(20, 'x')]),
          runner.transaction([insert(21, 'y')]),
          runner.transaction([insert(22, 'z')], () => {
            seen.push(count());
          }),
        ]);
        seen.push(count());
        assert.deepEqual(seen, [0, 3]);
        // A call made after the others have settled commits in a transaction of its own.
        await runner.transaction([insert(23, 'w')], () => {
          seen.push(count());
        });
        assert.deepEqual(seen, [0, 3, 3]);
        assert.equal(count(), 4);
      } finally {
        other.close();
      }
    });
  }
});
