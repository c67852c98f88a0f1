import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import {
  createDrivers,
  DRIVER_ERROR_CODES,
  ManualClock,
  MdadmRaidDriver,
  SimulatedFanDriver,
  SimulatedPowerDriver,
  SimulatedRaidDriver,
  SimulatedSmartDriver,
  SimulatedTelemetryDriver,
  SmartctlSmartDriver,
  SystemTelemetryDriver,
  type DriverMode,
} from '../src/index.js';
import { isDriverError } from '../src/errors.js';

describe('createDrivers', () => {
  it('builds simulated backends, keeping telemetry real unless asked for the deterministic one', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'baluhost-drivers-'));
    try {
      const drivers = createDrivers({ mode: 'simulated', stateDir, clock: new ManualClock() });
      assert.ok(drivers.raid instanceof SimulatedRaidDriver);
      assert.ok(drivers.smart instanceof SimulatedSmartDriver);
      assert.ok(drivers.power instanceof SimulatedPowerDriver);
      assert.ok(drivers.fans instanceof SimulatedFanDriver);
      assert.ok(drivers.telemetry instanceof SystemTelemetryDriver);
      assert.equal((await drivers.raid.getArray('md0')).state, 'clean');
      const deterministic = createDrivers({ mode: 'simulated', stateDir, isTelemetryDeterministic: true });
      assert.ok(deterministic.telemetry instanceof SimulatedTelemetryDriver);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('applies per-family overrides and reports the modes', () => {
    const drivers = createDrivers({ mode: 'real', familyModes: { fans: 'simulated' } });
    assert.ok(drivers.raid instanceof MdadmRaidDriver);
    assert.ok(drivers.smart instanceof SmartctlSmartDriver);
    assert.ok(drivers.fans instanceof SimulatedFanDriver);
    assert.deepEqual(drivers.modes, {
      raid: 'real',
      smart: 'real',
      power: 'real',
      fans: 'simulated',
      telemetry: 'real',
    });
  });

  it('refuses unknown modes and families, and a simulated RAID without a stateDir', () => {
    const bad = [
      () => createDrivers({ mode: 'fake' as DriverMode }),
      () => createDrivers({ mode: 'real', familyModes: { gpu: 'real' } as never }),
      () => createDrivers({ mode: 'simulated' }),
    ];
    for (const fn of bad) assert.throws(fn, (e: unknown) => isDriverError(e, 'VALIDATION_FAILED'));
  });

  it('exports the catalogue of error codes', () => {
    assert.deepEqual(DRIVER_ERROR_CODES, [
      'DRIVER_UNAVAILABLE',
      'DRIVER_TIMEOUT',
      'DRIVER_FAILED',
      'CONFIRMATION_REQUIRED',
      'VALIDATION_FAILED',
      'NOT_FOUND',
      'FORBIDDEN',
    ]);
  });
});
