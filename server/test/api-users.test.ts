import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, startTestServer, type TestServer } from './helpers.js';

describe('users and groups API', () => {
  let t: TestServer;
  let admin: string;
  before(async () => {
    t = await startTestServer();
    admin = await t.adminToken();
  });
  after(async () => {
    await t.close();
  });

  it('lets an admin create alice with POST /api/users {username, password, role}, and alice log in', async () => {
    const res = await t
      .http()
      .post('/api/users')
      .set(...bearer(admin))
      .send({ username: 'alice', password: 'alice-password-1', role: 'user' });
    assert.equal(res.status, 201);
    assert.equal(res.body.username, 'alice');
    assert.equal(res.body.role, 'user');
    assert.equal(res.body.disabled, false);
    const token = await t.login('alice', 'alice-password-1');
    const me = await t
      .http()
      .get('/api/auth/me')
      .set(...bearer(token));
    assert.equal(me.body.username, 'alice');
    const self = await t
      .http()
      .get(`/api/users/${res.body.id}`)
      .set(...bearer(token));
    assert.equal(self.status, 200);
  });

  it('answers 403 to a user calling an admin route, or reading someone else', async () => {
    const token = await t.login('alice', 'alice-password-1');
    const list = await t
      .http()
      .get('/api/users')
      .set(...bearer(token));
    assert.equal(list.status, 403);
    assert.equal(list.body.error.code, 'FORBIDDEN');
    assert.equal(
      (
        await t
          .http()
          .post('/api/users')
          .set(...bearer(token))
          .send({ username: 'x', password: 'xxxxxxxxxx' })
      ).status,
      403,
    );
    assert.equal(
      (
        await t
          .http()
          .get('/api/users/1')
          .set(...bearer(token))
      ).status,
      403,
    );
    assert.equal(
      (
        await t
          .http()
          .get('/api/audit')
          .set(...bearer(token))
      ).status,
      403,
    );
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const res = await t
      .http()
      .post('/api/users')
      .set(...bearer(admin))
      .set('Content-Type', 'application/json')
      .send('{"username": "bob",');
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'MALFORMED_JSON');
  });

  it('answers unknown fields with 400 naming them', async () => {
    const res = await t
      .http()
      .post('/api/users')
      .set(...bearer(admin))
      .send({ username: 'bob', password: 'bob-password-1', isRoot: true, shell: '/bin/sh' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'VALIDATION_FAILED');
    assert.match(res.body.error.message, /unknown fields: isRoot, shell/);
    assert.deepEqual((res.body.error.details as { field: string }[]).map((d) => d.field).sort(), [
      'isRoot',
      'shell',
    ]);
  });

  it('refuses a short password with a message that says the minimum', async () => {
    const res = await t
      .http()
      .post('/api/users')
      .set(...bearer(admin))
      .send({ username: 'bob', password: 'short' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.message, 'The password must be at least 8 characters long.');
  });

  it('refuses invalid and reserved usernames, and duplicates with 409', async () => {
    const bad = await t
      .http()
      .post('/api/users')
      .set(...bearer(admin))
      .send({ username: 'Bob Smith', password: 'bob-password-1' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /username/);
    const reserved = await t
      .http()
      .post('/api/users')
      .set(...bearer(admin))
      .send({ username: 'root', password: 'root-password-1' });
    assert.equal(reserved.status, 400);
    const dup = await t
      .http()
      .post('/api/users')
      .set(...bearer(admin))
      .send({ username: 'alice', password: 'alice-password-9' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'ALREADY_EXISTS');
  });

  it('manages groups and membership from either side', async () => {
    const g = await t
      .http()
      .post('/api/groups')
      .set(...bearer(admin))
      .send({ name: 'family', description: 'Us', members: ['alice'] });
    assert.equal(g.status, 201);
    assert.deepEqual(g.body.members, ['alice']);
    await t
      .http()
      .post('/api/groups')
      .set(...bearer(admin))
      .send({ name: 'media' })
      .expect(201);
    const bobId = await t.createUser('bob', 'bob-password-1', {
      groups: ['family', 'media'],
      email: 'bob@example.org',
      quotaBytes: 10_000_000,
    });
    const bob = await t
      .http()
      .get(`/api/users/${bobId}`)
      .set(...bearer(admin));
    assert.deepEqual(bob.body.groups, ['family', 'media']);
    assert.equal(bob.body.quotaBytes, 10_000_000);
    assert.equal(bob.body.email, 'bob@example.org');
    const patched = await t
      .http()
      .patch(`/api/users/${bobId}`)
      .set(...bearer(admin))
      .send({ groups: ['media'], quotaBytes: null, smbEnabled: false });
    assert.deepEqual(patched.body.groups, ['media']);
    assert.equal(patched.body.quotaBytes, null);
    assert.equal(patched.body.smbEnabled, false);
    const family = await t
      .http()
      .get(`/api/groups/${g.body.id}`)
      .set(...bearer(admin));
    assert.deepEqual(family.body.members, ['alice']);
    const unknown = await t
      .http()
      .patch(`/api/users/${bobId}`)
      .set(...bearer(admin))
      .send({ groups: ['nope'] });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /No such group: nope/);
    const renamed = await t
      .http()
      .patch(`/api/groups/${g.body.id}`)
      .set(...bearer(admin))
      .send({ name: 'household', members: ['alice', 'bob'] });
    assert.deepEqual(renamed.body.members, ['alice', 'bob']);
    const list = await t
      .http()
      .get('/api/groups')
      .set(...bearer(admin));
    assert.deepEqual(
      (list.body.items as { name: string }[]).map((x) => x.name),
      ['household', 'media'],
    );
    await t
      .http()
      .delete(`/api/groups/${g.body.id}`)
      .set(...bearer(admin))
      .expect(204);
    const bobAfter = await t
      .http()
      .get(`/api/users/${bobId}`)
      .set(...bearer(admin));
    assert.deepEqual(bobAfter.body.groups, ['media']);
  });

  it('lets an admin reset a password, ending that user’s sessions', async () => {
    const list = await t
      .http()
      .get('/api/users?limit=2&offset=0')
      .set(...bearer(admin));
    assert.equal(list.status, 200);
    assert.equal(list.body.items.length, 2);
    assert.ok(list.body.total >= 3);
    const alice = (
      await t
        .http()
        .get('/api/users?limit=100')
        .set(...bearer(admin))
    ).body.items.find((u: { username: string }) => u.username === 'alice') as { id: number };
    const old = await t.login('alice', 'alice-password-1');
    await t
      .http()
      .post(`/api/users/${alice.id}/password`)
      .set(...bearer(admin))
      .send({ password: 'alice-password-2' })
      .expect(204);
    assert.equal(
      (
        await t
          .http()
          .get('/api/auth/me')
          .set(...bearer(old))
      ).status,
      401,
    );
    await t.login('alice', 'alice-password-2');
  });

  it('keeps at least one active admin, and an admin cannot disable or delete themselves', async () => {
    const me = await t
      .http()
      .get('/api/auth/me')
      .set(...bearer(admin));
    const self = await t
      .http()
      .patch(`/api/users/${me.body.id}`)
      .set(...bearer(admin))
      .send({ disabled: true });
    assert.equal(self.status, 403);
    assert.equal(
      (
        await t
          .http()
          .delete(`/api/users/${me.body.id}`)
          .set(...bearer(admin))
      ).status,
      403,
    );
    const secondId = await t.createUser('root2', 'root2-password-1', { role: 'admin' });
    const second = await t.login('root2', 'root2-password-1');
    assert.equal(
      (
        await t
          .http()
          .get('/api/users')
          .set(...bearer(second))
      ).status,
      200,
    );
    // A demoted admin's token still works, as a user's: admin routes now answer 403.
    assert.equal(
      (
        await t
          .http()
          .patch(`/api/users/${secondId}`)
          .set(...bearer(admin))
          .send({ role: 'user' })
      ).status,
      200,
    );
    assert.equal(
      (
        await t
          .http()
          .get('/api/users')
          .set(...bearer(second))
      ).status,
      403,
    );
    assert.equal(
      (
        await t
          .http()
          .get('/api/auth/me')
          .set(...bearer(second))
      ).body.role,
      'user',
    );
    assert.equal(
      (
        await t
          .http()
          .get('/api/users/999999')
          .set(...bearer(admin))
      ).status,
      404,
    );
    assert.equal(
      (
        await t
          .http()
          .get('/api/users/abc')
          .set(...bearer(admin))
      ).status,
      400,
    );
  });
});
