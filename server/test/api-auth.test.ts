import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { ADMIN_PASSWORD, bearer, readJwtSecret, startTestServer, type TestServer } from './helpers.js';

interface AuditBody {
  items: { action: string; result: string; actor: string | null; details: Record<string, unknown> | null }[];
}

describe('auth API', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.close();
  });

  it('logs in with the configured admin password and returns tokens and the user', async () => {
    const res = await t.http().post('/api/auth/login').send({ username: 'admin', password: ADMIN_PASSWORD });
    assert.equal(res.status, 200);
    assert.match(res.body.accessToken, /^eyJ/);
    assert.match(res.body.refreshToken, /^rt_/);
    assert.equal(res.body.expiresIn, 900);
    assert.equal(res.body.user.username, 'admin');
    assert.equal(res.body.user.role, 'admin');
    assert.equal(res.body.user.passwordHash, undefined);
    const me = await t
      .http()
      .get('/api/auth/me')
      .set(...bearer(res.body.accessToken));
    assert.equal(me.status, 200);
    assert.equal(me.body.username, 'admin');
  });

  it('answers a wrong password with 401 and writes an audit row', async () => {
    await t.createUser('wrongpw', 'right-password-1');
    const res = await t
      .http()
      .post('/api/auth/login')
      .send({ username: 'wrongpw', password: 'nope-nope-nope' });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'INVALID_CREDENTIALS');
    assert.equal(typeof res.body.error.requestId, 'string');
    const audit = await t
      .http()
      .get('/api/audit?action=auth.login&result=failure&actor=wrongpw')
      .set(...bearer(await t.adminToken()));
    assert.equal(audit.status, 200);
    const rows = (audit.body as AuditBody).items;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.details?.['reason'], 'bad-credentials');
  });

  it('answers an unknown user exactly like a wrong password', async () => {
    const res = await t.http().post('/api/auth/login').send({ username: 'ghost', password: 'whatever-1' });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'INVALID_CREDENTIALS');
    assert.equal(res.body.error.message, 'Wrong username or password.');
  });

  it('blocks the 11th failed login for one username within a minute with 429 and Retry-After, audited', async () => {
    await t.createUser('target', 'target-password-1');
    for (let i = 1; i <= 10; i++) {
      const res = await t
        .http()
        .post('/api/auth/login')
        .send({ username: 'target', password: `bad-${i}-xxxxx` });
      assert.equal(res.status, 401, `attempt ${i}`);
    }
    const blocked = await t
      .http()
      .post('/api/auth/login')
      .send({ username: 'target', password: 'bad-11-xxxxx' });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.error.code, 'TOO_MANY_REQUESTS');
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    // While blocked, even the right password is refused.
    const right = await t
      .http()
      .post('/api/auth/login')
      .send({ username: 'target', password: 'target-password-1' });
    assert.equal(right.status, 429);
    const audit = await t
      .http()
      .get('/api/audit?action=auth.login&result=denied&actor=target')
      .set(...bearer(await t.adminToken()));
    assert.equal((audit.body as AuditBody).items.length, 2);
    // Other users are not affected.
    await t.login('admin', ADMIN_PASSWORD);
  });

  it('refuses expired, tampered, wrong-key and alg:none tokens with 401', async () => {
    const good = await t.adminToken();
    const secret = await readJwtSecret(t.dataDir);
    const claims = { sv: 0 };
    const opts = { issuer: 'baluhost', audience: 'baluhost-api', subject: '1' } as const;
    const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, secret, {
      ...opts,
      algorithm: 'HS256',
    });
    const wrongKey = jwt.sign(claims, 'another-secret-that-is-long-enough-1234567890', {
      ...opts,
      algorithm: 'HS256',
    });
    const [h, p, s] = good.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: '2' })).toString('base64url')}.${s}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    const hs512 = jwt.sign(claims, secret, { ...opts, algorithm: 'HS512' });
    for (const [name, token] of Object.entries({
      expired,
      wrongKey,
      tampered,
      none,
      hs512,
      garbage: 'abc.def.ghi',
    })) {
      const res = await t
        .http()
        .get('/api/auth/me')
        .set(...bearer(token));
      assert.equal(res.status, 401, name);
      assert.equal(res.body.error.code, 'UNAUTHENTICATED', name);
    }
    const missing = await t.http().get('/api/auth/me');
    assert.equal(missing.status, 401);
    assert.match(String(missing.headers['www-authenticate']), /Bearer/);
    assert.equal(
      (
        await t
          .http()
          .get('/api/auth/me')
          .set(...bearer(good))
      ).status,
      200,
    );
  });

  it('rotates refresh tokens, and a reused old token revokes the whole family', async () => {
    const login = await t
      .http()
      .post('/api/auth/login')
      .send({ username: 'admin', password: ADMIN_PASSWORD });
    const first = login.body.refreshToken as string;
    const r1 = await t.http().post('/api/auth/refresh').send({ refreshToken: first });
    assert.equal(r1.status, 200);
    const second = r1.body.refreshToken as string;
    assert.notEqual(second, first);
    assert.equal(
      (
        await t
          .http()
          .get('/api/auth/me')
          .set(...bearer(r1.body.accessToken))
      ).status,
      200,
    );

    const reuse = await t.http().post('/api/auth/refresh').send({ refreshToken: first });
    assert.equal(reuse.status, 401);
    // The thief's reuse logged the family out: the legitimate newer token is dead too.
    const after = await t.http().post('/api/auth/refresh').send({ refreshToken: second });
    assert.equal(after.status, 401);
    const audit = await t
      .http()
      .get('/api/audit?action=auth.refresh&result=denied')
      .set(...bearer(await t.adminToken()));
    assert.equal((audit.body as AuditBody).items[0]?.details?.['reason'], 'token-reuse');
  });

  it('logout ends the refresh token family', async () => {
    const login = await t
      .http()
      .post('/api/auth/login')
      .send({ username: 'admin', password: ADMIN_PASSWORD });
    const out = await t
      .http()
      .post('/api/auth/logout')
      .set(...bearer(login.body.accessToken))
      .send({ refreshToken: login.body.refreshToken });
    assert.equal(out.status, 204);
    assert.equal(
      (await t.http().post('/api/auth/refresh').send({ refreshToken: login.body.refreshToken })).status,
      401,
    );
  });

  it("ends a disabled user's existing tokens at once, and a deleted user's", async () => {
    const id = await t.createUser('carol', 'carol-password-1');
    const login = await t
      .http()
      .post('/api/auth/login')
      .send({ username: 'carol', password: 'carol-password-1' });
    const token = login.body.accessToken as string;
    assert.equal(
      (
        await t
          .http()
          .get('/api/auth/me')
          .set(...bearer(token))
      ).status,
      200,
    );
    const admin = await t.adminToken();
    assert.equal(
      (
        await t
          .http()
          .patch(`/api/users/${id}`)
          .set(...bearer(admin))
          .send({ disabled: true })
      ).status,
      200,
    );
    assert.equal(
      (
        await t
          .http()
          .get('/api/auth/me')
          .set(...bearer(token))
      ).status,
      401,
    );
    assert.equal(
      (await t.http().post('/api/auth/refresh').send({ refreshToken: login.body.refreshToken })).status,
      401,
    );
    const relogin = await t
      .http()
      .post('/api/auth/login')
      .send({ username: 'carol', password: 'carol-password-1' });
    assert.equal(relogin.status, 401);

    const id2 = await t.createUser('dave', 'dave-password-1');
    const daveToken = await t.login('dave', 'dave-password-1');
    assert.equal(
      (
        await t
          .http()
          .delete(`/api/users/${id2}`)
          .set(...bearer(admin))
      ).status,
      204,
    );
    assert.equal(
      (
        await t
          .http()
          .get('/api/auth/me')
          .set(...bearer(daveToken))
      ).status,
      401,
    );
  });

  it('changes your own password only with the old one; the old sessions end', async () => {
    await t.createUser('erin', 'erin-password-1');
    const token = await t.login('erin', 'erin-password-1');
    const wrong = await t
      .http()
      .put('/api/me/password')
      .set(...bearer(token))
      .send({ oldPassword: 'not-it-xxx', newPassword: 'erin-password-2' });
    assert.equal(wrong.status, 401);
    const short = await t
      .http()
      .put('/api/me/password')
      .set(...bearer(token))
      .send({ oldPassword: 'erin-password-1', newPassword: 'short' });
    assert.equal(short.status, 400);
    assert.match(short.body.error.message, /at least 8 characters/);
    const ok = await t
      .http()
      .put('/api/me/password')
      .set(...bearer(token))
      .send({ oldPassword: 'erin-password-1', newPassword: 'erin-password-2' });
    assert.equal(ok.status, 204);
    assert.equal(
      (
        await t
          .http()
          .get('/api/auth/me')
          .set(...bearer(token))
      ).status,
      401,
    );
    await t.login('erin', 'erin-password-2');
    assert.equal(
      (await t.http().post('/api/auth/login').send({ username: 'erin', password: 'erin-password-1' })).status,
      401,
    );
  });
});
