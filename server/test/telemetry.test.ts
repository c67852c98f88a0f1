import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedTelemetryDriver } from '@baluhost/drivers';
import { TestClock, startMonitoredServer, type ApiBody, type MonitoredServer } from './monitoring-support.js';

const MINUTE = 60_000;

describe('telemetry history', () => {
  let s: MonitoredServer;
  let t0 = 0;
  before(async () => {
    const clock = new TestClock();
    // Start on an hour boundary, so that the counts of whole minutes and hours are exact.
    clock.nowMs = Math.ceil(clock.nowMs / (60 * MINUTE)) * 60 * MINUTE;
    t0 = clock.nowMs;
    const driver = new SimulatedTelemetryDriver({ clock: { now: clock.now } });
    s = await startMonitoredServer({
      env: { BALUHOST_TELEMETRY_INTERVAL: '10' },
      clock,
      startOptions: { monitoring: { telemetryDriver: driver } },
    });
    // Five minutes of samples, every 10 s, through the sampler with the injected clock.
    for (let i = 0; i < 30; i++) {
      await s.t.server.services.telemetry.sample();
      s.clock.advance(10_000);
    }
  });
  after(async () => {
    await s.t.close();
  });

  it('answers the last hour with every raw sample', async () => {
    const body = await s.api('get', '/api/telemetry/history?metric=cpu.percent&range=1h', 200);
    assert.equal(body.resolution, 'raw');
    assert.equal(body.points.length, 30);
    assert.equal(Date.parse(body.points[0].at), t0);
    assert.equal(Date.parse(body.points[29].at), t0 + 290_000);
    for (const p of body.points) assert.equal(p.value, 11);
    const memory = await s.api('get', '/api/telemetry/history?metric=memory.used_bytes', 200);
    assert.equal(memory.points.length, 30);
    // Rates need two samples: the first has none.
    const rx = await s.api('get', '/api/telemetry/history?metric=network.rx_bytes_per_second&range=1h', 200);
    assert.equal(rx.points.length, 29);
  });

  it('answers 24 hours with minute averages of the minutes that have ended', async () => {
    const body = await s.api('get', '/api/telemetry/history?metric=cpu.percent&range=24h', 200);
    assert.equal(body.resolution, 'minute');
    assert.deepEqual(
      body.points.map((p: ApiBody) => Date.parse(p.at) - t0),
      [0, MINUTE, 2 * MINUTE, 3 * MINUTE],
    );
    for (const p of body.points) assert.equal(p.value, 11);
  });

  it('downsamples and drops old raw samples in telemetry_retention', async () => {
    s.clock.advance(2 * 86_400_000);
    const { executionId } = await s.api('post', '/api/scheduler/jobs/telemetry_retention/run', 202);
    await s.t.server.services.scheduler.settled();
    const run = await s.api('get', `/api/scheduler/executions/${executionId}`, 200);
    assert.equal(run.status, 'succeeded', run.error);
    assert.ok(run.summary.rawRemoved >= 30 * 4, JSON.stringify(run.summary));
    const week = await s.api('get', '/api/telemetry/history?metric=cpu.percent&range=7d', 200);
    assert.equal(week.resolution, 'hour');
    assert.equal(week.points.length, 1);
    assert.equal(week.points[0].value, 11);
    const hour = await s.api('get', '/api/telemetry/history?metric=cpu.percent&range=1h', 200);
    assert.deepEqual(hour.points, []);
  });

  it('refuses an unknown metric or range', async () => {
    const bad = await s.api('get', '/api/telemetry/history?metric=cpu.bogus', 400);
    assert.match(bad.error.message, /metric/);
    await s.api('get', '/api/telemetry/history?metric=cpu.percent&range=2h', 400);
  });
});
