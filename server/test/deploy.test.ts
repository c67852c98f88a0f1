import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../bin/node-flags.mjs';
import threadPool from '../bin/thread-pool.cjs';
import { ADMIN_PASSWORD, startTestServer } from './helpers.js';

const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));

/** The directives of one unit file or drop-in, by name (a repeated directive keeps every value, in order). */
function parseUnit(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    assert.ok(eq > 0, `not a directive: ${line}`);
    const key = line.slice(0, eq);
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

describe('deploy files', () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'baluhost-deploy-'));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('ships an nginx site that nginx -t accepts, with a self-signed certificate in place of the real one', async () => {
    const dir = path.join(tmp, 'nginx');
    await mkdir(dir);
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    const ssl = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=nas.example.org'].concat([
        '-keyout',
        key,
        '-out',
        cert,
      ]),
      { encoding: 'utf8' },
    );
    assert.equal(ssl.status, 0, ssl.stderr);
    const site = await readFile(path.join(DEPLOY, 'nginx/baluhost.conf'), 'utf8');
    assert.match(site, /ssl_certificate \/etc\/letsencrypt\/live\/nas\.example\.org\/fullchain\.pem;/);
    await writeFile(
      path.join(dir, 'site.conf'),
      site
        .replace('/etc/letsencrypt/live/nas.example.org/fullchain.pem', cert)
        .replace('/etc/letsencrypt/live/nas.example.org/privkey.pem', key),
    );
    await writeFile(
      path.join(dir, 'nginx.conf'),
      `events {}\nhttp {\n  access_log off;\n  include /etc/nginx/mime.types;\n  include ${path.join(dir, 'site.conf')};\n}\n`,
    );
    const r = spawnSync(
      '/usr/sbin/nginx',
      [
        '-t',
        '-p',
        dir,
        '-c',
        path.join(dir, 'nginx.conf'),
        '-g',
        `pid ${path.join(dir, 'nginx.pid')}; error_log stderr;`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /test is successful/);
    assert.doesNotMatch(r.stderr, /\[warn\]/, r.stderr);
  });

  it('streams WebDAV through nginx unbuffered, unlimited, with long timeouts and the Host kept', async () => {
    const site = await readFile(path.join(DEPLOY, 'nginx/baluhost.conf'), 'utf8');
    const dav = /location \/dav\/ \{([^}]*)\}/.exec(site)?.[1] ?? '';
    for (const directive of [
      'client_max_body_size 0;',
      'proxy_request_buffering off;',
      'proxy_buffering off;',
      'proxy_read_timeout 3600s;',
    ]) {
      assert.ok(dav.includes(directive), directive);
    }
    assert.doesNotMatch(site, /^\s*limit_except/m, 'every WebDAV method must pass');
    assert.match(site, /proxy_set_header Host \$http_host;/);
    assert.match(site, /location \/api\/auth\/ \{\s*limit_req zone=baluhost_auth/);
  });

  it('ships a systemd unit and SMB drop-in that systemd-analyze verify accepts without a warning', async () => {
    const dir = path.join(tmp, 'systemd');
    await mkdir(dir);
    // The unit names /usr/bin/node, which verify checks exists; test with the node running this suite.
    const unit = await readFile(path.join(DEPLOY, 'systemd/baluhost.service'), 'utf8');
    await writeFile(path.join(dir, 'baluhost.service'), unit.replace('/usr/bin/node', process.execPath));
    // verify reads drop-ins from beside the unit, so an unknown key in smb.conf shows up as a warning too.
    await cp(path.join(DEPLOY, 'systemd/baluhost.service.d'), path.join(dir, 'baluhost.service.d'), {
      recursive: true,
    });
    const r = spawnSync('systemd-analyze', ['verify', path.join(dir, 'baluhost.service')], {
      encoding: 'utf8',
    });
    assert.equal(r.error, undefined, 'systemd-analyze must be installed (scripts/system-deps.sh)');
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.equal(`${r.stdout}${r.stderr}`.trim(), '', 'no warnings');
  });

  it('gives node the same flags from every launcher: the unit, npm start, the baluhost command, the benchmark', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    assert.ok(NODE_FLAGS.length > 0);
    const unit = parseUnit(await readFile(path.join(DEPLOY, 'systemd/baluhost.service'), 'utf8'));
    assert.ok(
      unit
        .get('ExecStart')
        ?.at(-1)
        ?.startsWith(`/usr/bin/node ${NODE_FLAGS.join(' ')} /opt/`),
    );
    const bin = await readFile(path.join(root, 'server/bin/baluhost.js'), 'utf8');
    assert.equal(bin.split('\n')[0], `#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
    for (const launcher of ['scripts/start.mjs', 'e2e/bench/lib/servers.mjs']) {
      const text = await readFile(path.join(root, launcher), 'utf8');
      assert.match(text, /\[\.\.\.NODE_FLAGS,/, `${launcher} puts NODE_FLAGS first on node's command line`);
    }
  });

  it('sizes the thread pool in the entry point before anything uses it, unless UV_THREADPOOL_SIZE is set', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    // Loaded before the entry point (-r): once the entry point's first synchronous run is over, it gives the pool
    // work and counts the process's threads. Whether the CLI is built or not makes no difference to that.
    const probe = path.join(tmp, 'pool-probe.cjs');
    await writeFile(
      probe,
      "setImmediate(() => require('fs').stat('/', () => process.stderr.write(" +
        "'threads=' + require('fs').readdirSync('/proc/self/task').length + '\\n')));\n",
    );
    const threads = (extra: Record<string, string>): number => {
      const env: Record<string, string> = { PATH: process.env['PATH'] ?? '', ...extra };
      const r = spawnSync(process.execPath, ['-r', probe, 'server/bin/baluhost.js', '--version'], {
        cwd: root,
        env,
        encoding: 'utf8',
      });
      const found = /threads=(\d+)/.exec(r.stderr);
      assert.ok(found, r.stderr);
      return Number(found[1]);
    };
    const POOL_THREADS = Number(threadPool.POOL_THREADS);
    assert.ok(POOL_THREADS > 4);
    // The same process with libuv's default of 4 threads, asked for explicitly: the difference is the pool's.
    assert.equal(threads({}) - threads({ UV_THREADPOOL_SIZE: '4' }), POOL_THREADS - 4);
  });

  it('runs as the baluhost user in a sandbox, and as root only through the SMB drop-in', async () => {
    const unit = parseUnit(await readFile(path.join(DEPLOY, 'systemd/baluhost.service'), 'utf8'));
    const one = (k: string) => unit.get(k)?.at(-1);
    assert.equal(
      one('ExecStart'),
      `/usr/bin/node ${NODE_FLAGS.join(' ')} /opt/baluhost/server/bin/baluhost.js serve --workers 4`,
    );
    assert.equal(one('EnvironmentFile'), '/etc/baluhost/baluhost.env');
    assert.equal(one('User'), 'baluhost');
    assert.equal(one('Restart'), 'on-failure');
    assert.equal(one('NoNewPrivileges'), 'yes');
    assert.equal(one('ProtectSystem'), 'strict');
    assert.equal(one('ReadWritePaths'), '/var/lib/baluhost');
    assert.equal(one('CapabilityBoundingSet'), '');
    // Room for BALUHOST_SHUTDOWN_TIMEOUT (30 s by default) and closing the database.
    assert.ok(Number(/^(\d+)s$/.exec(one('TimeoutStopSec') ?? '')?.[1]) > 30);
    const smb = parseUnit(await readFile(path.join(DEPLOY, 'systemd/baluhost.service.d/smb.conf'), 'utf8'));
    assert.equal(smb.get('User')?.at(-1), 'root');
    assert.ok(
      !smb.has('NoNewPrivileges') && !smb.has('ProtectHome') && !smb.has('PrivateTmp'),
      'kept from the unit',
    );
  });

  it('ships an install script that bash parses and an env example BaluHost accepts', async () => {
    const sh = spawnSync('bash', ['-n', path.join(DEPLOY, 'install-debian.sh')], { encoding: 'utf8' });
    assert.equal(sh.status, 0, sh.stderr);
    const env: Record<string, string> = {};
    for (const line of (await readFile(path.join(DEPLOY, 'baluhost.env.example'), 'utf8')).split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line);
      if (m?.[1] !== undefined && m[2] !== undefined) env[m[1]] = m[2];
    }
    const { loadConfig } = await import('../src/config/index.js');
    const config = loadConfig(env);
    assert.equal(config.trustProxy, true);
    assert.equal(config.host, '127.0.0.1');
  });
});

