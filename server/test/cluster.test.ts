/**
 * `baluhost serve --workers 4`: four processes on one database (PostgreSQL in `npm run test:pg`, SQLite otherwise),
 * started from the CLI as in production. Every request goes on a fresh connection, so node:cluster hands them out
 * round-robin; X-Baluhost-Worker says which worker answered.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  ADMIN_PASSWORD,
  TEST_DATABASE_URL,
  baluhost,
  adminTokenAt,
  dropTestDatabase,
  send,
  type Answer,
} from './helpers.js';
import { loadConfig } from '../src/config/index.js';
import { openDatabase } from '../src/db/index.js';
import { runLitmus, summaries, LITMUS_SUITES } from './litmus.js';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const WORKERS = 4;

interface LogLine {
  readonly worker?: number;
  readonly pid: number;
  readonly msg: string;
  readonly url?: string;
}

describe(`baluhost serve --workers ${WORKERS} on ${TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite'}`, () => {
  let dataDir: string;
  let env: Record<string, string>;
  let child: ChildProcess;
  let url = '';
  const lines: LogLine[] = [];
  const auth = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

  const waitForLog = async (match: (l: LogLine) => boolean, what: string): Promise<LogLine> => {
    for (let i = 0; i < 600; i++) {
      const hit = lines.find(match);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no log line: ${what}`);
  };

  /** The admin's access token, from a login through whichever worker takes the connection. */
  const adminToken = (): Promise<string> => adminTokenAt(url);

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'baluhost-cluster-'));
    env = {
      BALUHOST_DATA_DIR: dataDir,
      PORT: '0',
      BALUHOST_HOST: '127.0.0.1',
      BALUHOST_ADMIN_PASSWORD: ADMIN_PASSWORD,
      BALUHOST_LOG_LEVEL: 'info',
      BALUHOST_TLS_PORT: '0',
      BALUHOST_AUTH_RATE_LIMIT: '1000',
      ...(TEST_DATABASE_URL
        ? { DATABASE_URL: TEST_DATABASE_URL, BALUHOST_DATABASE_SCHEMA: `t_${randomBytes(6).toString('hex')}` }
        : {}),
    };
    // A job whose latest occurrence (about 12 hours ago) is newer than its config: due at start, as a catch-up.
    const migrated = baluhost(['migrate'], env);
    assert.equal(migrated.status, 0, migrated.stderr);
    const { db } = openDatabase(loadConfig(env));
    try {
      const hour = (new Date().getHours() + 12) % 24;
      await db('scheduler_configs').insert({
        job: 'audit_retention',
        schedule: `0 ${hour} * * *`,
        enabled: true,
        options: '{}',
        updatedAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
      });
    } finally {
      await db.destroy();
    }

    // PORT=0: the primary asks for a free port once; node:cluster gives the workers that same listening socket.
    child = spawn(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', CLI, 'serve', '--workers', String(WORKERS)],
      { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const p of parts) {
        try {
          lines.push(JSON.parse(p) as LogLine);
        } catch {
          // not a log line
        }
      }
    });
    child.stderr!.resume();
    for (let w = 1; w <= WORKERS; w++) {
      const l = await waitForLog((l) => l.worker === w && l.msg === 'listening', `worker ${w} listening`);
      url = l.url ?? url;
    }
  });

  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await dropTestDatabase(env);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('shares one port among the workers: fresh connections reach each of them', async () => {
    const seen = new Set<number>();
    for (let i = 0; i < 4 * WORKERS; i++) {
      const res = await send(`${url}/api/health`, 'GET');
      assert.equal(res.status, 200);
      seen.add(res.worker);
    }
    assert.deepEqual([...seen].sort(), [1, 2, 3, 4]);
  });

  it('answers the control worker’s routes (scheduler, SMB, energy, services, system, RAID, S.M.A.R.T., power, fans) through any worker', async () => {
    const token = await adminToken();
    const seen = new Set<number>();
    for (let i = 0; i < 2 * WORKERS; i++) {
      const res = await send(`${url}/api/scheduler/jobs`, 'GET', { Authorization: `Bearer ${token}` });
      assert.equal(res.status, 200, res.body);
      seen.add(res.worker);
    }
    assert.equal(seen.size, WORKERS);
    for (const route of [
      '/api/smb/status',
      '/api/energy',
      '/api/services',
      '/api/system',
      '/api/raid',
      '/api/smart',
      '/api/power',
      '/api/fans',
    ]) {
      const res = await send(`${url}${route}`, 'GET', { Authorization: `Bearer ${token}` });
      assert.equal(res.status, 200, `${route}: ${res.body}`);
    }
  });

  it('a fan mode set through one worker is what every worker shows (the hardware lives in the control worker)', async () => {
    const token = await adminToken();
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const modes = async (): Promise<Map<number, string>> => {
      const out = new Map<number, string>();
      for (let i = 0; i < 2 * WORKERS; i++) {
        const res = await send(`${url}/api/fans`, 'GET', headers);
        assert.equal(res.status, 200, res.body);
        const fan = (JSON.parse(res.body) as { fans: { id: string; mode: string }[] }).fans[0]!;
        out.set(res.worker, fan.mode);
      }
      assert.equal(out.size, WORKERS, 'the reads reached every worker');
      return out;
    };
    const fanId = (
      JSON.parse((await send(`${url}/api/fans`, 'GET', headers)).body) as { fans: { id: string }[] }
    ).fans[0]!.id;
    // Each change goes through one worker only (one request, one connection); every worker must show it.
    for (const mode of ['manual', 'auto', 'manual', 'auto']) {
      const set = await send(
        `${url}/api/fans/${encodeURIComponent(fanId)}/mode`,
        'PUT',
        headers,
        JSON.stringify({ mode }),
      );
      assert.equal(set.status, 200, set.body);
      for (const [worker, seen] of await modes()) assert.equal(seen, mode, `worker ${worker} after ${mode}`);
    }
  });

  it('/api/metrics, through any worker, has every worker’s own series under its worker label', async () => {
    /** GET /api/health answers counted per worker label in one scrape. */
    const healthByWorker = (text: string): Map<string, number> => {
      const out = new Map<string, number>();
      for (const line of text.split('\n')) {
        const m = /^baluhost_http_requests_total\{(.*)\} (\d+)$/.exec(line);
        if (!m || !m[1]!.includes('route="/api/health"') || !m[1]!.includes('status="200"')) continue;
        const worker = /worker="(\d+)"/.exec(m[1]!)?.[1];
        assert.ok(worker, `a request series without a worker label: ${line}`);
        out.set(worker, (out.get(worker) ?? 0) + Number(m[2]));
      }
      return out;
    };
    const first = await send(`${url}/api/metrics`, 'GET');
    assert.equal(first.status, 200, first.body);
    const made = new Map<string, number>();
    for (let i = 0; i < 3 * WORKERS; i++) {
      const res = await send(`${url}/api/health`, 'GET');
      assert.equal(res.status, 200);
      made.set(String(res.worker), (made.get(String(res.worker)) ?? 0) + 1);
    }
    assert.equal(made.size, WORKERS, 'the health checks reached every worker');
    const second = await send(`${url}/api/metrics`, 'GET');
    assert.equal(second.status, 200, second.body);
    const before = healthByWorker(first.body);
    const after = healthByWorker(second.body);
    for (const [worker, n] of made) {
      assert.equal((after.get(worker) ?? 0) - (before.get(worker) ?? 0), n, `worker ${worker}'s count`);
    }
    // The process series are each worker's; the server-wide ones (storage, scheduler) have no worker label.
    const rss = second.body.split('\n').filter((l) => l.startsWith('process_resident_memory_bytes{'));
    assert.deepEqual(
      rss.map((l) => /worker="(\d+)"/.exec(l)?.[1]).sort(),
      Array.from({ length: WORKERS }, (_, i) => String(i + 1)),
    );
    assert.match(second.body, /^baluhost_storage_shares_used_bytes \d+$/m);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: second.body, encoding: 'utf8' });
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  });

  it('a file uploaded through another worker shows at once in the storage figures of /api/metrics', async () => {
    const token = await adminToken();
    const created = await send(
      `${url}/api/shares`,
      'POST',
      { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      JSON.stringify({ name: 'relayed' }),
    );
    assert.equal(created.status, 201, created.body);
    const usedBytes = async (): Promise<number> => {
      const res = await send(`${url}/api/metrics`, 'GET');
      assert.equal(res.status, 200, res.body);
      const m = /^baluhost_storage_used_bytes\{share="relayed"\} (\d+)$/m.exec(res.body);
      assert.ok(m, 'the share has a storage figure');
      return Number(m[1]);
    };
    // The control worker keeps its storage reading for a few seconds: this one is cached when the upload lands.
    const before = await usedBytes();
    const admin = { Authorization: auth('admin', ADMIN_PASSWORD) };
    let uploads = 0;
    let last: Answer | null = null;
    while (last === null || last.worker === 1) {
      assert.ok(uploads < 2 * WORKERS, 'an upload reached a worker other than the control worker');
      last = await send(`${url}/dav/relayed/f${String(uploads++)}.bin`, 'PUT', admin, 'x'.repeat(1000));
      assert.equal(last.status, 201, last.body);
    }
    assert.equal((await usedBytes()) - before, 1000 * uploads, 'the control worker heard every upload');
  });

  it('a LOCK taken through one worker holds on every other, and its token works on any of them', async () => {
    const token = await adminToken();
    for (const name of ['locker', 'other']) {
      const created = await send(
        `${url}/api/users`,
        'POST',
        { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        JSON.stringify({ username: name, password: `${name}-pass-1` }),
      );
      assert.equal(created.status, 201, created.body);
    }
    const locker = { Authorization: auth('locker', 'locker-pass-1') };
    const file = `${url}/dav/home/locked.txt`;
    assert.equal((await send(file, 'PUT', locker, 'first')).status, 201);
    const lock = await send(
      file,
      'LOCK',
      { ...locker, 'Content-Type': 'application/xml', Timeout: 'Second-600' },
      '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>' +
        '<D:locktype><D:write/></D:locktype><D:owner>cluster test</D:owner></D:lockinfo>',
    );
    assert.equal(lock.status, 200, lock.body);
    const lockToken = /<([^>]+)>/.exec(String(lock.headers['lock-token']))?.[1];
    assert.ok(lockToken, `no Lock-Token in ${JSON.stringify(lock.headers)}`);

    // Without the token, every worker refuses the write, including the ones that did not take the lock.
    const refusedBy = new Set<number>();
    for (let i = 0; i < 3 * WORKERS && refusedBy.size < WORKERS; i++) {
      const put = await send(file, 'PUT', locker, 'no token');
      assert.equal(put.status, 423, `worker ${put.worker}: ${put.body}`);
      refusedBy.add(put.worker);
    }
    assert.deepEqual([...refusedBy].sort(), [1, 2, 3, 4]);

    // With it, a worker other than the one that took the lock accepts the write and the UNLOCK.
    let put: Answer;
    do {
      put = await send(file, 'PUT', { ...locker, If: `(<${lockToken}>)` }, 'with token');
      assert.equal(put.status, 204, put.body);
    } while (put.worker === lock.worker);
    const unlock = await send(file, 'UNLOCK', { ...locker, 'Lock-Token': `<${lockToken}>` });
    assert.equal(unlock.status, 204, unlock.body);
    assert.equal((await send(file, 'PUT', locker, 'after unlock')).status, 204);
  });

  it('11 failed logins spread over the workers block the username; the rate limit counts across them', async () => {
    const workers = new Set<number>();
    const statuses: number[] = [];
    const remaining: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await send(
        `${url}/api/auth/login`,
        'POST',
        { 'Content-Type': 'application/json' },
        JSON.stringify({ username: 'other', password: `wrong-${i}` }),
      );
      statuses.push(res.status);
      workers.add(res.worker);
      // draft-8: RateLimit: "<policy>";r=<remaining>;t=<seconds>
      const r = /;\s*r=(\d+)/.exec(String(res.headers['ratelimit']))?.[1];
      assert.ok(r !== undefined, `no RateLimit header: ${JSON.stringify(res.headers)}`);
      remaining.push(Number(r));
    }
    assert.deepEqual(statuses, [...Array<number>(10).fill(401), 429]);
    assert.equal(workers.size, WORKERS);
    // One count for all workers: each request, whichever worker took it, leaves one fewer.
    for (let i = 1; i < remaining.length; i++)
      assert.equal(remaining[i], remaining[i - 1]! - 1, remaining.join(' '));
    const right = await send(
      `${url}/api/auth/login`,
      'POST',
      { 'Content-Type': 'application/json' },
      JSON.stringify({ username: 'other', password: 'other-pass-1' }),
    );
    assert.equal(right.status, 429, 'the block holds on every worker, for the right password too');
  });

  it('runs a due scheduled job once, in the control worker', async () => {
    const { db } = openDatabase(loadConfig(env));
    try {
      let rows: { status: string }[] = [];
      for (let i = 0; i < 300; i++) {
        rows = await db('scheduler_executions').where({ job: 'audit_retention' }).select('status');
        if (rows.length > 0 && rows.every((r) => r.status !== 'running')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(
        rows.map((r) => r.status),
        ['succeeded'],
      );
    } finally {
      await db.destroy();
    }
    const schedulers = new Set(
      lines.filter((l) => (l as { component?: string }).component === 'scheduler').map((l) => l.worker),
    );
    assert.ok(
      [...schedulers].every((w) => w === 1),
      `scheduler logs from workers ${[...schedulers].join(' ')}`,
    );
  });

  it('passes litmus with 0 failures against the four workers', async () => {
    const token = await adminToken();
    const created = await send(
      `${url}/api/users`,
      'POST',
      { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      JSON.stringify({ username: 'litmus', password: 'litmus-pass-1' }),
    );
    assert.equal(created.status, 201, created.body);
    const output = await runLitmus(`${url}/dav/home/`, 'litmus', 'litmus-pass-1');
    const found = summaries(output);
    for (const suite of LITMUS_SUITES) {
      const summary = found.get(suite);
      assert.ok(summary, `no summary for ${suite}:\n${output}`);
      assert.ok(summary.run > 0);
      const failures = output.split('\n').filter((line) => /FAIL/.test(line));
      assert.equal(summary.failed, 0, `${suite}: ${failures.join('\n')}`);
    }
  });

  it('starts a crashed worker again in its slot', async () => {
    const old = lines.find((l) => l.worker === 3 && l.msg === 'listening');
    assert.ok(old);
    process.kill(old.pid, 'SIGKILL');
    await waitForLog((l) => l.worker === 0 && l.msg === 'worker exited', 'the primary noticed');
    const again = await waitForLog(
      (l) => l.worker === 3 && l.msg === 'listening' && l.pid !== old.pid,
      'worker 3 started again',
    );
    assert.notEqual(again.pid, old.pid);
    const seen = new Set<number>();
    for (let i = 0; i < 4 * WORKERS; i++) seen.add((await send(`${url}/api/health`, 'GET')).worker);
    assert.ok(seen.has(3));
  });

  it('stops every worker on SIGTERM and exits 0', async () => {
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    const stopped = new Set(lines.filter((l) => l.msg === 'stopped').map((l) => l.worker));
    assert.deepEqual([...stopped].sort(), [0, 1, 2, 3, 4]);
  });
});

describe('baluhost serve --workers 2 whose workers cannot start', () => {
  it('gives up after three crashes in a row of every worker and exits 1', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'baluhost-cluster-'));
    // Something else holds the port: every worker's listen fails with EADDRINUSE.
    const holder = net.createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const port = (holder.address() as net.AddressInfo).port;
    const env: Record<string, string> = {
      BALUHOST_DATA_DIR: dataDir,
      PORT: String(port),
      BALUHOST_HOST: '127.0.0.1',
      BALUHOST_ADMIN_PASSWORD: ADMIN_PASSWORD,
      BALUHOST_LOG_LEVEL: 'info',
      BALUHOST_TLS_PORT: '0',
    };
    try {
      const child = spawn(
        process.execPath,
        ['--conditions=development', '--import', 'tsx', CLI, 'serve', '--workers', '2'],
        { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      const [code] = (await once(child, 'exit')) as [number | null];
      clearTimeout(timer);
      assert.equal(code, 1, out.slice(-2000));
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { worker?: number; msg?: string });
      assert.ok(
        lines.some((l) => l.worker === 0 && l.msg?.startsWith('no worker can start')),
        out.slice(-2000),
      );
      // Each slot crashed three times: two restarts logged per slot before the primary gave up.
      assert.ok(
        lines.filter((l) => l.worker === 0 && l.msg === 'worker exited').length >= 4,
        out.slice(-2000),
      );
    } finally {
      holder.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
