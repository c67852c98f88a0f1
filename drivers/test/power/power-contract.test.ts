import { CpufreqPowerDriver } from '../../src/power/cpufreq-power-driver.js';
import { SimulatedPowerDriver } from '../../src/power/simulated-power-driver.js';
import { makeFakeTree, materialiseSysfsListing } from '../helpers/fake-sysfs.js';
import { readFixture } from '../helpers/fixtures.js';
import { powerDriverContract } from './power-contract.js';

powerDriverContract('CpufreqPowerDriver on the captured intel_pstate policy tree', async () => {
  const sys = await makeFakeTree();
  await materialiseSysfsListing(sys, readFixture('sysfs-cpufreq-intel-pstate-policy.txt'));
  return { driver: new CpufreqPowerDriver({ sysfsRoot: sys.root }), cleanup: () => sys.cleanup() };
});

powerDriverContract('SimulatedPowerDriver', () =>
  Promise.resolve({ driver: new SimulatedPowerDriver(), cleanup: () => Promise.resolve() }),
);
