/**
 * LAN discovery: `baluhost serve` with BALUHOST_MDNS=true, and a DNS-SD browse (a multicast-dns client in another
 * process) that must see WebDAV, WebDAV over TLS, the console and SMB with their real ports.
 *
 * Multicast needs an interface with the MULTICAST flag, and this machine's loopback has none (and the tests must
 * not announce anything on a real LAN). So both processes run in a network namespace of their own (`ip netns`,
 * root), whose loopback gets the flag and a route for 224.0.0.0/4: real mDNS packets, seen by nobody else.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ADMIN_PASSWORD } from './helpers.js';
import { advertisementsFor } from '../src/discovery.js';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const BROWSE = fileURLToPath(new URL('./mdns-browse.ts', import.meta.url));
const PROBE = fileURLToPath(new URL('./ws-probe.ts', import.meta.url));
const NODE = [process.execPath, '--conditions=development', '--import', 'tsx'];

interface Found {
  readonly type: string;
  readonly instance: string;
  readonly port?: number;
  readonly txt: Record<string, string>;
}

describe('advertisementsFor', () => {
  it('announces WebDAV and the console, WebDAV over TLS only with HTTPS, and SMB only while it is on', () => {
    const types = (ads: { type: string; port: number }[]) => ads.map((a) => `${a.type}:${a.port}`).sort();
    assert.deepEqual(types(advertisementsFor({ http: 8080, https: null }, { enabled: false, port: 445 })), [
      'http:8080',
      'webdav:8080',
    ]);
    assert.deepEqual(types(advertisementsFor({ http: 8080, https: 8443 }, { enabled: true, port: 445 })), [
      'http:8080',
      'smb:445',
      'webdav:8080',
      'webdavs:8443',
    ]);
  });
});

describe('mDNS/DNS-SD announcement, browsed in a network namespace', () => {
  const ns = `bh-mdns-${randomBytes(3).toString('hex')}`;
  let dataDir: string;
  let env: Record<string, string>;
  let server: ChildProcess;
  let out = '';
  let httpPort = 0;
  let tlsPort = 0;

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'ip netns needs root');
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'multicast', 'on']);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    execFileSync('ip', ['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'lo']);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'baluhost-mdns-'));
    const ssl = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=nas.local'].concat([
        '-keyout',
        path.join(dataDir, 'key.pem'),
        '-out',
        path.join(dataDir, 'cert.pem'),
      ]),
      { encoding: 'utf8' },
    );
    assert.equal(ssl.status, 0, ssl.stderr);
    env = {
      BALUHOST_DATA_DIR: dataDir,
      PORT: '0',
      BALUHOST_HOST: '127.0.0.1',
      BALUHOST_ADMIN_PASSWORD: ADMIN_PASSWORD,
      BALUHOST_LOG_LEVEL: 'info',
      BALUHOST_TLS_PORT: '0',
      BALUHOST_TLS_CERT: path.join(dataDir, 'cert.pem'),
      BALUHOST_TLS_KEY: path.join(dataDir, 'key.pem'),
      BALUHOST_MDNS: 'true',
      BALUHOST_MDNS_NAME: 'BaluHost test',
      // The announcement follows the setting; whether smbd itself comes up here does not matter to it.
      BALUHOST_SMB_ENABLED: 'true',
      BALUHOST_SMB_PORT: '4460',
      BALUHOST_SMB_NSS_WRAPPER: 'true',
      // SQLite in both runs: the namespace has its own loopback, so PostgreSQL on the host's 127.0.0.1 is out of
      // reach, and the announcement does not depend on the database.
    };
    server = spawn('ip', ['netns', 'exec', ns, ...NODE, CLI, 'serve'], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    server.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    for (let i = 0; i < 600 && !out.includes('announced on the LAN'); i++) {
      if (server.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(out, /announced on the LAN/, out);
    httpPort = Number(/"url":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(out)?.[1]);
    tlsPort = Number(/"url":"https:\/\/127\.0\.0\.1:(\d+)"/.exec(out)?.[1]);
    assert.ok(httpPort > 0 && tlsPort > 0, out);
  });

  after(async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
    spawnSync('ip', ['netns', 'del', ns]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a browse sees _webdav._tcp, _webdavs._tcp, _http._tcp and _smb._tcp with their ports and paths', () => {
    const browse = spawnSync(
      'ip',
      ['netns', 'exec', ns, ...NODE, BROWSE, '_webdav._tcp', '_webdavs._tcp', '_http._tcp', '_smb._tcp'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(browse.status, 0, browse.stderr);
    const found = (JSON.parse(browse.stdout) as Found[]).map((f) => ({
      type: f.type,
      instance: f.instance,
      port: f.port,
      path: f.txt['path'] ?? null,
    }));
    const byType = (t: string) => found.find((f) => f.type === t);
    assert.deepEqual(byType('_webdav._tcp'), {
      type: '_webdav._tcp',
      instance: 'BaluHost test._webdav._tcp.local',
      port: httpPort,
      path: '/dav/',
    });
    assert.deepEqual(byType('_webdavs._tcp'), {
      type: '_webdavs._tcp',
      instance: 'BaluHost test._webdavs._tcp.local',
      port: tlsPort,
      path: '/dav/',
    });
    assert.deepEqual(byType('_http._tcp'), {
      type: '_http._tcp',
      instance: 'BaluHost test._http._tcp.local',
      port: httpPort,
      path: '/',
    });
    assert.equal(byType('_smb._tcp')?.port, 4460);
  });

  it('stops announcing on SIGTERM and exits 0: a browse afterwards finds nothing', async () => {
    server.kill('SIGTERM');
    const [code] = (await once(server, 'exit')) as [number | null];
    assert.equal(code, 0);
    const browse = spawnSync('ip', ['netns', 'exec', ns, ...NODE, BROWSE, '_webdav._tcp', '_http._tcp'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(browse.status, 0, browse.stderr);
    assert.deepEqual(JSON.parse(browse.stdout), []);
  });
});

/**
 * WS-Discovery: BALUHOST_WSDD=true with SMB on runs Debian's wsdd as BaluHost's child. A Probe from another network
 * namespace, over a veth pair (wsdd does not serve loopback), finds a computer under the configured name and
 * workgroup; on SIGTERM wsdd goes with BaluHost.
 */
