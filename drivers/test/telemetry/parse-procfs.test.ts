import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isDriverError } from '../../src/errors.js';
import {
  cpuLoadPercent,
  decodeMountField,
  parseDiskStats,
  parseMeminfo,
  parseMounts,
  parseNetDev,
  parseProcStat,
  parseUptime,
  selectReportedMounts,
} from '../../src/telemetry/parse-procfs.js';
import { readFixture } from '../helpers/fixtures.js';

const isParseFailure = (error: unknown): boolean => isDriverError(error, 'DRIVER_FAILED');

describe('parseProcStat', () => {
  it('reads the aggregate and per-CPU lines of a captured /proc/stat, busy without idle and iowait', () => {
    const cpus = parseProcStat(readFixture('telemetry/proc-stat-2cpu.txt'));
    assert.deepEqual(
      cpus.map((c) => c.name),
      ['cpu', 'cpu0', 'cpu1'],
    );
    // cpu  60372 0 26957 126940 1905 0 1660 0 0 0
    assert.deepEqual(cpus[0], {
      name: 'cpu',
      busyTicks: 60372 + 26957 + 1660,
      totalTicks: 60372 + 26957 + 126940 + 1905 + 1660,
    });
  });

  it('leaves guest time out of the total, the kernel having counted it in user time', () => {
    const [cpu] = parseProcStat('cpu  100 0 50 800 50 0 0 0 40 0\n');
    assert.deepEqual(cpu, { name: 'cpu', busyTicks: 150, totalTicks: 1000 });
  });

  it('rejects a file without a cpu line or with a garbled one', () => {
    assert.throws(() => parseProcStat('intr 1 2 3\n'), isParseFailure);
    assert.throws(() => parseProcStat('cpu  1 2 x 4\n'), isParseFailure);
  });
});

describe('cpuLoadPercent', () => {
  it('gives the load between two captures a second apart', () => {
    const before = parseProcStat(readFixture('telemetry/proc-stat-2cpu.txt'));
    const after = parseProcStat(readFixture('telemetry/proc-stat-2cpu-later.txt'));
    const loads = after.map((a, i) => cpuLoadPercent(before[i] ?? null, a));
    // cpu: +2 user, +3 system, +2 softirq busy; +193 idle. cpu0: 2 busy of 99; cpu1: 4 busy of 101.
    assert.deepEqual(loads, [3.5, 200 / 99, 400 / 101]);
  });

  it('gives the since-boot average without a previous reading and null when no tick elapsed', () => {
    const [cpu] = parseProcStat('cpu  100 0 50 800 50 0 0 0 0 0\n');
    assert.ok(cpu !== undefined);
    assert.equal(cpuLoadPercent(null, cpu), 15);
    assert.equal(cpuLoadPercent(cpu, cpu), null);
  });
});

describe('parseMeminfo', () => {
  it('reads a captured /proc/meminfo in bytes', () => {
    assert.deepEqual(parseMeminfo(readFixture('telemetry/proc-meminfo-no-swap.txt')), {
      totalBytes: 24683620 * 1024,
      availableBytes: 23645516 * 1024,
      swapTotalBytes: 0,
      swapFreeBytes: 0,
    });
  });

  it('reads swap, and falls back to free + buffers + cached on kernels without MemAvailable', () => {
    const text = [
      'MemTotal:        1000 kB',
      'MemFree:          100 kB',
      'Buffers:           20 kB',
      'Cached:           300 kB',
      'SwapTotal:        512 kB',
      'SwapFree:         500 kB',
    ].join('\n');
    assert.deepEqual(parseMeminfo(text), {
      totalBytes: 1000 * 1024,
      availableBytes: 420 * 1024,
      swapTotalBytes: 512 * 1024,
      swapFreeBytes: 500 * 1024,
    });
  });

  it('rejects a file without MemTotal', () => {
    assert.throws(() => parseMeminfo('MemFree: 1 kB\n'), isParseFailure);
  });
});

