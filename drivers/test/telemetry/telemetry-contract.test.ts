import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ManualClock } from '../../src/clock.js';
import { SimulatedTelemetryDriver } from '../../src/telemetry/simulated-telemetry-driver.js';
import { SystemTelemetryDriver } from '../../src/telemetry/system-telemetry-driver.js';
import type { TelemetryDriver } from '../../src/telemetry/telemetry-driver.js';
import { rejectsWithCode } from '../helpers/confirm.js';

function telemetryContract(backend: string, make: (clock: ManualClock) => TelemetryDriver): void {
  describe(`TelemetryDriver contract: ${backend}`, () => {
    it('reads CPU load per core as percentages', async () => {
      const load = await make(new ManualClock()).getCpuLoad();
      assert.ok(load.cores.length >= 1);
      for (const v of [load.loadPercent, ...load.cores.map((c) => c.loadPercent)])
        assert.ok(v >= 0 && v <= 100);
    });

    it('reads memory and swap in bytes, used + available = total', async () => {
      const mem = await make(new ManualClock()).getMemory();
      assert.ok(mem.totalBytes > 64 * 1024 * 1024);
      assert.equal(mem.usedBytes + mem.availableBytes, mem.totalBytes);
      assert.ok(mem.swapUsedBytes <= mem.swapTotalBytes);
    });

    it('gives network and disk rates from the second sample on', async () => {
      const clock = new ManualClock();
      const driver = make(clock);
      const first = await driver.getNetwork();
      assert.ok(first.length >= 1);
      assert.ok(first.every((n) => n.rxBytesPerSecond === null && n.rxBytes >= 0));
      const io = await driver.getDiskIo();
      clock.advance(1000);
      const second = await driver.getNetwork();
      assert.ok(second.every((n) => n.rxBytesPerSecond !== null && n.rxBytesPerSecond >= 0));
      if (io !== null) {
        const io2 = await driver.getDiskIo();
        assert.ok(io2 !== null && io2.readBytesPerSecond !== null && io2.readBytesPerSecond >= 0);
      }
    });

    it('lists file systems with a root and sane usage', async () => {
      const fss = await make(new ManualClock()).getFileSystems();
      assert.ok(fss.length >= 1);
      for (const f of fss) {
        assert.ok(f.sizeBytes >= f.usedBytes && f.usedPercent >= 0 && f.usedPercent <= 100);
      }
    });

    it('reports uptime in seconds and the top processes by CPU', async () => {
      const driver = make(new ManualClock());
      assert.ok((await driver.getUptimeSeconds()) >= 0);
      const top = await driver.getTopProcesses(3);
      assert.ok(top.length >= 1 && top.length <= 3);
      for (let i = 1; i < top.length; i += 1)
        assert.ok((top[i - 1]?.cpuPercent ?? 0) >= (top[i]?.cpuPercent ?? 0));
      await rejectsWithCode(driver.getTopProcesses(0), 'VALIDATION_FAILED');
    });
  });
}

telemetryContract('SystemTelemetryDriver on this machine', (clock) => new SystemTelemetryDriver({ clock }));
telemetryContract('SimulatedTelemetryDriver', (clock) => new SimulatedTelemetryDriver({ clock }));

describe('SimulatedTelemetryDriver', () => {
  it('follows the load and the clock', async () => {
    const clock = new ManualClock();
    const t = new SimulatedTelemetryDriver({ clock });
    await t.getNetwork();
    t.setLoad(50);
    clock.advance(10_000);
    const [eth0] = await t.getNetwork();
    assert.equal(eth0?.rxBytesPerSecond, 100_000 + 5_000_000);
    assert.equal((await t.getCpuLoad()).cores[1]?.loadPercent, 56);
    assert.equal(await t.getUptimeSeconds(), 10);
  });
});
