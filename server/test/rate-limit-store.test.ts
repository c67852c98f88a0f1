import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Options } from 'express-rate-limit';
import { openTestDatabase, type TestDatabase } from './helpers.js';
import type { Db } from '../src/db/index.js';
import { KnexRateLimitStore } from '../src/api/rate-limit-store.js';

describe('KnexRateLimitStore', () => {
  let test: TestDatabase;
  let db: Db;
  let now = 1_000_000;
  const clock = () => now;
  const store = (prefix = 'auth:') => {
    const s = new KnexRateLimitStore(db, prefix, clock);
    s.init({ windowMs: 60_000 } as Options);
    return s;
  };

  before(async () => {
    test = await openTestDatabase('ratelimit');
    db = test.db;
  });
  after(async () => {
    await test.close();
  });

  it('counts one client’s hits in one window across every instance on the database', async () => {
    const a = store();
    const b = store();
    assert.equal((await a.increment('10.0.0.1')).totalHits, 1);
    assert.equal((await b.increment('10.0.0.1')).totalHits, 2);
    const third = await a.increment('10.0.0.1');
    assert.equal(third.totalHits, 3);
    assert.equal(third.resetTime?.getTime(), now + 60_000);
    assert.equal((await b.get('10.0.0.1'))?.totalHits, 3);
    assert.equal((await b.increment('10.0.0.2')).totalHits, 1, 'another client counts apart');
    assert.equal((await store('other:').increment('10.0.0.1')).totalHits, 1, 'another limiter counts apart');
  });

  it('starts a new window at 1 once the old one has ended, and forgets a reset key', async () => {
    const s = store();
    await s.increment('10.0.0.3');
    await s.increment('10.0.0.3');
    await s.decrement('10.0.0.3');
    assert.equal((await s.get('10.0.0.3'))?.totalHits, 1);
    now += 60_000;
    assert.equal(await s.get('10.0.0.3'), undefined);
    const fresh = await s.increment('10.0.0.3');
    assert.equal(fresh.totalHits, 1);
    assert.equal(fresh.resetTime?.getTime(), now + 60_000);
    await s.resetKey('10.0.0.3');
    assert.equal(await s.get('10.0.0.3'), undefined);
  });
});
