import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { ManualClock } from '../../src/clock.js';
import { SystemTelemetryDriver } from '../../src/telemetry/system-telemetry-driver.js';
import { rejectsWithCode } from '../helpers/confirm.js';
import { makeFakeTree, materialiseSysfsListing, type FakeTree } from '../helpers/fake-sysfs.js';
import { readFixture } from '../helpers/fixtures.js';

/** A fake host: a fake /proc and a fake /sys, each a temporary directory. */
interface FakeHost {
  readonly proc: FakeTree;
  readonly sys: FakeTree;
  readonly clock: ManualClock;
  readonly driver: SystemTelemetryDriver;
  cleanup(): Promise<void>;
}

async function makeFakeHost(): Promise<FakeHost> {
  const proc = await makeFakeTree('baluhost-proc-');
  const sys = await makeFakeTree('baluhost-sys-');
  const clock = new ManualClock();
  const driver = new SystemTelemetryDriver({ clock, procRoot: proc.root, sysfsRoot: sys.root });
  return {
    proc,
    sys,
    clock,
    driver,
    async cleanup() {
      await proc.cleanup();
      await sys.cleanup();
    },
  };
}

/** The captured files of one machine (see fixtures/PROVENANCE.md), /proc/stat as first captured. */
async function writeCapturedHost({ proc, sys }: FakeHost): Promise<void> {
  await proc.write({
    stat: readFixture('telemetry/proc-stat-2cpu.txt'),
    meminfo: readFixture('telemetry/proc-meminfo-no-swap.txt'),
    'net/dev': readFixture('telemetry/proc-net-dev.txt'),
    diskstats: readFixture('telemetry/proc-diskstats-virtio-loop-zram.txt'),
    uptime: readFixture('telemetry/proc-uptime.txt'),
  });
  await materialiseSysfsListing(sys, readFixture('telemetry/sysfs-block-net.txt'));
}

const netDev = (lines: readonly string[]): string =>
  [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    ...lines,
    '',
  ].join('\n');

/** One /proc/diskstats line: sectors read and written, the other counters 0. */
const diskLine = (
  major: number,
  minor: number,
  name: string,
  sectorsRead: number,
  sectorsWritten: number,
): string =>
  `${String(major).padStart(4)} ${String(minor).padStart(7)} ${name} 0 0 ${sectorsRead} 0 0 0 ${sectorsWritten} 0 0 0 0 0 0 0 0 0 0`;

describe('SystemTelemetryDriver on a captured host', () => {
  it('reads memory, network, disks and uptime of the captures', async () => {
    const host = await makeFakeHost();
    const { driver } = host;
    try {
      await writeCapturedHost(host);
      assert.deepEqual(await driver.getMemory(), {
        totalBytes: 24683620 * 1024,
        usedBytes: (24683620 - 23645516) * 1024,
        availableBytes: 23645516 * 1024,
        swapTotalBytes: 0,
        swapUsedBytes: 0,
      });
      assert.deepEqual(
        (await driver.getNetwork()).map((n) => [n.name, n.isUp, n.rxBytes, n.rxBytesPerSecond]),
        [
          ['lo', true, 582480736, null],
          ['ifb0', false, 0, null],
          ['ifb1', false, 0, null],
          ['eth0', true, 713190760, null],
        ],
      );
      // vda only: loop0-7 and zram0 are virtual (no device link in /sys/block).
      assert.deepEqual(await driver.getDiskIo(), {
        readBytes: 4726522 * 512,
        writtenBytes: 8515776 * 512,
        readBytesPerSecond: null,
        writeBytesPerSecond: null,
      });
      assert.equal(await driver.getUptimeSeconds(), 1096.9);
    } finally {
      await host.cleanup();
    }
  });

  it('gives the since-boot CPU load first, then the load since the previous call', async () => {
    const host = await makeFakeHost();
    const { proc, driver } = host;
    try {
      await writeCapturedHost(host);
      const sinceBoot = await driver.getCpuLoad();
      // cpu  60372 0 26957 126940 1905 0 1660 0 0 0
      assert.equal(sinceBoot.loadPercent, (88989 * 100) / 217834);
      await proc.write({ stat: readFixture('telemetry/proc-stat-2cpu-later.txt') });
      assert.deepEqual(await driver.getCpuLoad(), {
        loadPercent: 3.5,
        cores: [
          { core: 0, loadPercent: 200 / 99 },
          { core: 1, loadPercent: 400 / 101 },
        ],
      });
      // No tick elapsed: the previous figures stand.
      assert.equal((await driver.getCpuLoad()).loadPercent, 3.5);
    } finally {
      await host.cleanup();
    }
  });
});

