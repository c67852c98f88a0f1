import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { ManualClock } from '@baluhost/drivers';
import { loadConfig, startServer, type BaluhostServer } from '../src/index.js';
import { ADMIN_PASSWORD, bearer, startTestServer, type TestServer } from './helpers.js';

class LogLines extends Writable {
  constructor(private readonly lines: string[]) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    done();
  }
}

/**
 * A test server whose hardware runs on `clock` (and, optionally, fake /proc and /sys roots): the
 * helper makes the data dir and database schema and cleans them up, this restarts the server on them
 * with the hardware options the helper cannot pass.
 */
async function startHardwareServer(
  options: { clock?: ManualClock; procRoot?: string; env?: Record<string, string> } = {},
): Promise<{
  base: TestServer;
  server: () => BaluhostServer;
  logs: string[];
  http: () => ReturnType<typeof request>;
  login: (username: string, password: string) => Promise<string>;
  restart: () => Promise<void>;
  close: () => Promise<void>;
}> {
  const base = await startTestServer(options.env);
  await base.stop();
  const logs: string[] = [];
  const start = () =>
    startServer(loadConfig(base.env), {
      logStream: new LogLines(logs),
      hardware: {
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...(options.procRoot === undefined ? {} : { procRoot: options.procRoot }),
      },
    });
  let server = await start();
  const http = () => request(server.url);
  return {
    base,
    server: () => server,
    logs,
    http,
    async login(username, password) {
      const res = await http().post('/api/auth/login').send({ username, password });
      assert.equal(res.status, 200, `login as ${username}: ${JSON.stringify(res.body)}`);
      return (res.body as { accessToken: string }).accessToken;
    },
    async restart() {
      await server.close();
      server = await start();
    },
    async close() {
      await server.close();
      await base.close();
    },
  };
}

interface RaidArrayBody {
  name: string;
  state: string;
  isDegraded: boolean;
  members: { device: string; role: string; isRebuilding: boolean }[];
  sync: { action: string; progressPercent: number } | null;
}

