import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { base32Decode, totpCode } from '../src/auth/totp.js';
import { ADMIN_PASSWORD, bearer, startTestServer, type TestServer } from './helpers.js';

interface Enrolled {
  readonly secret: Buffer;
  readonly recoveryCodes: string[];
}

// Codes come from the real clock: the server accepts the step before and after its own, and refuses a step
// already used, so a login uses the next step's code after enrolment used the current one (no waiting).
const NEXT_STEP_MS = 30_000;

describe('two-factor login (TOTP)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.close();
  });

  async function enrol(token: string): Promise<Enrolled> {
    const start = await t
      .http()
      .post('/api/me/totp')
      .set(...bearer(token));
    assert.equal(start.status, 201, JSON.stringify(start.body));
    const body = start.body as { secret: string; otpauthUri: string };
    const uri = new URL(body.otpauthUri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), body.secret);
    const secret = base32Decode(body.secret);
    const wrong = await t
      .http()
      .post('/api/me/totp/confirm')
      .set(...bearer(token))
      .send({ code: totpCode(secret, Date.now() - 5 * NEXT_STEP_MS) });
    assert.equal(wrong.status, 400);
    const ok = await t
      .http()
      .post('/api/me/totp/confirm')
      .set(...bearer(token))
      .send({ code: totpCode(secret, Date.now()) });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const { recoveryCodes } = ok.body as { recoveryCodes: string[] };
    assert.equal(recoveryCodes.length, 10);
    return { secret, recoveryCodes };
  }

  const login = (username: string, password: string, extra: Record<string, string> = {}) =>
    t
      .http()
      .post('/api/auth/login')
      .send({ username, password, ...extra });

  it('asks for a code once enrolled, accepts the code from the app, and refuses it a second time', async () => {
    await t.createUser('tina', 'tina-password-1');
    const token = await t.login('tina', 'tina-password-1');
    const before = await t
      .http()
      .get('/api/me/totp')
      .set(...bearer(token));
    assert.deepEqual(before.body, { enabled: false, pending: false, recoveryCodesLeft: 0 });
    const { secret } = await enrol(token);

    const bare = await login('tina', 'tina-password-1');
    assert.equal(bare.status, 401);
    assert.equal(bare.body.error.code, 'TOTP_REQUIRED');
    const wrongPassword = await login('tina', 'nope-nope-nope', { totpCode: totpCode(secret, Date.now()) });
    assert.equal(wrongPassword.status, 401);
    assert.equal(wrongPassword.body.error.code, 'INVALID_CREDENTIALS');
    const wrongCode = await login('tina', 'tina-password-1', {
      totpCode: totpCode(secret, Date.now() - 10 * NEXT_STEP_MS),
    });
    assert.equal(wrongCode.status, 401);
    assert.equal(wrongCode.body.error.code, 'INVALID_CREDENTIALS');

    const code = totpCode(secret, Date.now() + NEXT_STEP_MS);
    const ok = await login('tina', 'tina-password-1', { totpCode: code });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const replay = await login('tina', 'tina-password-1', { totpCode: code });
    assert.equal(replay.status, 401, 'a code works once');

    const status = await t
      .http()
      .get('/api/me/totp')
      .set(...bearer(token));
    assert.deepEqual(status.body, { enabled: true, pending: false, recoveryCodesLeft: 10 });
    const again = await t
      .http()
      .post('/api/me/totp')
      .set(...bearer(token));
    assert.equal(again.status, 409);
  });

  it('takes a recovery code once and not twice', async () => {
    await t.createUser('rita', 'rita-password-1');
    const token = await t.login('rita', 'rita-password-1');
    const { recoveryCodes } = await enrol(token);
    const code = recoveryCodes[3] ?? '';
    const ok = await login('rita', 'rita-password-1', { recoveryCode: code.toUpperCase() });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const twice = await login('rita', 'rita-password-1', { recoveryCode: code });
    assert.equal(twice.status, 401);
    assert.equal(twice.body.error.code, 'INVALID_CREDENTIALS');
    const status = await t
      .http()
      .get('/api/me/totp')
      .set(...bearer((ok.body as { accessToken: string }).accessToken));
    assert.equal(status.body.recoveryCodesLeft, 9);
  });

  it('turns off with the password only, and an admin can reset it, audited', async () => {
    const id = await t.createUser('olga', 'olga-password-1');
    const token = await t.login('olga', 'olga-password-1');
    await enrol(token);
    const wrong = await t
      .http()
      .delete('/api/me/totp')
      .set(...bearer(token))
      .send({ password: 'not-my-password' });
    assert.equal(wrong.status, 401);
    const off = await t
      .http()
      .delete('/api/me/totp')
      .set(...bearer(token))
      .send({ password: 'olga-password-1' });
    assert.equal(off.status, 204);
    assert.equal((await login('olga', 'olga-password-1')).status, 200);

    await enrol(token);
    assert.equal((await login('olga', 'olga-password-1')).body.error.code, 'TOTP_REQUIRED');
    const notAdmin = await t
      .http()
      .delete(`/api/users/${id}/totp`)
      .set(...bearer(token));
    assert.equal(notAdmin.status, 403);
    const admin = await t.adminToken();
    const reset = await t
      .http()
      .delete(`/api/users/${id}/totp`)
      .set(...bearer(admin));
    assert.equal(reset.status, 204);
    assert.equal((await login('olga', 'olga-password-1')).status, 200);
    const audit = await t
      .http()
      .get('/api/audit?action=user.totp.reset')
      .set(...bearer(admin));
    assert.equal(audit.status, 200, JSON.stringify(audit.body));
    const items = (audit.body as { items: { action: string; actor: string; target: string }[] }).items;
    assert.ok(
      items.some((e) => e.action === 'user.totp.reset' && e.actor === 'admin' && e.target === 'olga'),
      JSON.stringify(items),
    );
  });

  it('keeps WebDAV on the password, with two-factor login on', async () => {
    await t.createUser('wendy', 'wendy-password-1');
    await enrol(await t.login('wendy', 'wendy-password-1'));
    const res = await t
      .http()
      .options('/dav/home/')
      .set('Authorization', `Basic ${Buffer.from('wendy:wendy-password-1').toString('base64')}`);
    assert.ok(res.status < 300, String(res.status));
    const propfind = await t
      .http()
      .propfind('/dav/home/')
      .set('Depth', '0')
      .set('Authorization', `Basic ${Buffer.from('wendy:wendy-password-1').toString('base64')}`);
    assert.equal(propfind.status, 207);
  });

  it('stores the secret sealed, not in base32', async () => {
    const token = await t.login('admin', ADMIN_PASSWORD);
    const start = await t
      .http()
      .post('/api/me/totp')
      .set(...bearer(token));
    const rows = await t.server.db('totp_enrolments').select('secretSealed');
    assert.ok(rows.length > 0);
    for (const row of rows as { secretSealed: string }[]) {
      assert.match(row.secretSealed, /^v1\./);
      assert.ok(!row.secretSealed.includes((start.body as { secret: string }).secret));
    }
  });
});
