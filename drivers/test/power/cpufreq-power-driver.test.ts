import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CpufreqPowerDriver } from '../../src/power/cpufreq-power-driver.js';
import { rejectsWithCode } from '../helpers/confirm.js';
import { makeFakeTree, materialiseSysfsListing, type FakeTree } from '../helpers/fake-sysfs.js';
import { readFixture } from '../helpers/fixtures.js';

async function withTree(fn: (sys: FakeTree) => Promise<void>, listing?: string): Promise<void> {
  const sys = await makeFakeTree();
  try {
    if (listing !== undefined) await materialiseSysfsListing(sys, readFixture(listing));
    await fn(sys);
  } finally {
    await sys.cleanup();
  }
}

const CPU = 'devices/system/cpu';

/**
 * No permissively licensed capture of amd-pstate-epp exists (see fixtures/PROVENANCE.md, Gaps), so
 * this tree is built from the files the kernel's amd-pstate documentation lists, with a Ryzen's range.
 */
async function writeAmdPstateEppTree(sys: FakeTree, cpus = 2): Promise<void> {
  for (let cpu = 0; cpu < cpus; cpu += 1) {
    const dir = `${CPU}/cpufreq/policy${cpu}`;
    await sys.write({
      [`${dir}/scaling_driver`]: 'amd-pstate-epp\n',
      [`${dir}/scaling_governor`]: 'powersave\n',
      [`${dir}/scaling_available_governors`]: 'performance powersave\n',
      [`${dir}/energy_performance_preference`]: 'balance_performance\n',
      [`${dir}/energy_performance_available_preferences`]:
        'default performance balance_performance balance_power power \n',
      [`${dir}/cpuinfo_min_freq`]: '400000\n',
      [`${dir}/cpuinfo_max_freq`]: '4672000\n',
      [`${dir}/scaling_min_freq`]: '400000\n',
      [`${dir}/scaling_max_freq`]: '4672000\n',
      [`${dir}/scaling_cur_freq`]: '1397000\n',
    });
    await sys.link(`${CPU}/cpu${cpu}/cpufreq`, `../cpufreq/policy${cpu}`);
  }
}

describe('CpufreqPowerDriver', () => {
  it('reads the captured intel_pstate tree: kHz become Hz', async () => {
    await withTree(async (sys) => {
      const status = await new CpufreqPowerDriver({ sysfsRoot: sys.root }).getStatus();
      assert.equal(status.scalingDriver, 'intel_pstate');
      assert.equal(status.governor, 'powersave');
      assert.deepEqual(status.availableGovernors, ['performance', 'powersave']);
      assert.deepEqual(status.availableEnergyPerformancePreferences, []);
      assert.equal(status.energyPerformancePreference, null);
      assert.deepEqual(status.cpus[0], {
        cpu: 0,
        governor: 'powersave',
        energyPerformancePreference: null,
        currentHz: 1_699_981_000,
        minHz: 800_000_000,
        maxHz: 3_700_000_000,
        hardwareMinHz: null,
        hardwareMaxHz: null,
      });
      assert.equal(status.cpus[2]?.currentHz, 8_000_000);
      assert.equal(status.hardwareMaxHz, null);
    }, 'sysfs-cpufreq-intel-pstate-4cpu.txt');
  });

  it('follows the cpu0/cpufreq -> policy0 symlink and falls back to cpuinfo_cur_freq', async () => {
    await withTree(async (sys) => {
      const status = await new CpufreqPowerDriver({ sysfsRoot: sys.root }).getStatus();
      assert.deepEqual(
        status.cpus.map((c) => [c.cpu, c.currentHz, c.hardwareMinHz, c.hardwareMaxHz]),
        [
          [0, 1_219_917_000, 800_000_000, 2_400_000_000],
          [1, 1_200_195_000, 1_200_000_000, 3_300_000_000],
        ],
      );
      assert.equal(status.hardwareMinHz, 800_000_000);
      assert.equal(status.hardwareMaxHz, 3_300_000_000);
    }, 'sysfs-cpufreq-intel-pstate-policy.txt');
  });

  it('writes the governor, bare, to every CPU', async () => {
    await withTree(async (sys) => {
      await new CpufreqPowerDriver({ sysfsRoot: sys.root }).setGovernor('performance');
      for (const cpu of [0, 1, 2, 3]) {
        assert.equal(await sys.read(`${CPU}/cpu${cpu}/cpufreq/scaling_governor`), 'performance');
      }
    }, 'sysfs-cpufreq-intel-pstate-4cpu.txt');
  });

  it('applies powersave on amd-pstate-epp: governor, then EPP "power", then limits in kHz', async () => {
    await withTree(async (sys) => {
      await writeAmdPstateEppTree(sys);
      const driver = new CpufreqPowerDriver({ sysfsRoot: sys.root });
      const status = await driver.applyProfile('powersave');
      for (const cpu of [0, 1]) {
        const dir = `${CPU}/cpufreq/policy${cpu}`;
        assert.equal(await sys.read(`${dir}/scaling_governor`), 'powersave');
        assert.equal(await sys.read(`${dir}/energy_performance_preference`), 'power');
        assert.equal(await sys.read(`${dir}/scaling_min_freq`), '400000');
        // 400 MHz + 60 % of (4672 - 400) MHz = 2963.2 MHz
        assert.equal(await sys.read(`${dir}/scaling_max_freq`), '2963200');
      }
      assert.equal(status.activeProfile, 'powersave');
      const performance = await driver.applyProfile('performance');
      assert.equal(await sys.read(`${CPU}/cpufreq/policy0/energy_performance_preference`), 'performance');
      assert.equal(await sys.read(`${CPU}/cpufreq/policy0/scaling_max_freq`), '4672000');
      assert.equal(performance.activeProfile, 'performance');
      await rejectsWithCode(driver.setEnergyPerformancePreference('power'), 'VALIDATION_FAILED');
      await rejectsWithCode(driver.setEnergyPerformancePreference('turbo'), 'VALIDATION_FAILED');
    });
  });

  it('raises max before min when the new min is above the old max', async () => {
    await withTree(async (sys) => {
      await writeAmdPstateEppTree(sys, 1);
      await sys.write({ [`${CPU}/cpufreq/policy0/scaling_max_freq`]: '1000000\n' });
      await new CpufreqPowerDriver({ sysfsRoot: sys.root }).setFrequencyLimits({ minHz: 2e9, maxHz: 3e9 });
      assert.equal(await sys.read(`${CPU}/cpufreq/policy0/scaling_min_freq`), '2000000');
      assert.equal(await sys.read(`${CPU}/cpufreq/policy0/scaling_max_freq`), '3000000');
    });
  });

  it('refuses EPP on a driver without it', async () => {
    await withTree(async (sys) => {
      const error = await rejectsWithCode(
        new CpufreqPowerDriver({ sysfsRoot: sys.root }).setEnergyPerformancePreference('power'),
        'VALIDATION_FAILED',
      );
      assert.match(error.message, /intel_pstate driver offers no energy-performance preference/);
    }, 'sysfs-cpufreq-intel-pstate-4cpu.txt');
  });

  it('says where it looked when the kernel has no cpufreq', async () => {
    await withTree(async (sys) => {
      const error = await rejectsWithCode(
        new CpufreqPowerDriver({ sysfsRoot: sys.root }).getStatus(),
        'DRIVER_UNAVAILABLE',
      );
      assert.match(error.message, /cpufreq/);
    });
  });
});
