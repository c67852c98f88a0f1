import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { HwmonFanDriver } from '../../src/fans/hwmon-fan-driver.js';
import { rejectsWithCode } from '../helpers/confirm.js';
import { makeFakeTree, materialiseSysfsListing } from '../helpers/fake-sysfs.js';
import { readFixture } from '../helpers/fixtures.js';
import { makeHwmonWorld, NCT_DIR } from './fan-world.js';

describe('HwmonFanDriver on the captured hwmon tree', () => {
  it('lists fans of the nct6779 and of applesmc (attributes on device/)', async () => {
    const { sys, driver } = await makeHwmonWorld();
    try {
      const fans = await driver.listFans();
      assert.deepEqual(
        fans.map((f) => [f.id, f.chip, f.label, f.rpm, f.pwm, f.mode, f.isControllable]),
        [
          ['hwmon2/fan1', 'applesmc', 'Left side', 0, null, 'unknown', false],
          ['hwmon2/fan2', 'applesmc', 'Right side', 1998, null, 'unknown', false],
          ['hwmon3/fan1', 'nct6779', 'nct6779 fan1', null, 153, 'auto', true],
          ['hwmon3/fan2', 'nct6779', 'nct6779 fan2', 1098, null, 'unknown', false],
        ],
      );
      assert.equal(fans[2]?.pwmPercent, 60);
    } finally {
      await sys.cleanup();
    }
  });

  it('reads temperatures in °C, with labels, skipping chips without temp inputs', async () => {
    const { sys, driver } = await makeHwmonWorld();
    try {
      const sensors = await driver.listSensors();
      assert.deepEqual(sensors[0], {
        id: 'hwmon0/temp1',
        chip: 'coretemp',
        label: 'Physical id 0',
        celsius: 55,
      });
      assert.deepEqual(
        sensors.find((s) => s.id === 'hwmon4/temp2'),
        {
          id: 'hwmon4/temp2',
          chip: 'hwmon4',
          label: 'foosensor',
          celsius: 54,
        },
      );
      assert.equal(sensors.find((s) => s.id === 'hwmon10/temp1')?.label, 'mt7996_phy0_2 temp1');
      assert.equal(sensors.filter((s) => s.chip === 'bogus').length, 0);
      assert.equal(await driver.readSensor('hwmon0/temp5'), 50);
      await rejectsWithCode(driver.readSensor('hwmon0/temp9'), 'NOT_FOUND');
      await rejectsWithCode(driver.readSensor('hwmon77/temp1'), 'NOT_FOUND');
      await rejectsWithCode(driver.readSensor('../../etc'), 'VALIDATION_FAILED');
    } finally {
      await sys.cleanup();
    }
  });

  it('writes "1" to pwm1_enable then the duty to pwm1, and restores the SmartFan mode (5) on auto', async () => {
    const { sys, driver } = await makeHwmonWorld();
    try {
      await driver.setPwm('hwmon3/fan1', 200);
      assert.equal(await sys.read(`${NCT_DIR}/pwm1_enable`), '1');
      assert.equal(await sys.read(`${NCT_DIR}/pwm1`), '200');
      await driver.setPwm('hwmon3/fan1', 90);
      assert.equal(await sys.read(`${NCT_DIR}/pwm1`), '90');
      await driver.setMode('hwmon3/fan1', 'auto');
      assert.equal(await sys.read(`${NCT_DIR}/pwm1_enable`), '5');
      await rejectsWithCode(driver.setPwm('hwmon3/fan1', 256), 'VALIDATION_FAILED');
      await rejectsWithCode(driver.setPwm('hwmon3/fan2', 100), 'VALIDATION_FAILED');
      await rejectsWithCode(driver.setPwm('hwmon3/fan7', 100), 'NOT_FOUND');
    } finally {
      await sys.cleanup();
    }
  });

  it('reads the NVMe drive temperature (Composite) from its hwmon', async () => {
    const sys = await makeFakeTree();
    try {
      await materialiseSysfsListing(sys, readFixture('sysfs-hwmon-nvme.txt'));
      // The capture has the chip directory but not the class/hwmon link udev-less trees lack.
      await sys.link(
        'class/hwmon/hwmon3',
        '../../devices/pci0000:00/0000:00:02.1/0000:01:00.0/nvme/nvme0/hwmon3',
      );
      const sensors = await new HwmonFanDriver({ sysfsRoot: sys.root }).listSensors();
      assert.deepEqual(
        sensors.map((s) => [s.id, s.chip, s.label, s.celsius]),
        [
          ['hwmon3/temp1', 'nvme', 'Composite', 43.85],
          ['hwmon3/temp2', 'nvme', 'Sensor 1', 43.85],
          ['hwmon3/temp3', 'nvme', 'Sensor 2', 45.85],
          ['hwmon3/temp9', 'nvme', 'Sensor 8', 43.85],
        ],
      );
    } finally {
      await sys.cleanup();
    }
  });
});
