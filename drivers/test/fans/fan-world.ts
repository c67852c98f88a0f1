import { HwmonFanDriver } from '../../src/fans/hwmon-fan-driver.js';
import { makeFakeTree, materialiseSysfsListing, type FakeTree } from '../helpers/fake-sysfs.js';
import { readFixture } from '../helpers/fixtures.js';

export const NCT_DIR = 'devices/platform/nct6775.656/hwmon/hwmon3';

/**
 * node_exporter's captured hwmon tree. The capture has pwm1_enable (= 5, SmartFan IV) but not the
 * pwm1 duty file itself (fixtures/PROVENANCE.md, Gaps); the nct6775 driver always exposes pwmN next
 * to pwmN_enable, so the world adds `pwm1` with the capture's first auto-point duty (153).
 */
export async function makeHwmonWorld(): Promise<{ sys: FakeTree; driver: HwmonFanDriver }> {
  const sys = await makeFakeTree('baluhost-hwmon-');
  await materialiseSysfsListing(sys, readFixture('sysfs-hwmon-tree.txt'));
  await sys.write({ [`${NCT_DIR}/pwm1`]: '153\n' });
  return { sys, driver: new HwmonFanDriver({ sysfsRoot: sys.root }) };
}
