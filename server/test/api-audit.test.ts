import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, startTestServer, type TestServer } from './helpers.js';

interface Entry {
  id: number;
  at: string;
  actor: string | null;
  action: string;
  protocol: string;
  result: string;
  target: string | null;
  address: string | null;
}

describe('audit log API', () => {
  let t: TestServer;
  let admin: string;
  before(async () => {
    t = await startTestServer();
    admin = await t.adminToken();
    for (const name of ['u1', 'u2', 'u3', 'u4', 'u5']) await t.createUser(name, `${name}-password-1`);
    await t.http().post('/api/auth/login').send({ username: 'u1', password: 'wrong-password' }).expect(401);
  });
  after(async () => {
    await t.close();
  });

  it('records every admin action with time, actor, address, protocol, action, target and result', async () => {
    const res = await t
      .http()
      .get('/api/audit?action=user.create&actor=admin')
      .set(...bearer(admin));
    assert.equal(res.status, 200);
    const items = res.body.items as Entry[];
    assert.deepEqual(
      items.map((e) => e.target),
      ['u5', 'u4', 'u3', 'u2', 'u1'],
    );
    const first = items[0]!;
    assert.equal(first.protocol, 'api');
    assert.equal(first.result, 'success');
    assert.match(first.address ?? '', /127\.0\.0\.1/);
    assert.ok(!Number.isNaN(Date.parse(first.at)));
  });

  it('pages with a cursor, newest first, without gaps or repeats', async () => {
    const seen: number[] = [];
    let cursor: number | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const res = await t
        .http()
        .get(`/api/audit?limit=2${query}`)
        .set(...bearer(admin));
      assert.equal(res.status, 200);
      const page = res.body as { items: Entry[]; nextCursor: number | null };
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    const all = await t
      .http()
      .get('/api/audit?limit=500')
      .set(...bearer(admin));
    assert.deepEqual(
      seen,
      (all.body.items as Entry[]).map((e) => e.id),
    );
    assert.deepEqual(
      [...seen].sort((a, b) => b - a),
      seen,
    );
  });

  it('filters by protocol, result, action prefix and time range', async () => {
    const failures = await t
      .http()
      .get('/api/audit?result=failure')
      .set(...bearer(admin));
    assert.deepEqual(
      (failures.body.items as Entry[]).map((e) => [e.action, e.actor]),
      [['auth.login', 'u1']],
    );
    const prefix = await t
      .http()
      .get('/api/audit?action=user.')
      .set(...bearer(admin));
    assert.ok((prefix.body.items as Entry[]).every((e) => e.action.startsWith('user.')));
    assert.ok((prefix.body.items as Entry[]).length >= 5);
    const future = await t
      .http()
      .get('/api/audit?from=2999-01-01T00:00:00Z')
      .set(...bearer(admin));
    assert.equal(future.body.items.length, 0);
    const past = await t
      .http()
      .get('/api/audit?to=2000-01-01T00:00:00Z')
      .set(...bearer(admin));
    assert.equal(past.body.items.length, 0);
    const system = await t
      .http()
      .get('/api/audit?protocol=system')
      .set(...bearer(admin));
    assert.deepEqual(
      (system.body.items as Entry[]).map((e) => e.target),
      ['admin'],
    );
    const bad = await t
      .http()
      .get('/api/audit?from=yesterday')
      .set(...bearer(admin));
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /from: must be an ISO-8601 date-time/);
  });

  it('exports every match as CSV, quoting and neutralising formulas', async () => {
    await t
      .http()
      .post('/api/groups')
      .set(...bearer(admin))
      .send({ name: 'g1', description: '=HYPERLINK("x")' })
      .expect(201);
    const res = await t
      .http()
      .get('/api/audit?format=csv')
      .set(...bearer(admin));
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.match(String(res.headers['content-disposition']), /attachment/);
    const lines = res.text.trim().split('\r\n');
    assert.equal(lines[0], 'id,at,actor,address,protocol,action,target,result,details');
    const all = await t
      .http()
      .get('/api/audit?limit=500')
      .set(...bearer(admin));
    assert.equal(lines.length - 1, all.body.items.length);
    const groupLine = lines.find((l) => l.includes('group.create'));
    assert.ok(groupLine);
    assert.match(groupLine, /"\{""members"":\[\]\}"/);
  });
});
