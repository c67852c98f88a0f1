/**
 * The shipped nginx site (deploy/nginx/baluhost.conf) for real in front of BaluHost: rendered with 127.0.0.1 ports,
 * a self-signed certificate and temp paths under a fresh prefix, otherwise as shipped. litmus passes through it over
 * HTTPS, and a 1 GiB WebDAV upload streams through without nginx spooling the body to a temporary file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import https from 'node:https';
import net from 'node:net';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from './helpers.js';
import { LITMUS_SUITES, runLitmus, summaries } from './litmus.js';

const SITE = fileURLToPath(new URL('../../deploy/nginx/baluhost.conf', import.meta.url));
const GiB = 1024 * 1024 * 1024;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

/** Every file under `dir`, recursively (nginx spreads its temp files over levels of subdirectories). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}

describe('behind the shipped nginx site', () => {
  let ts: TestServer;
  let dir: string;
  let nginx: ChildProcess;
  let base = '';
  let bodyTemp = '';
  let errorLog = '';
  const auth = `Basic ${Buffer.from('litmus:litmus-pass-1').toString('base64')}`;

  before(async () => {
    ts = await startTestServer({ BALUHOST_TRUST_PROXY: 'true' });
    await ts.createUser('litmus', 'litmus-pass-1');
    dir = await mkdtemp(path.join(os.tmpdir(), 'baluhost-nginx-'));
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
    const [httpPort, httpsPort] = [await freePort(), await freePort()];
    const backend = new URL(ts.url).port;
    const site = (await readFile(SITE, 'utf8'))
      .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${backend};`)
      .replace('listen 80;', `listen 127.0.0.1:${httpPort};`)
      .replace('listen [::]:80;', '')
      .replace('listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`)
      .replace('listen [::]:443 ssl http2;', '')
      .replace('/etc/letsencrypt/live/nas.example.org/fullchain.pem', cert)
      .replace('/etc/letsencrypt/live/nas.example.org/privkey.pem', key)
      .replace('root /var/www/html;', `root ${dir};`);
    assert.match(site, new RegExp(`server 127\\.0\\.0\\.1:${backend};`));
    await writeFile(path.join(dir, 'site.conf'), site);
    bodyTemp = path.join(dir, 'client_body');
    await mkdir(bodyTemp);
    errorLog = path.join(dir, 'error.log');
    await writeFile(
      path.join(dir, 'nginx.conf'),
      [
        `pid ${path.join(dir, 'nginx.pid')};`,
        `error_log ${errorLog} info;`,
        'daemon off;',
        'master_process off;',
        'events {}',
        'http {',
        '  access_log off;',
        '  include /etc/nginx/mime.types;',
        `  client_body_temp_path ${bodyTemp};`,
        ...['proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${path.join(dir, t)};`),
        `  include ${path.join(dir, 'site.conf')};`,
        '}',
        '',
      ].join('\n'),
    );
    nginx = spawn('/usr/sbin/nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    base = `https://127.0.0.1:${httpsPort}`;
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const c = net.connect(httpsPort, '127.0.0.1', () => {
          c.destroy();
          resolve(true);
        });
        c.once('error', () => {
          resolve(false);
        });
      });
      if (up) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  after(async () => {
    if (nginx.exitCode === null) {
      nginx.kill('SIGTERM');
      await once(nginx, 'exit');
    }
    await ts.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('passes litmus with 0 failures over HTTPS through nginx', async () => {
    const output = await runLitmus(`${base}/dav/home/`, 'litmus', 'litmus-pass-1');
    const found = summaries(output);
    for (const suite of LITMUS_SUITES) {
      const summary = found.get(suite);
      assert.ok(summary, `no summary for ${suite}:\n${output}`);
      assert.ok(summary.run > 0);
      const failures = output.split('\n').filter((line) => /FAIL/.test(line));
      assert.equal(summary.failed, 0, `${suite}: ${failures.join('\n')}`);
    }
  });

  it('streams a 1 GiB WebDAV upload to BaluHost without spooling it to a temporary file', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x5a);
    let bodyTempFiles = 0;
    let sent = 0;
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request(`${base}/dav/home/big.bin`, {
        method: 'PUT',
        rejectUnauthorized: false,
        headers: { Authorization: auth, 'Content-Length': String(GiB), Host: 'nas.example.org' },
      });
      req.once('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject);
      // Written as it drains, 1 MiB at a time; every 64 MiB, nginx's body temp dir is looked at.
      const pump = async () => {
        while (sent < GiB) {
          sent += chunk.length;
          if (!req.write(chunk)) await once(req, 'drain');
          if (sent % (64 * 1024 * 1024) === 0)
            bodyTempFiles = Math.max(bodyTempFiles, (await filesUnder(bodyTemp)).length);
        }
        req.end();
      };
      pump().catch(reject);
    });
    assert.equal(status, 201);
    assert.equal(bodyTempFiles, 0, 'nginx kept part of the body in a temporary file');
    assert.deepEqual(await filesUnder(bodyTemp), []);
    assert.equal(await sizeOverDav(`${base}/dav/home/big.bin`), GiB);
    const log = await readFile(errorLog, 'utf8');
    assert.doesNotMatch(log, /buffered to a temporary file/, log);
  });

  it('where request buffering is on (the console location), a 1.5 MiB body is spooled: the probe sees it', async () => {
    // The console location keeps nginx's default request buffering: the body goes to a temporary file before it
    // is passed on, and the error log says so. The check above would therefore see spooling had it happened.
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request(`${base}/upload-probe`, {
        method: 'PUT',
        rejectUnauthorized: false,
        headers: { 'Content-Length': String(1536 * 1024) },
      });
      req.once('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject);
      req.end(Buffer.alloc(1536 * 1024, 1));
    });
    assert.ok(status > 0);
    const log = await readFile(errorLog, 'utf8');
    assert.match(log, /a client request body is buffered to a temporary file/);
  });
});

function sizeOverDav(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method: 'HEAD',
      rejectUnauthorized: false,
      headers: { Authorization: `Basic ${Buffer.from('litmus:litmus-pass-1').toString('base64')}` },
    });
    req.once('response', (res) => {
      res.resume();
      resolve(Number(res.headers['content-length']));
    });
    req.once('error', reject);
    req.end();
  });
}
