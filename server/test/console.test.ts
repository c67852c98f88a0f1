import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import { loadConfig, startServer, type BaluhostServer } from '../src/index.js';
import { DEFAULT_CONSOLE_DIR } from '../src/api/app.js';
import { ADMIN_PASSWORD, TEST_DATABASE_URL, dropTestDatabase } from './helpers.js';

const INDEX_HTML =
  '<!doctype html><html><body><bh-root></bh-root><script src="chunk-ABCD1234.js" type="module"></script></body></html>';

/** A server whose console is served from `consoleDir` (null: none). */
async function start(consoleDir: string | null): Promise<{ server: BaluhostServer; close(): Promise<void> }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'baluhost-console-'));
  const env: Record<string, string> = {
    BALUHOST_DATA_DIR: dataDir,
    PORT: '0',
    BALUHOST_HOST: '127.0.0.1',
    BALUHOST_ADMIN_PASSWORD: ADMIN_PASSWORD,
    BALUHOST_LOG_LEVEL: 'warn',
    ...(TEST_DATABASE_URL
      ? { DATABASE_URL: TEST_DATABASE_URL, BALUHOST_DATABASE_SCHEMA: `t_${randomBytes(6).toString('hex')}` }
      : {}),
  };
  const quiet = new Writable({
    write: (_chunk, _enc, done) => {
      done();
    },
  });
  const server = await startServer(loadConfig(env), { logStream: quiet, consoleDir });
  return {
    server,
    async close() {
      await server.close();
      await dropTestDatabase(env);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

describe('admin console serving', () => {
  let consoleDir: string;
  let t: Awaited<ReturnType<typeof start>>;
  before(async () => {
    consoleDir = await mkdtemp(path.join(os.tmpdir(), 'baluhost-console-dist-'));
    await writeFile(path.join(consoleDir, 'index.html'), INDEX_HTML);
    await writeFile(path.join(consoleDir, 'chunk-ABCD1234.js'), 'export {};\n');
    await mkdir(path.join(consoleDir, 'media'));
    t = await start(consoleDir);
  });
  after(async () => {
    await t.close();
    await rm(consoleDir, { recursive: true, force: true });
  });

  it('serves index.html at / with the default CSP and no caching', async () => {
    const res = await request(t.server.url).get('/').set('Accept', 'text/html');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.equal(res.text, INDEX_HTML);
    assert.equal(res.headers['cache-control'], 'no-cache');
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /script-src-attr 'none'/);
    // On a plain-http LAN address the browser would fetch the console's scripts over https and show nothing.
    assert.doesNotMatch(csp, /upgrade-insecure-requests/);
  });

  it('answers client-side routes with index.html', async () => {
    for (const route of ['/users', '/audit', '/groups/', '/account?tab=1']) {
      const res = await request(t.server.url).get(route).set('Accept', 'text/html,application/xhtml+xml');
      assert.equal(res.status, 200, route);
      assert.match(String(res.headers['content-type']), /^text\/html/, route);
      assert.equal(res.text, INDEX_HTML, route);
    }
  });

  it('serves hashed assets as immutable', async () => {
    const res = await request(t.server.url).get('/chunk-ABCD1234.js');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /javascript/);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  it('answers a missing asset with 404, not index.html', async () => {
    const res = await request(t.server.url).get('/chunk-MISSING0.js').set('Accept', 'application/javascript');
    assert.equal(res.status, 404);
  });

  it('leaves /api to the API: an unknown route is still the JSON 404', async () => {
    const res = await request(t.server.url).get('/api/nope').set('Accept', 'text/html');
    assert.equal(res.status, 404);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.equal(res.body.error.code, 'NOT_FOUND');
  });

  it('does not answer under /dav', async () => {
    const res = await request(t.server.url).get('/dav/').set('Accept', 'text/html');
    assert.notEqual(res.text, INDEX_HTML);
  });
});

describe('admin console not built', () => {
  let t: Awaited<ReturnType<typeof start>>;
  before(async () => {
    t = await start(path.join(os.tmpdir(), `baluhost-no-console-${randomBytes(4).toString('hex')}`));
  });
  after(async () => {
    await t.close();
  });

  it('serves nothing at / and keeps the API working', async () => {
    const root = await request(t.server.url).get('/').set('Accept', 'text/html');
    assert.equal(root.status, 404);
    const users = await request(t.server.url).get('/users').set('Accept', 'text/html');
    assert.equal(users.status, 404);
    const health = await request(t.server.url).get('/api/health');
    assert.equal(health.status, 200);
  });
});

describe('the built admin console', () => {
  const index = path.join(DEFAULT_CONSOLE_DIR, 'index.html');
  const isBuilt = existsSync(index);
  let t: Awaited<ReturnType<typeof start>> | undefined;
  before(async () => {
    if (isBuilt) t = await start(DEFAULT_CONSOLE_DIR);
  });
  after(async () => {
    await t?.close();
  });

  it(
    'is served at / and /users when admin-ui has been built',
    { skip: !isBuilt && 'admin-ui is not built' },
    async () => {
      for (const route of ['/', '/users']) {
        const res = await request(t!.server.url).get(route).set('Accept', 'text/html');
        assert.equal(res.status, 200, route);
        assert.match(String(res.headers['content-type']), /^text\/html/, route);
        assert.match(res.text, /<bh-root>/, route);
        // The production build must not need inline event handlers (CSP blocks them): inlineCritical is off.
        assert.doesNotMatch(res.text, /onload=/, route);
      }
      const api = await request(t!.server.url).get('/api/nope');
      assert.equal(api.status, 404);
      assert.equal(api.body.error.code, 'NOT_FOUND');
    },
  );
});
