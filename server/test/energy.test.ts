import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, SimulatedTelemetryDriver } from '@baluhost/drivers';
import { startFakeTapoPlug, type FakeTapoPlug } from '../../drivers/test/helpers/fake-tapo-p110.js';
import { TestClock, startMonitoredServer, type ApiBody, type MonitoredServer } from './monitoring-support.js';
import { bearer } from './helpers.js';

const HOUR = 3_600_000;
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Every string in a JSON body, for "is this secret anywhere in it" checks. */
function mentions(body: unknown, secret: string): boolean {
  return JSON.stringify(body).includes(secret);
}

describe('energy with the simulated plug', () => {
  let s: MonitoredServer;
  // The plug integrates its draw over the hardware clock: starting at midnight UTC keeps a 20 h test in one day.
  const hardwareClock = new ManualClock(Date.UTC(2026, 10, 2));
  before(async () => {
    const clock = new TestClock();
    clock.nowMs = Math.ceil(clock.nowMs / 60_000) * 60_000;
    s = await startMonitoredServer({
      env: { BALUHOST_ENERGY_PRICE: '0.32', BALUHOST_ENERGY_CURRENCY: 'CHF' },
      clock,
      startOptions: {
        hardware: { clock: hardwareClock },
        monitoring: { telemetryDriver: new SimulatedTelemetryDriver({ clock: { now: clock.now } }) },
      },
    });
  });
  after(async () => {
    await s.t.close();
  });

  it('reports watts, kWh integrated over the clock, and their cost at the configured price', async () => {
    const first = await s.api('get', '/api/energy', 200);
    assert.equal(first.backend, 'simulated');
    assert.equal(first.configured, true);
    assert.deepEqual(first.plug, { id: 'nas', name: 'NAS', model: 'simulated', isOn: true });
    assert.equal(first.currency, 'CHF');
    assert.equal(first.pricePerKwh, 0.32);
    // Idle 18 W to full load 65 W.
    assert.ok(first.powerWatts >= 17.5 && first.powerWatts <= 65.5, String(first.powerWatts));
    assert.equal(first.todayKwh, 0);
    assert.equal(first.costToday, 0);

    hardwareClock.advance(20 * HOUR);
    const second = await s.api('get', '/api/energy', 200);
    const wh = (((first.powerWatts as number) + (second.powerWatts as number)) / 2) * 20;
    assert.equal(second.todayKwh, round(round(wh, 3) / 1000, 3));
    assert.equal(second.monthKwh, second.todayKwh);
    assert.ok(second.todayKwh > 0.3, String(second.todayKwh));
    assert.equal(second.costToday, round(second.todayKwh * 0.32, 2));
    assert.equal(second.costMonth, round(second.monthKwh * 0.32, 2));
    assert.equal(Date.parse(second.readAt), hardwareClock.now());
  });

  it('samples the draw into the telemetry history', async () => {
    for (let i = 0; i < 3; i++) {
      await s.t.server.services.telemetry.sample();
      s.clock.advance(10_000);
    }
    const history = await s.api('get', '/api/energy/history?range=1h', 200);
    assert.equal(history.metric, 'energy.power_watts');
    assert.equal(history.resolution, 'raw');
    assert.equal(history.points.length, 3);
    for (const p of history.points as ApiBody[]) assert.ok(p.value >= 17.5 && p.value <= 65.5);
    const same = await s.api('get', '/api/telemetry/history?metric=energy.power_watts&range=1h', 200);
    assert.deepEqual(same.points, history.points);
  });

  it('lets any user read, and only admins see or change the settings', async () => {
    await s.t.createUser('erin', 'erin-password-1');
    const token = await s.t.login('erin', 'erin-password-1');
    assert.equal(
      (
        await s.t
          .http()
          .get('/api/energy')
          .set(...bearer(token))
      ).status,
      200,
    );
    assert.equal(
      (
        await s.t
          .http()
          .get('/api/energy/history')
          .set(...bearer(token))
      ).status,
      200,
    );
    assert.equal(
      (
        await s.t
          .http()
          .get('/api/energy/settings')
          .set(...bearer(token))
      ).status,
      403,
    );
    const put = await s.t
      .http()
      .put('/api/energy/settings')
      .set(...bearer(token))
      .send({ pricePerKwh: 1 });
    assert.equal(put.status, 403);
    assert.equal((await s.t.http().get('/api/energy')).status, 401);
  });

  it('changes the price, audited, and the cost follows', async () => {
    const settings = await s.api('put', '/api/energy/settings', 200, { pricePerKwh: 0.5, currency: 'EUR' });
    assert.deepEqual(settings, { plugHost: null, hasCredentials: false, pricePerKwh: 0.5, currency: 'EUR' });
    const now = await s.api('get', '/api/energy', 200);
    assert.equal(now.currency, 'EUR');
    assert.equal(now.costToday, round(now.todayKwh * 0.5, 2));
    const audit = await s.api('get', '/api/audit?action=energy.update_settings', 200);
    assert.equal(audit.items.length, 1);
    assert.equal(audit.items[0].result, 'success');
    assert.equal(audit.items[0].details.pricePerKwh, 0.5);
  });

  it('refuses invalid settings with a 400 naming the field', async () => {
    for (const body of [
      { pricePerKwh: -1 },
      { currency: 'euro' },
      { plugHost: 'http://plug/' },
      { username: 'only@example.org' },
      { surprise: true },
    ]) {
      const res = await s.t
        .http()
        .put('/api/energy/settings')
        .set(...bearer(s.token))
        .send(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
    }
  });

  it('reports the plug in /api/services and re-probes it, and exports Prometheus gauges', async () => {
    const services = await s.api('get', '/api/services?refresh=true', 200);
    const energy = services.find((e: ApiBody) => e.name === 'hardware.energy');
    assert.equal(energy.state, 'running', JSON.stringify(energy));
    assert.equal(energy.figures.mode, 'simulated');
    const probed = await s.api('post', '/api/services/hardware/energy/probe', 200);
    assert.equal(probed.name, 'hardware.energy');
    assert.equal(probed.state, 'running');
    const metrics = await s.t.http().get('/api/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /^baluhost_energy_power_watts \d+(\.\d+)?$/m);
    assert.match(metrics.text, /^baluhost_energy_month_joules \d+(\.\d+)?(e\+\d+)?$/m);
  });

  it('keeps the kWh of the day and month across a restart (the last test of this server)', async () => {
    const before = await s.api('get', '/api/energy', 200);
    assert.ok(before.todayKwh > 0, JSON.stringify(before));
    const t2 = await s.t.restart();
    try {
      const res = await t2
        .http()
        .get('/api/energy')
        .set(...bearer(await t2.adminToken()));
      assert.equal(res.status, 200);
      const again = res.body as { todayKwh: number; monthKwh: number };
      assert.equal(again.todayKwh, before.todayKwh);
      assert.equal(again.monthKwh, before.monthKwh);
    } finally {
      await t2.stop();
    }
  });
});

describe('energy with a Tapo P110 (a local stand-in that speaks KLAP v2)', () => {
  const account = { username: 'owner@example.org', password: 'tapo-Secret-Pw-93' };
  let plug: FakeTapoPlug;
  let s: MonitoredServer;
  before(async () => {
    plug = await startFakeTapoPlug(account);
    s = await startMonitoredServer({
      env: { BALUHOST_HARDWARE__ENERGY: 'real', BALUHOST_ENERGY_PRICE: '0.32' },
    });
  });
  after(async () => {
    await s.t.close();
    await plug.close();
  });

  it('is unconfigured, and disabled in /api/services, until an address and account are stored', async () => {
    const status = await s.api('get', '/api/energy', 200);
    assert.equal(status.backend, 'real');
    assert.equal(status.configured, false);
    assert.equal(status.powerWatts, null);
    const services = await s.api('get', '/api/services?refresh=true', 200);
    assert.equal(services.find((e: ApiBody) => e.name === 'hardware.energy').state, 'disabled');
  });

  it('stores the account sealed, never answers it, and reads the plug through the server', async () => {
    const stored = await s.api('put', '/api/energy/settings', 200, { plugHost: plug.host, ...account });
    assert.deepEqual(stored, {
      plugHost: plug.host,
      hasCredentials: true,
      pricePerKwh: 0.32,
      currency: 'EUR',
    });
    const status = await s.api('get', '/api/energy', 200);
    // The stand-in reports 23 456 mW, 186 Wh today and 7 312 Wh this month.
    assert.equal(status.configured, true);
    assert.equal(status.powerWatts, 23.456);
    assert.equal(status.todayKwh, 0.186);
    assert.equal(status.monthKwh, 7.312);
    assert.equal(status.costToday, round(0.186 * 0.32, 2));
    assert.equal(status.costMonth, round(7.312 * 0.32, 2));
    assert.deepEqual(status.plug, { id: 'nas', name: 'NAS plug', model: 'P110', isOn: true });
    assert.ok(plug.calls.includes('get_energy_usage'));

    // No answer carries the account: not the settings, not the audit trail, not the database inspector.
    const answers: unknown[] = [
      stored,
      status,
      await s.api('get', '/api/energy/settings', 200),
      await s.api('get', '/api/audit?action=energy.', 200),
      await s.api('get', '/api/db/tables/settings/rows', 200),
    ];
    for (const body of answers) {
      assert.ok(!mentions(body, account.password), JSON.stringify(body));
      assert.ok(!mentions(body, account.username), JSON.stringify(body));
    }
    // Nor does the database row hold it in plain text.
    const rows = await s.t.server.db('settings').whereLike('key', 'energy%').select('key', 'value');
    assert.equal(rows.length, 2);
    for (const row of rows as { key: string; value: string }[]) {
      assert.ok(!row.value.includes(account.password), row.key);
      assert.ok(!row.value.includes(account.username), row.key);
    }
    const sealed = rows.find((r: { key: string }) => r.key === 'energy.credentials') as { value: string };
    assert.match(sealed.value, /^v1\./);
  });

  it('samples the plug into the history and keeps it across a restart', async () => {
    plug.currentPowerMw = 31_000;
    await s.t.server.services.telemetry.sample();
    const history = await s.api('get', '/api/energy/history', 200);
    assert.deepEqual(
      (history.points as { value: number }[]).map((p) => p.value),
      [31],
    );
    const t2 = await s.t.restart();
    try {
      const token = await t2.adminToken();
      const again = await t2
        .http()
        .get('/api/energy/history')
        .set(...bearer(token));
      assert.equal(again.status, 200);
      assert.deepEqual(
        (again.body as { points: { value: number }[] }).points.map((p) => p.value),
        [31],
      );
      // The account survived too, sealed: the new process reads the plug with it.
      const status = await t2
        .http()
        .get('/api/energy')
        .set(...bearer(token));
      assert.equal(status.body.powerWatts, 31);
    } finally {
      await t2.stop();
    }
  });
});

describe('energy with a Tapo plug that refuses the account', () => {
  it('answers 503 DRIVER_FAILED and shows the plug degraded in /api/services, with the reason', async () => {
    const plug = await startFakeTapoPlug({ username: 'someone@example.org', password: 'another-password' });
    const s = await startMonitoredServer({ env: { BALUHOST_HARDWARE__ENERGY: 'real' } });
    try {
      await s.api('put', '/api/energy/settings', 200, {
        plugHost: plug.host,
        username: 'owner@example.org',
        password: 'wrong-password',
      });
      const res = await s.t
        .http()
        .get('/api/energy')
        .set(...bearer(s.token));
      assert.equal(res.status, 503);
      assert.equal(res.body.error.code, 'DRIVER_FAILED');
      assert.match(res.body.error.message, /does not know this Tapo account/);
      const probed = await s.api('post', '/api/services/hardware/energy/probe', 200);
      assert.equal(probed.state, 'degraded');
      assert.match(probed.lastError, /does not know this Tapo account/);
    } finally {
      await s.t.close();
      await plug.close();
    }
  });
});

describe('energy on two servers sharing one database', () => {
  it('a server follows the plug settings another one stored', async () => {
    const account = { username: 'owner@example.org', password: 'shared-Secret-7' };
    const plug = await startFakeTapoPlug(account);
    const a = await startMonitoredServer({ env: { BALUHOST_HARDWARE__ENERGY: 'real' } });
    const b = await startMonitoredServer({ share: a });
    try {
      assert.equal((await b.api('get', '/api/energy', 200)).configured, false);
      await a.api('put', '/api/energy/settings', 200, { plugHost: plug.host, ...account });
      const read = await b.api('get', '/api/energy', 200);
      assert.equal(read.configured, true);
      assert.equal(read.powerWatts, 23.456);
      // Port 9 (discard) is closed here: b now asks there, and says it cannot reach the plug.
      await a.api('put', '/api/energy/settings', 200, { plugHost: '127.0.0.1:9' });
      const gone = await b.t
        .http()
        .get('/api/energy')
        .set(...bearer(b.token));
      assert.equal(gone.status, 503, JSON.stringify(gone.body));
      assert.equal(gone.body.error.code, 'DRIVER_UNAVAILABLE');
    } finally {
      await b.t.stop();
      await a.t.close();
      await plug.close();
    }
  });
});
