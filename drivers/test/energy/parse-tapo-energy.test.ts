import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  parseTapoDeviceInfo,
  parseTapoEnergyUsage,
  unwrapTapoResponse,
} from '../../src/energy/parse-tapo-energy.js';
import { isDriverError } from '../../src/errors.js';
import { readFixture } from '../helpers/fixtures.js';

describe('Tapo P110 answers', () => {
  it('reads get_energy_usage: milliwatts to watts, watt-hours as they are', () => {
    const body = JSON.parse(readFixture('tapo-p110-get-energy-usage.json')) as unknown;
    assert.deepEqual(parseTapoEnergyUsage(unwrapTapoResponse(body, 'get_energy_usage')), {
      powerWatts: 31.279,
      todayEnergyWh: 412,
      monthEnergyWh: 18_904,
    });
  });

  it('reads get_device_info: the base64 nickname, the model and the relay', () => {
    const body = JSON.parse(readFixture('tapo-p110-get-device-info.json')) as unknown;
    assert.deepEqual(parseTapoDeviceInfo(unwrapTapoResponse(body, 'get_device_info')), {
      name: 'NAS',
      model: 'P110',
      isOn: true,
    });
  });

  it('turns a non-zero error_code and missing fields into DRIVER_FAILED', () => {
    assert.throws(
      () => unwrapTapoResponse({ error_code: -1501 }, 'get_energy_usage'),
      (err: unknown) => isDriverError(err, 'DRIVER_FAILED') && /-1501/.test(err.message),
    );
    assert.throws(
      () => parseTapoEnergyUsage({ today_energy: 1 }),
      (err: unknown) => isDriverError(err, 'DRIVER_FAILED') && /current_power/.test(err.message),
    );
  });
});
