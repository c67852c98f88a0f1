import { after, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { openDatabase } from '../src/db/index.js';
import { seedDemo } from '../src/operations/demo.js';
import { createServices } from '../src/services/index.js';
import { prepareLayout } from '../src/storage/layout.js';
import {
  ADMIN_PASSWORD,
  adminTokenAt,
  baluhost,
  bearer,
  dropTestDatabase,
  send,
  startTestServer,
  TEST_DATABASE_URL,
  type TestServer,
} from './helpers.js';

const made: Record<string, string>[] = [];

async function freshEnv(): Promise<Record<string, string>> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'baluhost-demo-'));
  const env: Record<string, string> = {
    BALUHOST_DATA_DIR: dataDir,
    BALUHOST_ADMIN_PASSWORD: ADMIN_PASSWORD,
    BALUHOST_LOG_LEVEL: 'warn',
    ...(TEST_DATABASE_URL
      ? { DATABASE_URL: TEST_DATABASE_URL, BALUHOST_DATABASE_SCHEMA: `t_${randomBytes(6).toString('hex')}` }
      : {}),
  };
  made.push(env);
  return env;
}

/** Every stored file under the homes and shares: path, size, sha256. */
async function files(dataDir: string): Promise<string[]> {
  const root = path.join(await realpath(dataDir), 'storage');
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const name of (await readdir(dir)).sort()) {
      const full = path.join(dir, name);
      if ((await stat(full)).isDirectory()) await walk(full);
      else {
        const body = await readFile(full);
        out.push(
          `${path.relative(root, full)} ${String(body.length)} ${createHash('sha256').update(body).digest('hex')}`,
        );
      }
    }
  };
  for (const area of ['homes', 'shares']) await walk(path.join(root, area));
  return out;
}

/** Users, groups and shares without ids and times. */
async function accounts(env: Record<string, string>): Promise<unknown> {
  const config = loadConfig(env);
  const { db } = openDatabase(config);
  try {
    const services = createServices(db, config, 'x'.repeat(48), await prepareLayout(config.dataDir));
    const users = (await services.users.list(100, 0)).items.map((u) => ({
      username: u.username,
      role: u.role,
      groups: u.groups,
      quotaBytes: u.quotaBytes,
    }));
    const groups = (await services.groups.list()).map((g) => ({ name: g.name, members: g.members }));
    const shares = (await services.shares.list()).map((s) => ({
      name: s.name,
      quotaBytes: s.quotaBytes,
      acl: s.acl,
    }));
    // What the storage core counted against each user and share, by name.
    const usage = await db('storage_usage')
      .leftJoin('users', function () {
        this.on('users.id', '=', 'storage_usage.subject_id').andOnVal('storage_usage.scope', '=', 'user');
      })
      .leftJoin('shares', function () {
        this.on('shares.id', '=', 'storage_usage.subject_id').andOnVal('storage_usage.scope', '=', 'share');
      })
      .select<{ scope: string; username: string | null; name: string | null; usedBytes: number | string }[]>(
        'storage_usage.scope',
        'users.username',
        'shares.name',
        'storage_usage.used_bytes',
      );
    const usedBytes = Object.fromEntries(
      usage.map((u) => [`${u.scope}:${u.username ?? u.name ?? '?'}`, Number(u.usedBytes)]),
    );
    const audit = await db('audit_log').count<{ n: number | string }[]>({ n: '*' });
    const telemetry = await db('telemetry_samples').count<{ n: number | string }[]>({ n: '*' });
    return {
      users,
      groups,
      shares,
      usedBytes,
      audit: Number(audit[0]?.n),
      telemetry: Number(telemetry[0]?.n),
    };
  } finally {
    await db.destroy();
  }
}

