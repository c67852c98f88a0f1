import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { baluhost, startTestServer, type TestServer } from './helpers.js';

describe('baluhost CLI', () => {
  let t: TestServer;
  let env: Record<string, string>;
  before(async () => {
    t = await startTestServer();
    // The CLI works on the same data dir and database as the running server.
    env = { ...t.env };
  });
  after(async () => {
    await t.close();
  });

  it('has --help on every command', () => {
    for (const args of [
      ['--help'],
      ['serve', '--help'],
      ['migrate', '--help'],
      ['user', '--help'],
      ['user', 'create', '--help'],
      ['user', 'list', '--help'],
      ['user', 'reset-password', '--help'],
      ['user', 'disable', '--help'],
    ]) {
      const r = baluhost(args, {});
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /Usage: baluhost/);
    }
    assert.match(baluhost(['serve', '--help'], {}).stdout, /BALUHOST_DATA_DIR/);
  });

  it('migrate reports an up-to-date database', () => {
    const r = baluhost(['migrate'], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /up to date/);
  });

  it('creates a user with a password from stdin, who can then log in over the API', async () => {
    const r = baluhost(
      ['user', 'create', 'frank', '--password-stdin', '--email', 'frank@example.org'],
      env,
      'frank-password-1\n',
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Created user 'frank'/);
    await t.login('frank', 'frank-password-1');
    const list = baluhost(['user', 'list', '--json'], env);
    const users = JSON.parse(list.stdout) as { username: string; email: string | null }[];
    assert.deepEqual(
      users.map((u) => u.username),
      ['admin', 'frank'],
    );
    assert.equal(users[1]?.email, 'frank@example.org');
  });

  it('resets a password (generated and printed once) and disables and enables a user', async () => {
    const reset = baluhost(['user', 'reset-password', 'frank'], env);
    assert.equal(reset.status, 0, reset.stderr);
    const pw = /New password \(shown once\): (\S+)/.exec(reset.stdout)?.[1];
    assert.ok(pw);
    await t.login('frank', pw);
    assert.equal(baluhost(['user', 'disable', 'frank'], env).status, 0);
    assert.equal(
      (await t.http().post('/api/auth/login').send({ username: 'frank', password: pw })).status,
      401,
    );
    assert.equal(baluhost(['user', 'disable', 'frank', '--enable'], env).status, 0);
    await t.login('frank', pw);
    const audit = await t
      .http()
      .get('/api/audit?protocol=cli')
      .set('Authorization', `Bearer ${await t.adminToken()}`);
    assert.deepEqual(
      (audit.body.items as { action: string; actor: string }[]).map((e) => `${e.actor} ${e.action}`),
      ['cli user.update', 'cli user.update', 'cli user.password.reset', 'cli user.create'],
    );
  });

  it('refuses to disable the last active admin', () => {
    const r = baluhost(['user', 'disable', 'admin'], env);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /last active admin/);
  });

  it('prints configuration problems plainly and exits 1', () => {
    const r = baluhost(['migrate'], { PORT: 'x', BALUHOST_NOPE: '1' });
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /The configuration is invalid:\n {2}- BALUHOST_NOPE: unknown variable\n {2}- PORT: must be a whole number/,
    );
  });

  it('serve on a port that is taken says so and exits 1 (it used to stay up, serving nothing)', () => {
    // The running test server holds its port; a second server on the same data dir asks for it.
    const r = baluhost(['serve'], { ...env, PORT: new URL(t.url).port, BALUHOST_TLS_PORT: '0' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /baluhost: listen EADDRINUSE/);
  });
});
