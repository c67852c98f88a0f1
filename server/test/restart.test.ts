import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, bearer, startTestServer } from './helpers.js';

describe('restart', () => {
  it('keeps users, groups, audit rows and refresh tokens; a rotated token stays refused', async () => {
    const first = await startTestServer();
    let current = first;
    try {
      const admin = await first.adminToken();
      await first
        .http()
        .post('/api/groups')
        .set(...bearer(admin))
        .send({ name: 'family' })
        .expect(201);
      await first.createUser('alice', 'alice-password-1', { groups: ['family'] });
      const login = await first
        .http()
        .post('/api/auth/login')
        .send({ username: 'alice', password: 'alice-password-1' })
        .expect(200);
      const rotated = await first
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: login.body.refreshToken })
        .expect(200);
      const auditBefore = (
        await first
          .http()
          .get('/api/audit?limit=500')
          .set(...bearer(admin))
      ).body.items.length as number;

      current = await first.restart();
      assert.notEqual(current.url, '');
      // The admin's token signed before the restart still verifies: the key lives in the data dir.
      const users = await current
        .http()
        .get('/api/users')
        .set(...bearer(admin));
      assert.equal(users.status, 200);
      const alice = (users.body.items as { username: string; groups: string[] }[]).find(
        (u) => u.username === 'alice',
      );
      assert.deepEqual(alice?.groups, ['family']);
      const audit = await current
        .http()
        .get('/api/audit?limit=500')
        .set(...bearer(admin));
      assert.ok(audit.body.items.length >= auditBefore);
      const refreshed = await current
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: rotated.body.refreshToken });
      assert.equal(refreshed.status, 200);
      const reused = await current
        .http()
        .post('/api/auth/refresh')
        .send({ refreshToken: login.body.refreshToken });
      assert.equal(reused.status, 401);
      await current.login('admin', ADMIN_PASSWORD);
      // No second admin was created, and no second password printed.
      assert.equal((users.body.items as { role: string }[]).filter((u) => u.role === 'admin').length, 1);
    } finally {
      await current.close();
    }
  });
});