describe('demo data', () => {
  after(async () => {
    for (const env of made) {
      await dropTestDatabase(env);
      await rm(env['BALUHOST_DATA_DIR'] ?? '', { recursive: true, force: true });
    }
  });

  it('gives the same users, shares and files (names, sizes, sha256) in every fresh data dir', async () => {
    const [a, b] = [await freshEnv(), await freshEnv()];
    const ra = await seedDemo(loadConfig(a));
    const rb = await seedDemo(loadConfig(b));
    assert.deepEqual(ra, rb);
    assert.equal(ra.adminPassword, null);
    const [fa, fb] = [await files(a['BALUHOST_DATA_DIR'] ?? ''), await files(b['BALUHOST_DATA_DIR'] ?? '')];
    assert.deepEqual(fa, fb);
    assert.equal(fa.length, ra.files);
    assert.ok(fa.some((f) => /^homes\/alice\/Photos\/sunset\.png /.test(f)));
    assert.ok(
      fa.some((f) => / 3145728 /.test(f)),
      'a few MB of binary',
    );
    const [aa, ab] = [await accounts(a), await accounts(b)];
    assert.deepEqual(aa, ab);
    const view = aa as {
      users: { username: string; quotaBytes: number | null }[];
      usedBytes: Record<string, number>;
      shares: { name: string; acl: unknown }[];
      audit: number;
      telemetry: number;
    };
    assert.deepEqual(view.users.map((u) => u.username).sort(), ['admin', 'alice', 'bob', 'carol']);
    assert.ok((view.usedBytes['user:alice'] ?? 0) > 3 * 1024 * 1024, JSON.stringify(view.usedBytes));
    assert.equal(view.usedBytes['share:media'], 2 * 1024 * 1024 + 1538);
    assert.equal(view.users.find((u) => u.username === 'carol')?.quotaBytes, 50 * 1024 * 1024);
    assert.deepEqual(view.shares.find((s) => s.name === 'media')?.acl, [
      { type: 'group', name: 'family', access: 'read' },
      { type: 'user', name: 'alice', access: 'write' },
    ]);
    assert.ok(view.audit >= 42);
    assert.ok(view.telemetry >= 7 * 24 * 6);
    // The RAID rebuilt onto the spare and is clean again.
    const raid = JSON.parse(
      await readFile(path.join(a['BALUHOST_DATA_DIR'] ?? '', 'hardware', 'raid-simulation.json'), 'utf8'),
    ) as unknown;
    assert.match(JSON.stringify(raid), /sdc/);
  });

  it('refuses a data dir that already has users, with a clear message and exit status 1', async () => {
    const env = await freshEnv();
    await seedDemo(loadConfig(env));
    await assert.rejects(seedDemo(loadConfig(env)), { code: 'CONFLICT', message: /already has users/ });
    const cli = baluhost(['demo'], env);
    assert.equal(cli.status, 1, cli.stdout + cli.stderr);
    assert.match(cli.stderr, /already has users; demo data goes into an empty data dir only/);
  });

  it('keeps the failing disk and the energy history across restarts of the server', async () => {
    const env = await freshEnv();
    await seedDemo(loadConfig(env));
    const dataDir = env['BALUHOST_DATA_DIR'] ?? '';
    const serveEnv = { ...env, PORT: '0', BALUHOST_HOST: '127.0.0.1', BALUHOST_TLS_PORT: '0' };
    const reallocated = async (t: TestServer): Promise<{ health: string; raw: number }> => {
      const res = await t
        .http()
        .get('/api/smart/sdd')
        .set(...bearer(await t.adminToken()));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const body = res.body as { health: string; attributes: { id: number; raw: number }[] };
      return { health: body.health, raw: body.attributes.find((a) => a.id === 5)?.raw ?? 0 };
    };
    let t = await startTestServer({}, { dataDir, env: serveEnv }, { consoleDir: null });
    try {
      const first = await reallocated(t);
      assert.equal(first.health, 'FAILED');
      // The demo's disk has been failing for most of an hour: 8 sectors, then 12 more every minute.
      assert.ok(first.raw > 8 + 30 * 12, String(first.raw));
      const history = await t
        .http()
        .get('/api/energy/history?range=7d')
        .set(...bearer(await t.adminToken()));
      assert.equal(history.status, 200);
      const points = (history.body as { points: { value: number }[] }).points;
      assert.ok(points.length >= 7 * 24 - 1, String(points.length));
      for (const p of points) assert.ok(p.value >= 18 && p.value <= 65, String(p.value));
      // The plug's counters agree with that history: a month's worth of an 18-65 W box so far.
      const energy = await t
        .http()
        .get('/api/energy')
        .set(...bearer(await t.adminToken()));
      const counters = energy.body as { todayKwh: number; monthKwh: number };
      const hoursThisMonth =
        (Date.now() - Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1)) / 3_600_000;
      assert.ok(counters.monthKwh >= (18 * hoursThisMonth) / 1000 - 0.05, JSON.stringify(counters));
      assert.ok(counters.monthKwh <= (65 * (hoursThisMonth + 1)) / 1000, JSON.stringify(counters));
      assert.ok(counters.todayKwh <= counters.monthKwh && counters.todayKwh <= (65 * 24) / 1000);

      t = await t.restart();
      const again = await reallocated(t);
      assert.equal(again.health, 'FAILED');
      assert.ok(again.raw >= first.raw, `${String(again.raw)} < ${String(first.raw)}`);
      const raid = await t
        .http()
        .get('/api/raid')
        .set(...bearer(await t.adminToken()));
      assert.match(JSON.stringify(raid.body), /sdc/);
    } finally {
      await t.stop();
    }
  });

  it('serve --demo --workers 2 shows the demo’s failing disk and rebuilt array through either worker', async () => {
    const env = await freshEnv();
    const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', cli, 'serve', '--demo', '--workers', '2'],
      {
        env: {
          PATH: process.env['PATH'] ?? '',
          ...env,
          PORT: '0',
          BALUHOST_HOST: '127.0.0.1',
          BALUHOST_TLS_PORT: '0',
          BALUHOST_LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      // Both workers log 'listening' with the shared URL.
      let url = '';
      let out = '';
      const listening = new Set<number>();
      child.stdout.setEncoding('utf8');
      child.stderr.resume();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`the workers did not start: ${out.slice(-2000)}`));
        }, 60_000);
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          for (const line of out.split('\n')) {
            const m = /^\{.*"msg":"listening".*\}$/.exec(line);
            if (!m) continue;
            const l = JSON.parse(line) as { worker?: number; url?: string };
            if (l.worker !== undefined) listening.add(l.worker);
            url = l.url ?? url;
          }
          if (listening.size === 2) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const auth = { Authorization: `Bearer ${await adminTokenAt(url)}` };
      const workers = new Set<number>();
      for (let i = 0; i < 6; i++) {
        const smart = await send(`${url}/api/smart/sdd`, 'GET', auth);
        assert.equal(smart.status, 200, smart.body);
        assert.equal(
          (JSON.parse(smart.body) as { health: string }).health,
          'FAILED',
          `worker ${smart.worker}`,
        );
        const raid = await send(`${url}/api/raid`, 'GET', auth);
        assert.equal(raid.status, 200, raid.body);
        assert.match(raid.body, /sdc/, `worker ${raid.worker}`);
        workers.add(smart.worker).add(raid.worker);
      }
      assert.deepEqual([...workers].sort(), [1, 2]);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    }
  });
});
