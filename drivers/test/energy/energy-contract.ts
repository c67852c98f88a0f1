import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { EnergyDriver } from '../../src/energy/energy-driver.js';
import { rejectsWithCode } from '../helpers/confirm.js';

/** The behaviour every EnergyDriver shares; `makeDriver` gives a fresh meter set per test. */
export function energyDriverContract(
  backend: string,
  makeDriver: () => Promise<{ driver: EnergyDriver; cleanup: () => Promise<void> }>,
): void {
  describe(`EnergyDriver contract: ${backend}`, () => {
    const withDriver = async (fn: (driver: EnergyDriver) => Promise<void>): Promise<void> => {
      const { driver, cleanup } = await makeDriver();
      try {
        await fn(driver);
      } finally {
        await cleanup();
      }
    };

    it('lists at least one meter with an id, and reads each in watts and watt-hours', async () => {
      await withDriver(async (driver) => {
        const meters = await driver.listMeters();
        assert.ok(meters.length > 0);
        for (const m of meters) {
          const r = await driver.getReading(m.id);
          assert.equal(r.meterId, m.id);
          assert.ok(r.powerWatts > 0 && r.powerWatts < 5000, `${String(r.powerWatts)} W`);
          assert.ok(r.todayEnergyWh === null || r.todayEnergyWh >= 0);
          assert.ok(r.monthEnergyWh === null || r.monthEnergyWh >= (r.todayEnergyWh ?? 0));
          assert.ok(Number.isFinite(r.atMs));
        }
      });
    });

    it('answers NOT_FOUND for a meter it does not have', async () => {
      await withDriver(async (driver) => {
        await rejectsWithCode(driver.getReading('no-such-meter'), 'NOT_FOUND');
      });
    });
  });
}
