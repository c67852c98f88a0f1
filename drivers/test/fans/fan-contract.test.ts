import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { ManualClock } from '../../src/clock.js';
import { SimulatedFanDriver } from '../../src/fans/simulated-fan-driver.js';
import { fanDriverContract } from './fan-contract.js';
import { makeHwmonWorld } from './fan-world.js';

fanDriverContract('HwmonFanDriver on the captured hwmon tree', async () => {
  const { sys, driver } = await makeHwmonWorld();
  return {
    driver,
    fanId: 'hwmon3/fan1',
    sensorId: 'hwmon0/temp1',
    breakSensor: () => rm(join(sys.root, 'devices/platform/coretemp.0/hwmon/hwmon0/temp1_input')),
    cleanup: () => sys.cleanup(),
  };
});

fanDriverContract('SimulatedFanDriver', () => {
  const driver = new SimulatedFanDriver({ clock: new ManualClock() });
  return Promise.resolve({
    driver,
    fanId: 'hwmon0/fan1',
    sensorId: 'hwmon0/temp1',
    breakSensor: () => {
      driver.setSensorFailure('hwmon0/temp1', true);
      return Promise.resolve();
    },
    cleanup: () => Promise.resolve(),
  });
});
