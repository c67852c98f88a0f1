import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { SmartDriver, SmartSelfTestType } from '../../src/smart/smart-driver.js';
import { rejectsWithCode } from '../helpers/confirm.js';

/** What the contract needs to know about a backend's world. */
export interface SmartContractWorld {
  readonly driver: SmartDriver;
  /** A drive that passes. */
  readonly healthyDevice: string;
  /** A drive that fails once `makeItFail` ran. */
  readonly failingDevice: string;
  makeItFail(): void | Promise<void>;
}

/** The behaviour every SmartDriver shares. */
export function smartDriverContract(backend: string, makeWorld: () => SmartContractWorld): void {
  describe(`SmartDriver contract: ${backend}`, () => {
    it('lists drives by their /dev path', async () => {
      const { driver, healthyDevice } = makeWorld();
      const devices = await driver.listDevices();
      assert.ok(devices.length > 0);
      for (const d of devices) assert.match(d.device, /^\/dev\//);
      assert.ok(devices.some((d) => d.device === healthyDevice));
    });

    it('reports a healthy drive in base units', async () => {
      const { driver, healthyDevice } = makeWorld();
      const r = await driver.getReport(healthyDevice);
      assert.equal(r.device, healthyDevice);
      assert.equal(r.health, 'PASSED');
      assert.ok(r.model !== null && r.model.length > 0);
      assert.ok((r.capacityBytes ?? 0) > 1e9);
      assert.ok(
        typeof r.temperatureCelsius === 'number' && r.temperatureCelsius > 0 && r.temperatureCelsius < 100,
      );
      assert.ok((r.powerOnSeconds ?? 0) > 3600);
      assert.ok(r.attributes.some((a) => a.id === 5 && a.raw === 0));
      assert.deepEqual(r.warnings, []);
    });

    it('reports a failing drive as FAILED with reallocated and pending sectors', async () => {
      const world = makeWorld();
      await world.makeItFail();
      const r = await world.driver.getReport(world.failingDevice);
      assert.equal(r.health, 'FAILED');
      assert.ok((r.attributes.find((a) => a.id === 5)?.raw ?? 0) > 0);
      assert.ok((r.attributes.find((a) => a.id === 197)?.raw ?? 0) > 0);
      assert.ok(r.attributes.find((a) => a.id === 5)?.isFailingNow);
      assert.ok(r.warnings.length >= 3);
    });

    it('starts a self-test and reports it running', async () => {
      const { driver, healthyDevice } = makeWorld();
      await driver.startSelfTest(healthyDevice, 'short');
      const status = await driver.getSelfTestStatus(healthyDevice);
      assert.equal(status.isRunning, true);
      assert.ok(status.remainingPercent !== null && status.remainingPercent > 0);
    });

    it('refuses device arguments that are not /dev paths, and unknown test types', async () => {
      const { driver, healthyDevice } = makeWorld();
      await rejectsWithCode(driver.getReport('-a'), 'VALIDATION_FAILED');
      await rejectsWithCode(driver.getReport('/dev/../etc/passwd'), 'VALIDATION_FAILED');
      await rejectsWithCode(
        driver.startSelfTest(healthyDevice, 'offline' as SmartSelfTestType),
        'VALIDATION_FAILED',
      );
    });
  });
}