describe('WS-Discovery through the supervised wsdd, probed from a second namespace', () => {
  const tag = randomBytes(3).toString('hex');
  const [server, client] = [`bh-wsd-s-${tag}`, `bh-wsd-c-${tag}`];
  const [serverIf, clientIf] = [`bhs${tag}`, `bhc${tag}`];
  let dataDir: string;
  let baluhost: ChildProcess;
  let out = '';

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'ip netns needs root');
    for (const ns of [server, client]) {
      execFileSync('ip', ['netns', 'add', ns]);
      execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    execFileSync('ip', [
      'link',
      'add',
      serverIf,
      'netns',
      server,
      'type',
      'veth',
      'peer',
      'name',
      clientIf,
      'netns',
      client,
    ]);
    execFileSync('ip', ['-n', server, 'addr', 'add', '10.77.0.1/24', 'dev', serverIf]);
    execFileSync('ip', ['-n', client, 'addr', 'add', '10.77.0.2/24', 'dev', clientIf]);
    execFileSync('ip', ['-n', server, 'link', 'set', serverIf, 'up']);
    execFileSync('ip', ['-n', client, 'link', 'set', clientIf, 'up']);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'baluhost-wsdd-'));
    const env = {
      BALUHOST_DATA_DIR: dataDir,
      PORT: '0',
      BALUHOST_HOST: '127.0.0.1',
      BALUHOST_ADMIN_PASSWORD: ADMIN_PASSWORD,
      BALUHOST_LOG_LEVEL: 'info',
      BALUHOST_TLS_PORT: '0',
      BALUHOST_WSDD: 'true',
      BALUHOST_MDNS_NAME: 'BALUWSD',
      BALUHOST_SMB_ENABLED: 'true',
      BALUHOST_SMB_PORT: '4461',
      BALUHOST_SMB_INTERFACES: serverIf,
      BALUHOST_SMB_NSS_WRAPPER: 'true',
    };
    baluhost = spawn('ip', ['netns', 'exec', server, ...NODE, CLI, 'serve'], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    baluhost.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    for (let i = 0; i < 600 && !out.includes('wsdd started'); i++) {
      if (baluhost.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(out, /wsdd started/, out);
  });

  after(async () => {
    if (baluhost.exitCode === null) {
      baluhost.kill('SIGTERM');
      await once(baluhost, 'exit');
    }
    spawnSync('ip', ['netns', 'del', server]);
    spawnSync('ip', ['netns', 'del', client]);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers a Probe as a computer with the configured name and the SMB workgroup', () => {
    const probe = spawnSync('ip', ['netns', 'exec', client, ...NODE, PROBE, '10.77.0.2'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(probe.status, 0, probe.stderr);
    const found = JSON.parse(probe.stdout) as { from?: string; types?: string; computer?: string };
    assert.equal(found.from, '10.77.0.1', probe.stdout);
    assert.match(found.types ?? '', /pub:Computer/);
    assert.equal(found.computer, 'BALUWSD/Workgroup:WORKGROUP');
  });

  it('stops wsdd with BaluHost: nothing is left running in the namespace', async () => {
    baluhost.kill('SIGTERM');
    const [code] = (await once(baluhost, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.equal(execFileSync('ip', ['netns', 'pids', server], { encoding: 'utf8' }).trim(), '');
  });
});