describe('parseNetDev', () => {
  it('reads received and sent bytes of every interface of a captured /proc/net/dev', () => {
    assert.deepEqual(parseNetDev(readFixture('telemetry/proc-net-dev.txt')), [
      { name: 'lo', rxBytes: 582480736, txBytes: 582480736 },
      { name: 'ifb0', rxBytes: 0, txBytes: 0 },
      { name: 'ifb1', rxBytes: 0, txBytes: 0 },
      { name: 'eth0', rxBytes: 713190760, txBytes: 3105397 },
    ]);
  });

  it('reads a counter that touches the colon', () => {
    const text = 'Inter-| Receive\n face |bytes\n  eth1:4294967296 7 0 0 0 0 0 0 12 3 0 0 0 0 0 0\n';
    assert.deepEqual(parseNetDev(text), [{ name: 'eth1', rxBytes: 4294967296, txBytes: 12 }]);
  });
});

describe('parseDiskStats', () => {
  it('reads sectors read and written of every device of a captured /proc/diskstats, in bytes', () => {
    const disks = parseDiskStats(readFixture('telemetry/proc-diskstats-virtio-loop-zram.txt'));
    assert.deepEqual(
      disks.map((d) => d.name),
      ['loop0', 'loop1', 'loop2', 'loop3', 'loop4', 'loop5', 'loop6', 'loop7', 'vda', 'zram0'],
    );
    assert.deepEqual(
      disks.find((d) => d.name === 'vda'),
      { name: 'vda', readBytes: 4726522 * 512, writtenBytes: 8515776 * 512 },
    );
  });

  it('rejects a line with too few fields', () => {
    assert.throws(() => parseDiskStats('8 0 sda 1 2\n'), isParseFailure);
  });
});

describe('parseMounts and selectReportedMounts', () => {
  it('decodes the octal escapes of mount points', () => {
    assert.equal(decodeMountField('/srv/bulk\\040data'), '/srv/bulk data');
    assert.equal(decodeMountField('/a\\134b\\011c\\012d'), '/a\\b\tc\nd');
  });

  it('lists block-device, ZFS and root file systems, one per mount point, the last mounted winning', () => {
    const mounts = parseMounts(readFixture('telemetry/proc-mounts-handwritten.txt'));
    assert.equal(mounts.length, 21);
    assert.deepEqual(selectReportedMounts(mounts), [
      { device: '/dev/sda2', mountPoint: '/', type: 'ext4' },
      { device: '/dev/sda1', mountPoint: '/boot/efi', type: 'vfat' },
      { device: '/dev/md0', mountPoint: '/srv/bulk data', type: 'btrfs' },
      { device: '/dev/mapper/vg0-backup', mountPoint: '/srv/back\\slash\ttab', type: 'ext4' },
      { device: 'tank/media', mountPoint: '/tank/media', type: 'zfs' },
      { device: '/dev/sdc1', mountPoint: '/media/usb', type: 'exfat' },
    ]);
  });

  it("lists a container's overlay root but no other overlay", () => {
    const mounts = parseMounts(
      [
        'overlay / overlay rw,relatime,lowerdir=/l,upperdir=/u,workdir=/w 0 0',
        'overlay /var/lib/docker/overlay2/1/merged overlay rw 0 0',
        '/dev/sda1 /etc/hosts ext4 rw,relatime 0 0',
      ].join('\n'),
    );
    assert.deepEqual(
      selectReportedMounts(mounts).map((m) => m.mountPoint),
      ['/', '/etc/hosts'],
    );
  });
});

describe('parseUptime', () => {
  it('reads seconds since boot of a captured /proc/uptime', () => {
    assert.equal(parseUptime(readFixture('telemetry/proc-uptime.txt')), 1096.9);
  });

  it('rejects anything else', () => {
    assert.throws(() => parseUptime(''), isParseFailure);
  });
});
