import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ConfirmationGate } from '../../src/confirmation.js';
import { ManualClock } from '../../src/clock.js';
import { DriverUnavailableError } from '../../src/errors.js';
import { MdadmRaidDriver } from '../../src/raid/mdadm-raid-driver.js';
import { confirmed, rejectsWithCode } from '../helpers/confirm.js';
import { FakeCommandRunner } from '../helpers/fake-command-runner.js';
import { makeFakeTree } from '../helpers/fake-sysfs.js';
import { readFixture } from '../helpers/fixtures.js';
import { makeMdadmWorld, type MdadmWorld } from './mdadm-world.js';

async function inWorld(
  fn: (w: MdadmWorld) => Promise<void>,
  options?: Parameters<typeof makeMdadmWorld>[0],
): Promise<void> {
  const world = await makeMdadmWorld(options);
  try {
    await fn(world);
  } finally {
    await world.cleanup();
  }
}

describe('MdadmRaidDriver', () => {
  it('reads mdstat from procRoot and runs mdadm --detail per array with a timeout', async () => {
    await inWorld(async (w) => {
      const arrays = await w.driver.listArrays();
      assert.deepEqual(
        arrays.map((a) => [a.name, a.level, a.state, a.sizeBytes]),
        [['md1', 'raid1', 'clean', 101376 * 1024]],
      );
      assert.deepEqual(w.mdadm.calls, [['--detail', '/dev/md1']]);
      assert.deepEqual(w.mdadm.timeouts, [5000]);
    });
  });

  it('builds the mdadm argument vectors of fail, remove, add-spare and delete', async () => {
    await inWorld(async (w) => {
      await confirmed((confirmToken) => w.driver.failMember('md1', 'vda2', { confirmToken }));
      await confirmed((confirmToken) => w.driver.removeMember('md1', '/dev/vda2', { confirmToken }));
      await confirmed((confirmToken) => w.driver.addSpare('md1', 'vda4', { confirmToken }));
      await confirmed((confirmToken) => w.driver.deleteArray('/dev/md1', { confirmToken }));
      assert.deepEqual(w.mdadm.actions(), [
        ['--manage', '/dev/md1', '--fail', '/dev/vda2'],
        ['--manage', '/dev/md1', '--remove', '/dev/vda2'],
        ['--manage', '/dev/md1', '--add-spare', '/dev/vda4'],
        ['--stop', '/dev/md1'],
        ['--zero-superblock', '/dev/vda1', '/dev/vda4', '/dev/vda2'],
      ]);
    });
  });

  it('fails an active member before removing it, in one mdadm call', async () => {
    await inWorld(async (w) => {
      await confirmed((confirmToken) => w.driver.removeMember('md1', 'vda1', { confirmToken }));
      assert.deepEqual(w.mdadm.actions(), [
        ['--manage', '/dev/md1', '--fail', '/dev/vda1', '--remove', '/dev/vda1'],
      ]);
    });
  });

  it('grows a clean array when a member is added, and creates arrays with --run', async () => {
    await inWorld(async (w) => {
      await confirmed((confirmToken) => w.driver.addMember('md1', 'vda4', { confirmToken }));
      assert.deepEqual(w.mdadm.actions(), [
        ['--manage', '/dev/md1', '--add', '/dev/vda4'],
        ['--grow', '/dev/md1', '--raid-devices=3'],
      ]);
    });
    await inWorld(async (w) => {
      w.mdadm.detailFixture = 'mdadm-detail-raid1-clean-spare.txt';
      await w.sys.write({ 'block/vdb/size': '20971520\n', 'block/vdc/size': '20971520\n' });
      await rejectsWithCode(
        w.driver.createArray({ name: 'md2', level: 'raid1', devices: ['vdb', 'vdc'], spares: ['vda4'] }),
        'VALIDATION_FAILED', // vda4 is md1's spare in this capture
      );
      await w.sys.write({ 'block/vdd/size': '20971520\n' });
      // md2 is not in the captured mdstat, so the re-read after --create finds nothing: the fake's limit.
      await rejectsWithCode(
        confirmed((confirmToken) =>
          w.driver.createArray(
            { name: 'md2', level: 'raid1', devices: ['vdb', 'vdc'], spares: ['vdd'] },
            { confirmToken },
          ),
        ),
        'NOT_FOUND',
      );
      assert.deepEqual(w.mdadm.actions(), [
        [
          '--create',
          '/dev/md2',
          '--run',
          '--metadata=1.2',
          '--level=raid1',
          '--raid-devices=2',
          '--spare-devices=1',
          '/dev/vdb',
          '/dev/vdc',
          '/dev/vdd',
        ],
      ]);
    });
  });

  it('refuses devices that do not exist', async () => {
    await inWorld(async (w) => {
      await rejectsWithCode(w.driver.addSpare('md1', 'sdz'), 'NOT_FOUND');
      assert.deepEqual(w.mdadm.actions(), []);
    });
  });

  it('writes exactly "check" and "idle" to the array sync_action', async () => {
    await inWorld(async (w) => {
      assert.equal(await w.sys.read('block/md1/md/sync_action'), 'idle\n');
      await w.driver.startCheck('md1');
      assert.equal(await w.sys.read('block/md1/md/sync_action'), 'check');
      // mdstat (captured) shows no check, so stopCheck leaves a rebuild or idle array alone.
      await w.driver.stopCheck('md1');
      assert.equal(await w.sys.read('block/md1/md/sync_action'), 'check');
    });
  });

  it('stops a running check by writing "idle"', async () => {
    const sys = await makeFakeTree();
    const proc = await makeFakeTree();
    try {
      await proc.write({ mdstat: readFixture('mdstat-raid10-check-94pct.txt'), mounts: '' });
      await sys.write({ 'block/md2/md/sync_action': 'check\n' });
      const runner = new FakeCommandRunner().on('mdadm', ['--detail'], {
        stdout: readFixture('mdadm-detail-raid1-clean.txt'),
      });
      const clock = new ManualClock();
      const driver = new MdadmRaidDriver({
        runner,
        confirmations: new ConfirmationGate({ clock }),
        procRoot: proc.root,
        sysfsRoot: sys.root,
      });
      assert.equal((await driver.getArray('md2')).state, 'checking');
      await rejectsWithCode(driver.startCheck('md2'), 'VALIDATION_FAILED');
      await driver.stopCheck('md2');
      assert.equal(await sys.read('block/md2/md/sync_action'), 'idle');
    } finally {
      await sys.cleanup();
      await proc.cleanup();
    }
  });

  it('refuses a check while the array rebuilds, writing nothing', async () => {
    await inWorld(async (w) => {
      w.mdadm.detailFixture = 'mdadm-detail-raid1-recovering-20pct.txt';
      await rejectsWithCode(w.driver.startCheck('md1'), 'VALIDATION_FAILED');
      assert.equal(await w.sys.read('block/md1/md/sync_action'), 'idle\n');
    });
  });

  it('writes the speed limits in KiB/s to /proc/sys/dev/raid', async () => {
    await inWorld(async (w) => {
      await w.driver.setSyncSpeedLimits({
        minBytesPerSecond: 300_000 * 1024,
        maxBytesPerSecond: 400_000 * 1024,
      });
      assert.equal(await w.proc.read('sys/dev/raid/speed_limit_min'), '300000');
      assert.equal(await w.proc.read('sys/dev/raid/speed_limit_max'), '400000');
    });
  });

  it('finds the system disk behind an md root and refuses to touch its array', async () => {
    await inWorld(
      async (w) => {
        await w.sys.write({
          'block/md1/slaves/vda1/partition': '1\n',
          'block/md1/slaves/vda2/partition': '2\n',
        });
        await rejectsWithCode(w.driver.deleteArray('md1'), 'FORBIDDEN');
        await rejectsWithCode(w.driver.failMember('md1', 'vda2'), 'FORBIDDEN');
        await rejectsWithCode(w.driver.addSpare('md1', 'vda4'), 'FORBIDDEN');
        const disks = await w.driver.listDisks();
        assert.deepEqual(
          disks.map((d) => [d.device, d.isSystemDisk, d.arrayName]),
          [
            ['/dev/nvme0n1', false, null],
            ['/dev/vda', true, 'md1'],
          ],
        );
        assert.equal(disks[1]?.sizeBytes, 20971520 * 512);
        assert.deepEqual(w.mdadm.actions(), []);
      },
      { mounts: '/dev/md1 / ext4 rw,relatime 0 0\n' },
    );
  });

  it('resolves an LVM root through /dev/mapper and dm slaves', async () => {
    await inWorld(
      async (w) => {
        await w.sys.write({
          'block/dm-0/size': '100\n',
          'block/dm-0/dm/name': 'vg0-root\n',
          'block/dm-0/slaves/vda4/partition': '4\n',
        });
        await rejectsWithCode(w.driver.addSpare('md1', 'vda4'), 'FORBIDDEN');
      },
      { mounts: '/dev/mapper/vg0-root / ext4 rw 0 0\n' },
    );
  });

  it('says what is missing when md is not loaded or mdadm is not installed', async () => {
    await inWorld(async (w) => {
      await w.proc.cleanup();
      const error = await rejectsWithCode(w.driver.listArrays(), 'DRIVER_UNAVAILABLE');
      assert.match(error.message, /mdstat/);
    });
    const proc = await makeFakeTree();
    try {
      await proc.write({ mdstat: readFixture('mdstat-raid1-clean-excerpt.txt') });
      const runner = new FakeCommandRunner().on(
        'mdadm',
        [],
        new DriverUnavailableError('mdadm is not installed or not executable (ENOENT)'),
      );
      const clock = new ManualClock();
      const driver = new MdadmRaidDriver({
        runner,
        confirmations: new ConfirmationGate({ clock }),
        procRoot: proc.root,
        sysfsRoot: proc.root,
      });
      const error = await rejectsWithCode(driver.listArrays(), 'DRIVER_UNAVAILABLE');
      assert.match(error.message, /mdadm/);
    } finally {
      await proc.cleanup();
    }
  });

  it('turns a failing mdadm into DRIVER_FAILED with its stderr', async () => {
    const proc = await makeFakeTree();
    try {
      await proc.write({ mdstat: readFixture('mdstat-raid1-clean-excerpt.txt') });
      const runner = new FakeCommandRunner().on('mdadm', ['--detail'], {
        exitCode: 1,
        stderr: 'mdadm: cannot open /dev/md1: Permission denied\n',
      });
      const clock = new ManualClock();
      const driver = new MdadmRaidDriver({
        runner,
        confirmations: new ConfirmationGate({ clock }),
        procRoot: proc.root,
        sysfsRoot: proc.root,
      });
      const error = await rejectsWithCode(driver.listArrays(), 'DRIVER_FAILED');
      assert.match(error.message, /Permission denied/);
    } finally {
      await proc.cleanup();
    }
  });
});
