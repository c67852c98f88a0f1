import { ManualClock } from '../../src/clock.js';
import { SimulatedSmartDriver } from '../../src/smart/simulated-smart-driver.js';
import { smartDriverContract } from './smart-contract.js';
import { makeSmartctlWorld } from './smartctl-world.js';

smartDriverContract('SmartctlSmartDriver on captured smartctl --json output', () => ({
  driver: makeSmartctlWorld().driver,
  healthyDevice: '/dev/sdb',
  failingDevice: '/dev/sdc',
  makeItFail: () => undefined, // the capture of /dev/sdc is a failing disk already
}));

smartDriverContract('SimulatedSmartDriver', () => {
  const driver = new SimulatedSmartDriver({ clock: new ManualClock() });
  return {
    driver,
    healthyDevice: '/dev/sda',
    failingDevice: '/dev/sdb',
    makeItFail: () => {
      return driver.setFailing('/dev/sdb', true);
    },
  };
});