describe('hardware API (simulated)', () => {
  const clock = new ManualClock(Date.now());
  let t: Awaited<ReturnType<typeof startHardwareServer>>;
  let admin: string;
  let viewer: string;

  const md0 = async (): Promise<RaidArrayBody> => {
    const res = await t
      .http()
      .get('/api/raid')
      .set(...bearer(admin))
      .expect(200);
    const array = (res.body.arrays as RaidArrayBody[]).find((a) => a.name === 'md0');
    assert.ok(array, 'md0 exists');
    return array;
  };

  before(async () => {
    t = await startHardwareServer({ clock });
    admin = await t.login('admin', ADMIN_PASSWORD);
    await t
      .http()
      .post('/api/users')
      .set(...bearer(admin))
      .send({ username: 'viewer', password: 'viewer-password-1' })
      .expect(201);
    viewer = await t.login('viewer', 'viewer-password-1');
  });
  after(async () => {
    await t.close();
  });

  it('starts with md0 clean over sda and sdb, the free disks and the speed limits', async () => {
    const res = await t
      .http()
      .get('/api/raid')
      .set(...bearer(admin))
      .expect(200);
    assert.equal(res.body.mode, 'simulated');
    const array = await md0();
    assert.equal(array.state, 'clean');
    assert.deepEqual(
      array.members.map((m) => m.device),
      ['/dev/sda', '/dev/sdb'],
    );
    const disks = res.body.disks as { device: string; isSystemDisk: boolean; arrayName: string | null }[];
    assert.deepEqual(
      disks.find((d) => d.device === '/dev/sdc'),
      {
        device: '/dev/sdc',
        sizeBytes: 5_000_000_000,
        isSystemDisk: false,
        arrayName: null,
      },
    );
    assert.equal(disks.find((d) => d.device === '/dev/nvme0n1')?.isSystemDisk, true);
    assert.ok(res.body.speedLimits.maxBytesPerSecond > 0);
  });

  it('answers failing a member without a token with 428 that says how to confirm, and fails it with the token', async () => {
    const refused = await t
      .http()
      .post('/api/raid/arrays/md0/members/sdb/fail')
      .set(...bearer(admin));
    assert.equal(refused.status, 428);
    assert.equal(refused.body.error.code, 'CONFIRMATION_REQUIRED');
    const token = refused.body.error.details.confirmToken as string;
    assert.equal(typeof token, 'string');
    assert.ok(
      (refused.body.error.message as string).includes(`repeat the request with confirmToken=${token}`),
      refused.body.error.message,
    );
    assert.match(refused.body.error.message, /mark \/dev\/sdb faulty in md0/);
    assert.match(refused.body.error.message, /JSON body or as \?confirmToken= in the query string/);
    assert.equal((await md0()).state, 'clean', 'nothing happened without the token');

    const failed = await t
      .http()
      .post(`/api/raid/arrays/md0/members/sdb/fail?confirmToken=${encodeURIComponent(token)}`)
      .set(...bearer(admin));
    assert.equal(failed.status, 200, JSON.stringify(failed.body));
    assert.equal(failed.body.state, 'degraded');
    assert.equal(failed.body.isDegraded, true);
    assert.equal(
      (failed.body.members as RaidArrayBody['members']).find((m) => m.device === '/dev/sdb')?.role,
      'faulty',
    );

    const reused = await t
      .http()
      .post('/api/raid/arrays/md0/members/sda/fail')
      .set(...bearer(admin))
      .send({ confirmToken: token });
    assert.equal(reused.status, 428, 'a token confirms only the request it was issued for');
    assert.equal(reused.body.error.details.reason, 'invalid');
  });

  it('rebuilds onto a confirmed spare: recovering, progress rising with the clock, then clean', async () => {
    const ask = await t
      .http()
      .post('/api/raid/arrays/md0/spares')
      .set(...bearer(admin))
      .send({ device: 'sdc' });
    assert.equal(ask.status, 428);
    const added = await t
      .http()
      .post('/api/raid/arrays/md0/spares')
      .set(...bearer(admin))
      .send({ device: 'sdc', confirmToken: ask.body.error.details.confirmToken });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(added.body.state, 'recovering');
    assert.equal(added.body.sync.action, 'recover');

    clock.advance(6_000);
    const first = await md0();
    clock.advance(12_000);
    const second = await md0();
    assert.equal(second.state, 'recovering');
    assert.ok(first.sync && second.sync);
    assert.ok(first.sync.progressPercent > 0, `progress ${first.sync.progressPercent}`);
    assert.ok(
      second.sync.progressPercent > first.sync.progressPercent,
      `${second.sync.progressPercent} > ${first.sync.progressPercent}`,
    );

    clock.advance(60_000);
    const done = await md0();
    assert.equal(done.state, 'clean');
    assert.equal(done.isDegraded, false);
    assert.equal(done.sync, null);
    assert.deepEqual(
      done.members.map((m) => [m.device, m.role]),
      [
        ['/dev/sda', 'active'],
        ['/dev/sdb', 'faulty'],
        ['/dev/sdc', 'active'],
      ],
    );
  });

  it('records every RAID change in the audit log, without the tokens', async () => {
    const res = await t
      .http()
      .get('/api/audit?action=raid.')
      .set(...bearer(admin))
      .expect(200);
    const entries = res.body.items as { action: string; target: string; result: string; actor: string }[];
    assert.deepEqual(entries.map((e) => [e.action, e.target, e.result, e.actor]).reverse(), [
      ['raid.fail_member', 'md0', 'success', 'admin'],
      ['raid.add_spare', 'md0', 'success', 'admin'],
    ]);
    assert.doesNotMatch(JSON.stringify(entries), /confirmToken/);
  });

  it('refuses to delete an array without a token', async () => {
    const refused = await t
      .http()
      .delete('/api/raid/arrays/md0')
      .set(...bearer(admin));
    assert.equal(refused.status, 428);
    assert.match(refused.body.error.message, /stop md0 and wipe its members/);
    assert.equal((await md0()).state, 'clean');
  });

  it('lets a user read the hardware, and answers 403 to their changes', async () => {
    for (const url of ['/api/raid', '/api/smart', '/api/power', '/api/fans', '/api/system']) {
      const res = await t
        .http()
        .get(url)
        .set(...bearer(viewer));
      assert.equal(res.status, 200, url);
    }
    const changes = [
      t.http().post('/api/raid/arrays/md0/members/sda/fail'),
      t.http().delete('/api/raid/arrays/md0'),
      t.http().put('/api/raid/speed-limits').send({ minBytesPerSecond: 1024, maxBytesPerSecond: 2048 }),
      t.http().put('/api/power/profile').send({ name: 'performance' }),
      t.http().put('/api/fans/hwmon0%2Ffan1/pwm').send({ pwm: 100 }),
      t.http().post('/api/smart/sda/self-tests').send({ type: 'short' }),
    ];
    for (const change of changes) {
      const res = await change.set(...bearer(viewer));
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'FORBIDDEN');
    }
  });

  it('validates device and array names in URLs', async () => {
    const badArray = await t
      .http()
      .get('/api/raid/arrays/sda')
      .set(...bearer(admin));
    assert.equal(badArray.status, 400);
    assert.match(badArray.body.error.message, /md array name/);
    const badDevice = await t
      .http()
      .get('/api/smart/..%2Fetc')
      .set(...bearer(admin));
    assert.equal(badDevice.status, 400);
    const missing = await t
      .http()
      .get('/api/raid/arrays/md9')
      .set(...bearer(admin));
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'NOT_FOUND');
  });

  it('reports real host telemetry: CPU cores, memory and file systems', async () => {
    const res = await t
      .http()
      .get('/api/system?processes=5')
      .set(...bearer(viewer))
      .expect(200);
    const body = res.body as {
      cpu: { loadPercent: number; cores: { loadPercent: number }[] };
      memory: { totalBytes: number; usedBytes: number };
      fileSystems: { sizeBytes: number; mountPoint: string }[];
      uptimeSeconds: number;
      processes: unknown[];
      network: unknown[];
    };
    assert.ok(body.cpu.cores.length > 0);
    assert.ok(Number.isFinite(body.cpu.loadPercent));
    assert.ok(body.memory.totalBytes > 0);
    assert.ok(body.memory.usedBytes > 0);
    assert.ok(body.fileSystems.some((fs) => fs.sizeBytes > 0));
    assert.ok(body.uptimeSeconds > 0);
    assert.ok(body.processes.length <= 5);
    assert.ok(Array.isArray(body.network));
  });

  it('applies a power profile and shows it in the status', async () => {
    const before = await t
      .http()
      .get('/api/power')
      .set(...bearer(admin))
      .expect(200);
    assert.deepEqual(
      (before.body.profiles as { name: string }[]).map((p) => p.name),
      ['powersave', 'balanced', 'performance'],
    );
    const applied = await t
      .http()
      .put('/api/power/profile')
      .set(...bearer(admin))
      .send({ name: 'performance' });
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    assert.equal(applied.body.activeProfile, 'performance');
    const after = await t
      .http()
      .get('/api/power')
      .set(...bearer(admin))
      .expect(200);
    assert.equal(after.body.status.activeProfile, 'performance');
    assert.equal(after.body.status.governor, 'performance');
    const unknown = await t
      .http()
      .put('/api/power/governor')
      .set(...bearer(admin))
      .send({ governor: 'turbo' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'VALIDATION_FAILED');
  });

  it('stores a fan curve, drives the fan with it, reads it back, and refuses an invalid one with 400', async () => {
    const curve = {
      points: [
        { temperatureCelsius: 30, pwmPercent: 20 },
        { temperatureCelsius: 70, pwmPercent: 100 },
      ],
      hysteresisCelsius: 3,
      minPwmPercent: 10,
      maxPwmPercent: 100,
    };
    const set = await t
      .http()
      .put('/api/fans/hwmon0%2Ffan1/curve')
      .set(...bearer(admin))
      .send({ curve, input: { kind: 'sensor', sensorId: 'hwmon0/temp1' } });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.isActive, true);
    assert.equal(set.body.lastTick.fanId, 'hwmon0/fan1');
    assert.equal(set.body.lastTick.isFallback, false);

    const read = await t
      .http()
      .get('/api/fans')
      .set(...bearer(viewer))
      .expect(200);
    const stored = (read.body.curves as { fanId: string; curve: unknown; isActive: boolean }[]).find(
      (c) => c.fanId === 'hwmon0/fan1',
    );
    assert.ok(stored);
    assert.deepEqual(stored.curve, curve);
    assert.equal(stored.isActive, true);
    const fan = (read.body.fans as { id: string; mode: string; pwm: number }[]).find(
      (f) => f.id === 'hwmon0/fan1',
    );
    assert.ok(fan);
    assert.equal(fan.mode, 'manual');
    assert.equal(fan.pwm, set.body.lastTick.pwm);

    const falling = await t
      .http()
      .put('/api/fans/hwmon0%2Ffan1/curve')
      .set(...bearer(admin))
      .send({
        curve: { ...curve, points: [...curve.points].reverse() },
        input: { kind: 'sensor', sensorId: 'hwmon0/temp1' },
      });
    assert.equal(falling.status, 400);
    assert.equal(falling.body.error.code, 'VALIDATION_FAILED');
    assert.match(falling.body.error.message, /temperatures must rise/);
    const outOfRange = await t
      .http()
      .put('/api/fans/hwmon0%2Ffan1/curve')
      .set(...bearer(admin))
      .send({
        curve: { points: [{ temperatureCelsius: 40, pwmPercent: 140 }] },
        input: { kind: 'hottest-disk' },
      });
    assert.equal(outOfRange.status, 400);
    const noFan = await t
      .http()
      .put('/api/fans/hwmon0%2Ffan9/curve')
      .set(...bearer(admin))
      .send({ curve, input: { kind: 'hottest-disk' } });
    assert.equal(noFan.status, 404);

    const audit = await t
      .http()
      .get('/api/audit?action=fans.set_curve')
      .set(...bearer(admin))
      .expect(200);
    assert.equal(audit.body.items.length, 1);
  });

  it('hands a fan back to the chip with mode auto, and back to its curve with mode curve', async () => {
    const auto = await t
      .http()
      .put('/api/fans/hwmon0%2Ffan1/mode')
      .set(...bearer(admin))
      .send({ mode: 'auto' });
    assert.equal(auto.status, 200, JSON.stringify(auto.body));
    assert.equal(auto.body.mode, 'auto');
    const afterAuto = await t
      .http()
      .get('/api/fans')
      .set(...bearer(admin));
    assert.equal(afterAuto.body.curves[0].isActive, false);
    const pwm = await t
      .http()
      .put('/api/fans/hwmon0%2Ffan2/pwm')
      .set(...bearer(admin))
      .send({ pwm: 200 });
    assert.equal(pwm.body.pwm, 200);
    assert.equal(pwm.body.mode, 'manual');
    const noCurve = await t
      .http()
      .put('/api/fans/hwmon0%2Ffan2/mode')
      .set(...bearer(admin))
      .send({ mode: 'curve' });
    assert.equal(noCurve.status, 409);
    const curve = await t
      .http()
      .put('/api/fans/hwmon0%2Ffan1/mode')
      .set(...bearer(admin))
      .send({ mode: 'curve' });
    assert.equal(curve.status, 200);
    assert.equal(curve.body.mode, 'manual');
  });

  it('reports S.M.A.R.T. for the simulated disks, runs self-tests and simulates a failing drive', async () => {
    const list = await t
      .http()
      .get('/api/smart')
      .set(...bearer(viewer))
      .expect(200);
    const devices = list.body.devices as { device: string; health: string; error: string | null }[];
    assert.deepEqual(
      devices.map((d) => [d.device, d.health, d.error]),
      [
        ['/dev/sda', 'PASSED', null],
        ['/dev/sdb', 'PASSED', null],
        ['/dev/sdc', 'PASSED', null],
        ['/dev/sdd', 'PASSED', null],
        ['/dev/nvme0n1', 'PASSED', null],
      ],
    );
    const report = await t
      .http()
      .get('/api/smart/sda')
      .set(...bearer(viewer))
      .expect(200);
    assert.equal(report.body.device, '/dev/sda');
    assert.equal(report.body.protocol, 'ATA');
    assert.equal(report.body.health, 'PASSED');
    assert.ok(report.body.attributes.length > 0);
    assert.ok(report.body.temperatureCelsius > 0);

    const test = await t
      .http()
      .post('/api/smart/sdd/self-tests')
      .set(...bearer(admin))
      .send({ type: 'short' });
    assert.equal(test.status, 202, JSON.stringify(test.body));
    assert.equal(test.body.isRunning, true);
    const invalidType = await t
      .http()
      .post('/api/smart/sdd/self-tests')
      .set(...bearer(admin))
      .send({ type: 'conveyance' });
    assert.equal(invalidType.status, 400);

    const failing = await t
      .http()
      .post('/api/smart/sdb/simulate-failure')
      .set(...bearer(admin))
      .send({});
    assert.equal(failing.status, 200, JSON.stringify(failing.body));
    assert.equal(failing.body.health, 'FAILED');
    assert.ok(failing.body.warnings.length > 0);
    const unknown = await t
      .http()
      .get('/api/smart/sdz')
      .set(...bearer(admin));
    assert.equal(unknown.status, 404);
  });

  it('keeps the RAID state, the fan curves and the confirmation key across a restart', async () => {
    const ask = await t
      .http()
      .delete('/api/raid/arrays/md0/members/sdb')
      .set(...bearer(admin));
    assert.equal(ask.status, 428);
    const token = ask.body.error.details.confirmToken as string;

    await t.restart();
    admin = await t.login('admin', ADMIN_PASSWORD);
    const array = await md0();
    assert.equal(array.state, 'clean');
    assert.deepEqual(
      array.members.map((m) => [m.device, m.role]),
      [
        ['/dev/sda', 'active'],
        ['/dev/sdb', 'faulty'],
        ['/dev/sdc', 'active'],
      ],
    );
    const fans = await t
      .http()
      .get('/api/fans')
      .set(...bearer(admin))
      .expect(200);
    assert.equal(
      (fans.body.curves as { fanId: string; isActive: boolean }[]).find((c) => c.fanId === 'hwmon0/fan1')
        ?.isActive,
      true,
    );
    assert.equal(
      (fans.body.fans as { id: string; mode: string }[]).find((f) => f.id === 'hwmon0/fan1')?.mode,
      'manual',
      'the stored curve drives the fan again after the restart',
    );

    const removed = await t
      .http()
      .delete('/api/raid/arrays/md0/members/sdb')
      .set(...bearer(admin))
      .send({ confirmToken: token });
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    assert.deepEqual(
      (removed.body.members as RaidArrayBody['members']).map((m) => m.device),
      ['/dev/sda', '/dev/sdc'],
    );
  });

  it('adds virtual disks and resets through the simulation hooks', async () => {
    const added = await t
      .http()
      .post('/api/raid/simulation/disks')
      .set(...bearer(admin))
      .send({ device: 'sde' });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.ok((added.body as { device: string }[]).some((d) => d.device === '/dev/sde'));
    const reset = await t
      .http()
      .post('/api/raid/simulation/reset')
      .set(...bearer(admin))
      .expect(200);
    assert.deepEqual(
      (reset.body.arrays as RaidArrayBody[]).map((a) => [a.name, a.state, a.members.length]),
      [['md0', 'clean', 2]],
    );
  });
});

