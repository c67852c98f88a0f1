import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './helpers.js';

describe('HTTP surface', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.close();
  });

  it('answers health and readiness', async () => {
    const health = await t.http().get('/api/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'ok');
    const ready = await t.http().get('/api/ready');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ready');
    assert.equal(ready.body.database, process.env['TEST_DATABASE_URL'] ? 'postgres' : 'sqlite');
  });

  it('echoes a sane X-Request-Id, replaces an insane one, and puts it in error bodies', async () => {
    const res = await t.http().get('/api/nothing-here').set('X-Request-Id', 'abc-123');
    assert.equal(res.headers['x-request-id'], 'abc-123');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, {
      error: { code: 'NOT_FOUND', message: 'No API route GET /api/nothing-here.', requestId: 'abc-123' },
    });
    const insane = await t.http().get('/api/health').set('X-Request-Id', 'x'.repeat(500));
    assert.match(String(insane.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('sets helmet security headers and no X-Powered-By', async () => {
    const res = await t.http().get('/api/health');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.ok(res.headers['content-security-policy']);
    assert.equal(res.headers['x-powered-by'], undefined);
  });

  it('keeps CORS closed unless origins are configured', async () => {
    const res = await t
      .http()
      .options('/api/auth/login')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    const open = await startTestServer({ BALUHOST_CORS_ORIGINS: 'https://console.example' });
    try {
      const allowed = await open.http().get('/api/health').set('Origin', 'https://console.example');
      assert.equal(allowed.headers['access-control-allow-origin'], 'https://console.example');
      const other = await open.http().get('/api/health').set('Origin', 'https://evil.example');
      assert.equal(other.headers['access-control-allow-origin'], undefined);
    } finally {
      await open.close();
    }
  });

  it('refuses a JSON body over the limit with 413', async () => {
    const res = await t
      .http()
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ username: 'a', password: 'x'.repeat(2 * 1024 * 1024) }));
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'PAYLOAD_TOO_LARGE');
  });

  it('answers a body that is not a JSON object with 400', async () => {
    const res = await t
      .http()
      .post('/api/auth/login')
      .set('Content-Type', 'text/plain')
      .send('username=admin');
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'VALIDATION_FAILED');
  });

  it('serves interactive API docs', async () => {
    const res = await t.http().get('/api/docs/');
    assert.equal(res.status, 200);
    assert.match(res.text, /swagger-ui/);
  });

  it('limits requests to the auth API per address with 429', async () => {
    const limited = await startTestServer({ BALUHOST_AUTH_RATE_LIMIT: '3' });
    try {
      for (let i = 0; i < 3; i++)
        await limited.http().post('/api/auth/refresh').send({ refreshToken: 'rt_nope' }).expect(401);
      const res = await limited.http().post('/api/auth/refresh').send({ refreshToken: 'rt_nope' });
      assert.equal(res.status, 429);
      assert.ok(Number(res.headers['retry-after']) >= 1);
      // The rest of the API is not behind this limit.
      assert.equal((await limited.http().get('/api/health')).status, 200);
    } finally {
      await limited.close();
    }
  });
});