describe('SystemTelemetryDriver on a fake host whose counters move', () => {
  it('gives per-second network and whole-disk rates between two calls', async () => {
    const host = await makeFakeHost();
    const { proc, sys, clock, driver } = host;
    try {
      await sys.write({
        'class/net/eth0/operstate': 'up\n',
        'class/net/wlan0/operstate': 'down\n',
        'block/sda/device/vendor': 'ATA\n',
        'block/nvme0n1/device/model': 'Samsung SSD 980\n',
        'block/md0/size': '976506880\n',
        'block/dm-0/size': '976506880\n',
        'block/loop0/size': '0\n',
      });
      const sample = async (
        net: [number, number],
        sda: [number, number],
        nvme: [number, number],
        md: [number, number],
      ): Promise<void> => {
        await proc.write({
          'net/dev': netDev([
            `  eth0: ${net[0]} 10 0 0 0 0 0 0 ${net[1]} 10 0 0 0 0 0 0`,
            ` wlan0: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0`,
          ]),
          diskstats: [
            diskLine(7, 0, 'loop0', 999, 999),
            diskLine(8, 0, 'sda', ...sda),
            diskLine(8, 1, 'sda1', ...sda),
            diskLine(259, 0, 'nvme0n1', ...nvme),
            diskLine(259, 1, 'nvme0n1p1', ...nvme),
            diskLine(9, 0, 'md0', ...md),
            diskLine(253, 0, 'dm-0', ...md),
            '',
          ].join('\n'),
        });
      };
      await sample([1_000, 2_000], [100, 200], [1_000, 2_000], [50, 50]);
      const net1 = await driver.getNetwork();
      const io1 = await driver.getDiskIo();
      assert.deepEqual(
        net1.map((n) => [n.name, n.isUp, n.rxBytes, n.txBytes, n.rxBytesPerSecond]),
        [
          ['eth0', true, 1_000, 2_000, null],
          ['wlan0', false, 0, 0, null],
        ],
      );
      assert.deepEqual(io1, {
        readBytes: 1_100 * 512,
        writtenBytes: 2_200 * 512,
        readBytesPerSecond: null,
        writeBytesPerSecond: null,
      });

      clock.advance(2_000);
      await sample([5_000, 3_000], [300, 200], [1_800, 6_000], [5_000, 5_000]);
      const [eth0] = await driver.getNetwork();
      assert.deepEqual([eth0?.rxBytesPerSecond, eth0?.txBytesPerSecond], [2_000, 500]);
      // sda +200 and nvme0n1 +800 sectors read, nvme0n1 +4000 written, over 2 s; md0 and dm-0 not counted.
      assert.deepEqual(await driver.getDiskIo(), {
        readBytes: 2_100 * 512,
        writtenBytes: 6_200 * 512,
        readBytesPerSecond: 500 * 512,
        writeBytesPerSecond: 2_000 * 512,
      });
    } finally {
      await host.cleanup();
    }
  });

  it('gives swap in use and no disk counters where /sys/block is missing', async () => {
    const host = await makeFakeHost();
    const { proc, driver } = host;
    try {
      await proc.write({
        meminfo: 'MemTotal: 2048 kB\nMemAvailable: 1024 kB\nSwapTotal: 1000 kB\nSwapFree: 600 kB\n',
        diskstats: `${diskLine(8, 0, 'sda', 1, 1)}\n`,
      });
      const mem = await driver.getMemory();
      assert.equal(mem.swapUsedBytes, 400 * 1024);
      assert.equal(await driver.getDiskIo(), null);
    } finally {
      await host.cleanup();
    }
  });

  it('lists the real file systems of /proc/mounts with statfs figures, mount points unescaped', async () => {
    const host = await makeFakeHost();
    const { proc, driver } = host;
    try {
      const spaced = join(proc.root, 'mnt', 'bulk data');
      await mkdir(spaced, { recursive: true });
      const escaped = spaced.replaceAll(' ', '\\040');
      await proc.write({
        mounts: [
          'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0',
          'tmpfs /run tmpfs rw,nosuid,nodev,size=1630000k,mode=755 0 0',
          `/dev/md0 ${escaped} ext4 rw,relatime 0 0`,
          `/dev/sdz1 ${join(proc.root, 'unmounted-since')} ext4 rw,relatime 0 0`,
          '',
        ].join('\n'),
      });
      const fss = await driver.getFileSystems();
      // proc and tmpfs are not listed; the vanished mount point is left out.
      assert.deepEqual(
        fss.map((f) => [f.device, f.mountPoint, f.type]),
        [['/dev/md0', spaced, 'ext4']],
      );
      const [fs] = fss;
      assert.ok(fs !== undefined && fs.sizeBytes > 0);
      assert.ok(fs.usedBytes + fs.availableBytes <= fs.sizeBytes);
      assert.equal(
        fs.usedPercent,
        Math.round((fs.usedBytes * 10_000) / (fs.usedBytes + fs.availableBytes)) / 100,
      );
    } finally {
      await host.cleanup();
    }
  });

  it('reports a missing procfs file as DRIVER_UNAVAILABLE and a garbled one as DRIVER_FAILED', async () => {
    const host = await makeFakeHost();
    const { proc, driver } = host;
    try {
      await rejectsWithCode(driver.getCpuLoad(), 'DRIVER_UNAVAILABLE');
      await proc.write({ uptime: 'soon\n' });
      await rejectsWithCode(driver.getUptimeSeconds(), 'DRIVER_FAILED');
    } finally {
      await host.cleanup();
    }
  });
});

describe('SystemTelemetryDriver on this machine', () => {
  it('reads sane figures from the real /proc and /sys', async () => {
    const driver = new SystemTelemetryDriver({ clock: new ManualClock() });
    const [cpu, memory, uptime, fileSystems] = await Promise.all([
      driver.getCpuLoad(),
      driver.getMemory(),
      driver.getUptimeSeconds(),
      driver.getFileSystems(),
    ]);
    assert.ok(cpu.cores.length >= 1);
    assert.ok(memory.totalBytes > 0 && memory.availableBytes <= memory.totalBytes);
    assert.ok(uptime > 0);
    const root = fileSystems.find((f) => f.mountPoint === '/');
    assert.ok(root !== undefined && root.sizeBytes > 0, JSON.stringify(fileSystems));
    assert.ok((await driver.getNetwork()).some((n) => n.name === 'lo'));
  });
});
