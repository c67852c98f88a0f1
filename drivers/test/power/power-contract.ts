import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { PowerDriver, PowerProfileName } from '../../src/power/power-driver.js';
import { rejectsWithCode } from '../helpers/confirm.js';

/** The behaviour every PowerDriver shares; `makeDriver` gives a fresh machine per test. */
export function powerDriverContract(
  backend: string,
  makeDriver: () => Promise<{ driver: PowerDriver; cleanup: () => Promise<void> }>,
): void {
  describe(`PowerDriver contract: ${backend}`, () => {
    const withDriver = async (fn: (driver: PowerDriver) => Promise<void>): Promise<void> => {
      const { driver, cleanup } = await makeDriver();
      try {
        await fn(driver);
      } finally {
        await cleanup();
      }
    };

    it('reads every CPU in hertz with a governor it offers', async () => {
      await withDriver(async (driver) => {
        const status = await driver.getStatus();
        assert.ok(status.cpus.length > 0);
        assert.ok(status.governor !== null && status.availableGovernors.includes(status.governor));
        for (const cpu of status.cpus) {
          assert.ok((cpu.currentHz ?? 0) >= 1e8, `cpu${cpu.cpu} runs at ${cpu.currentHz} Hz`);
          assert.ok((cpu.minHz ?? 0) <= (cpu.maxHz ?? 0));
        }
        assert.ok(status.hardwareMinHz !== null && status.hardwareMaxHz !== null);
      });
    });

    it('applies each profile and recognises it afterwards', async () => {
      await withDriver(async (driver) => {
        const profiles = await driver.listProfiles();
        assert.deepEqual(
          profiles.map((p) => p.name),
          ['powersave', 'balanced', 'performance'],
        );
        for (const name of ['performance', 'powersave', 'balanced'] as PowerProfileName[]) {
          const status = await driver.applyProfile(name);
          assert.equal(status.activeProfile, name);
          assert.equal(status.governor, profiles.find((p) => p.name === name)?.governor);
        }
        const powersave = await driver.applyProfile('powersave');
        assert.ok(powersave.cpus.every((c) => (c.maxHz ?? Infinity) < (c.hardwareMaxHz ?? 0)));
      });
    });

    it('sets limits within the hardware range and refuses others', async () => {
      await withDriver(async (driver) => {
        const { hardwareMinHz, hardwareMaxHz } = await driver.getStatus();
        const lo = hardwareMinHz ?? 0;
        const hi = hardwareMaxHz ?? 0;
        await driver.setFrequencyLimits({ minHz: lo, maxHz: lo + 200_000_000 });
        const status = await driver.getStatus();
        assert.ok(status.cpus.some((c) => c.maxHz === lo + 200_000_000));
        await rejectsWithCode(driver.setFrequencyLimits({ minHz: lo, maxHz: hi + 1e9 }), 'VALIDATION_FAILED');
        await rejectsWithCode(driver.setFrequencyLimits({ minHz: hi, maxHz: lo }), 'VALIDATION_FAILED');
      });
    });

    it('refuses unknown governors and profiles', async () => {
      await withDriver(async (driver) => {
        await rejectsWithCode(driver.setGovernor('turbo'), 'VALIDATION_FAILED');
        await rejectsWithCode(driver.applyProfile('silent' as PowerProfileName), 'NOT_FOUND');
      });
    });
  });
}