describe('hardware API with a real backend that is missing', () => {
  let t: Awaited<ReturnType<typeof startHardwareServer>>;
  let procRoot: string;
  let admin: string;
  before(async () => {
    // A /proc without mdstat: the md driver is not loaded, whatever this machine has.
    procRoot = await mkdtemp(path.join(os.tmpdir(), 'baluhost-proc-'));
    t = await startHardwareServer({
      procRoot,
      env: { BALUHOST_HARDWARE__RAID: 'real', BALUHOST_LOG_LEVEL: 'info' },
    });
    admin = await t.login('admin', ADMIN_PASSWORD);
  });
  after(async () => {
    await t.close();
    await rm(procRoot, { recursive: true, force: true });
  });

  it('answers 503 DRIVER_UNAVAILABLE naming what is missing', async () => {
    const res = await t
      .http()
      .get('/api/raid')
      .set(...bearer(admin));
    assert.equal(res.status, 503);
    assert.equal(res.body.error.code, 'DRIVER_UNAVAILABLE');
    assert.match(
      res.body.error.message,
      /mdstat does not exist: the md \(software RAID\) driver is not loaded/,
    );
  });

  it('has no simulation hooks for the real family, and keeps them for the simulated ones', async () => {
    const raid = await t
      .http()
      .post('/api/raid/simulation/reset')
      .set(...bearer(admin));
    assert.equal(raid.status, 404);
    assert.match(raid.body.error.message, /BALUHOST_HARDWARE__RAID=simulated/);
    const smart = await t
      .http()
      .post('/api/smart/sda/simulate-failure')
      .set(...bearer(admin))
      .send({ isFailing: true });
    assert.equal(smart.status, 200);
    const power = await t
      .http()
      .get('/api/power')
      .set(...bearer(admin));
    assert.equal(power.body.mode, 'simulated');
  });

  it('logs the backend of each family at start', () => {
    const backends = t.logs
      .map((line) => JSON.parse(line) as { msg: string; family?: string; backend?: string; level: number })
      .filter((entry) => entry.msg === 'hardware backend');
    assert.deepEqual(
      backends.map((b) => [b.family, b.backend, b.level]),
      [
        ['raid', 'real', 30],
        ['smart', 'simulated', 30],
        ['power', 'simulated', 30],
        ['fans', 'simulated', 30],
        ['telemetry', 'simulated', 30],
      ],
    );
  });
});
