import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { ManualClock } from '../../src/clock.js';
import { SimulatedEnergyDriver } from '../../src/energy/simulated-energy-driver.js';
import { SimulatedTelemetryDriver } from '../../src/telemetry/simulated-telemetry-driver.js';
import { rejectsWithCode } from '../helpers/confirm.js';

describe('SimulatedEnergyDriver', () => {
  it('draws more as the simulated load rises, and integrates the draw into watt-hours', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 28));
    const telemetry = new SimulatedTelemetryDriver({ clock });
    const driver = new SimulatedEnergyDriver({
      clock,
      loadPercent: async () => (await telemetry.getCpuLoad()).loadPercent,
    });
    telemetry.setLoad(5);
    const idle = await driver.getReading('nas');
    telemetry.setLoad(95);
    clock.advance(3_600_000);
    const busy = await driver.getReading('nas');
    assert.ok(
      busy.powerWatts > idle.powerWatts + 30,
      `${String(idle.powerWatts)} W -> ${String(busy.powerWatts)} W`,
    );
    // One hour between the two readings: the mean of the two draws, in watt-hours.
    assert.ok(Math.abs((busy.todayEnergyWh ?? 0) - (idle.powerWatts + busy.powerWatts) / 2) < 0.01);
    assert.equal(busy.monthEnergyWh, busy.todayEnergyWh);
  });

  it('starts a new day at UTC midnight and is the same on every run', async () => {
    const run = async () => {
      const clock = new ManualClock(Date.UTC(2026, 10, 28, 23));
      const driver = new SimulatedEnergyDriver({ clock });
      const out = [];
      for (let i = 0; i < 4; i++) {
        out.push(await driver.getReading('nas'));
        clock.advance(30 * 60_000);
      }
      return out;
    };
    const [a, b] = [await run(), await run()];
    assert.deepEqual(a, b);
    assert.ok((a[3]?.todayEnergyWh ?? 1) < (a[2]?.todayEnergyWh ?? 0) + 20);
    assert.ok((a[3]?.monthEnergyWh ?? 0) > (a[3]?.todayEnergyWh ?? 0));
  });

  it('drops off the network on demand', async () => {
    const driver = new SimulatedEnergyDriver({ clock: new ManualClock() });
    driver.setReachable(false);
    await rejectsWithCode(driver.getReading('nas'), 'DRIVER_UNAVAILABLE');
    await rejectsWithCode(driver.listMeters(), 'DRIVER_UNAVAILABLE');
    driver.setReachable(true);
    assert.equal((await driver.listMeters()).length, 1);
  });

  it('keeps its counters across a restart with a state file, without counting a long gap', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'energy-sim-'));
    try {
      const stateFile = path.join(dir, 'energy-simulation.json');
      const clock = new ManualClock(Date.UTC(2026, 10, 28));
      const first = new SimulatedEnergyDriver({ clock, stateFile, loadPercent: () => 50 });
      await first.getReading('nas');
      clock.advance(3_600_000);
      const hourLater = await first.getReading('nas');
      assert.ok((hourLater.todayEnergyWh ?? 0) > 40, JSON.stringify(hourLater));

      // A restart five minutes later goes on counting from the persisted reading.
      clock.advance(5 * 60_000);
      const second = new SimulatedEnergyDriver({ clock, stateFile, loadPercent: () => 50 });
      const resumed = await second.getReading('nas');
      const fiveMinutesWh = (((hourLater.powerWatts + resumed.powerWatts) / 2) * 5) / 60;
      assert.ok(
        Math.abs((resumed.todayEnergyWh ?? 0) - (hourLater.todayEnergyWh ?? 0) - fiveMinutesWh) < 0.01,
        `${String(resumed.todayEnergyWh)} after ${String(hourLater.todayEnergyWh)}`,
      );

      // A restart two hours later keeps the counters but does not guess what was drawn meanwhile.
      clock.advance(2 * 3_600_000);
      const third = new SimulatedEnergyDriver({ clock, stateFile, loadPercent: () => 50 });
      const afterGap = await third.getReading('nas');
      assert.equal(afterGap.todayEnergyWh, resumed.todayEnergyWh);
      assert.equal(afterGap.monthEnergyWh, resumed.monthEnergyWh);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a state file that is not its own', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'energy-sim-'));
    try {
      const stateFile = path.join(dir, 'energy-simulation.json');
      await writeFile(stateFile, '{"arrays": []}');
      const driver = new SimulatedEnergyDriver({ clock: new ManualClock(), stateFile });
      await rejectsWithCode(driver.getReading('nas'), 'DRIVER_FAILED');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