/** A WebDAV PUT whose body is held back: resolves `continued` once BaluHost is handling it (100 Continue). */
function heldPut(url: string, file: string, size: number) {
  const req = http.request(`${url}/dav/home/${file}`, {
    method: 'PUT',
    headers: {
      Authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`,
      'Content-Length': String(size),
      Expect: '100-continue',
    },
  });
  const continued = new Promise<void>((resolve) => req.once('continue', resolve));
  const response = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
    req.once('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
    });
    req.once('error', reject);
  });
  req.flushHeaders();
  return { req, continued, response };
}

describe('graceful shutdown', () => {
  it('lets an upload in flight finish after close() is called', async () => {
    const t = await startTestServer();
    try {
      const put = heldPut(t.url, 'late.bin', 8);
      await put.continued;
      put.req.write('1234');
      const closed = t.stop();
      put.req.end('5678');
      // The answer ends the connection, so a keep-alive client does not hold the shutdown open.
      assert.deepEqual(await put.response, { status: 201, connection: 'close' });
      await closed;
    } finally {
      await t.close();
    }
  });

  it('cuts requests still in flight after BALUHOST_SHUTDOWN_TIMEOUT', async () => {
    const t = await startTestServer({ BALUHOST_SHUTDOWN_TIMEOUT: '1' });
    try {
      const put = heldPut(t.url, 'stalled.bin', 1_000_000);
      await put.continued;
      put.req.write('partial');
      const cut = assert.rejects(put.response, /socket hang up|ECONNRESET|EPIPE/);
      await t.stop();
      await cut;
      assert.ok(t.logs.some((l) => l.includes('shutdown timeout')));
    } finally {
      await t.close();
    }
  });
});

describe('behind nginx', () => {
  it('accepts a COPY whose https Destination names the proxied Host, over plain HTTP', async () => {
    const t = await startTestServer();
    const auth = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
    const send = (method: string, file: string, headers: Record<string, string>, body?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(`${t.url}/dav/home/${file}`, {
          method,
          headers: { Authorization: auth, Host: 'nas.example.org', ...headers },
        });
        req.once('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.once('error', reject);
        req.end(body);
      });
    try {
      assert.equal(await send('PUT', 'a.txt', {}, 'hello'), 201);
      assert.equal(
        await send('COPY', 'a.txt', { Destination: 'https://nas.example.org/dav/home/b.txt' }),
        201,
      );
      assert.equal(
        await send('MOVE', 'b.txt', { Destination: 'https://nas.example.org:443/dav/home/c.txt' }),
        201,
      );
      assert.equal(
        await send('COPY', 'a.txt', { Destination: 'https://elsewhere.example/dav/home/d.txt' }),
        502,
      );
    } finally {
      await t.close();
    }
  });
});
