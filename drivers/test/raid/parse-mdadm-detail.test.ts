import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { toRaidArray } from '../../src/raid/md-raid-array.js';
import { parseMdadmDetail } from '../../src/raid/parse-mdadm-detail.js';
import { parseMdstat } from '../../src/raid/parse-mdstat.js';
import { readFixture } from '../helpers/fixtures.js';

const detail = (name: string) => parseMdadmDetail(readFixture(name));

describe('parseMdadmDetail', () => {
  it('reads a clean RAID1, trimming the trailing space mdadm prints after the state', () => {
    const d = detail('mdadm-detail-raid1-clean.txt');
    assert.equal(d.devicePath, '/dev/md126');
    assert.equal(d.level, 'raid1');
    assert.equal(d.arraySizeKib, 101376);
    assert.equal(d.raidDevices, 2);
    assert.deepEqual(d.stateFlags, ['clean']);
    assert.equal(d.uuid, 'e054553a:fbccdcfe:0ae80bc8:9379377a');
    assert.deepEqual(
      d.devices.map((r) => [r.number, r.raidDevice, r.states.join(' '), r.device]),
      [
        [0, 0, 'active sync', '/dev/vda1'],
        [1, 1, 'active sync', '/dev/vda2'],
      ],
    );
  });

  it('reads a degraded RAID1 with a removed slot and a faulty member', () => {
    const d = detail('mdadm-detail-raid1-degraded-faulty.txt');
    assert.deepEqual(d.stateFlags, ['clean', 'degraded']);
    assert.equal(d.failedDevices, 1);
    assert.deepEqual(d.devices[1], {
      number: null,
      major: 0,
      minor: 0,
      raidDevice: 1,
      states: ['removed'],
      device: null,
    });
    assert.deepEqual(d.devices[2], {
      number: 1,
      major: 254,
      minor: 2,
      raidDevice: null,
      states: ['faulty'],
      device: '/dev/vda2',
    });
  });

  it('reads a rebuild at 20 % with a failfast spare being rebuilt', () => {
    const d = detail('mdadm-detail-raid1-recovering-20pct.txt');
    assert.deepEqual(d.stateFlags, ['clean', 'degraded', 'recovering']);
    assert.equal(d.rebuildPercent, 20);
    assert.deepEqual(d.devices[1]?.states, ['failfast', 'spare', 'rebuilding']);
  });

  it('reads a resync at 4 % and a reshape at 28 % over 21 disks', () => {
    assert.equal(detail('mdadm-detail-raid1-resyncing-4pct.txt').resyncPercent, 4);
    const d = detail('mdadm-detail-raid5-reshaping-28pct.txt');
    assert.equal(d.level, 'raid5');
    assert.equal(d.reshapePercent, 28);
    assert.equal(d.raidDevices, 21);
    assert.equal(d.totalDevices, 22);
    assert.equal(d.arraySizeKib, 21877481472);
    assert.equal(d.devices.length, 22);
    assert.equal(d.fields['Chunk Size'], '512K');
    assert.equal(d.fields['Delta Devices'], '6, (15->21)');
    assert.deepEqual(d.devices.at(-1), {
      number: 16,
      major: 8,
      minor: 1,
      raidDevice: null,
      states: ['spare'],
      device: '/dev/sda1',
    });
  });

  it('reads an inactive RAID0 whose device table has no State column', () => {
    const d = detail('mdadm-detail-raid0-inactive.txt');
    assert.equal(d.level, 'raid0');
    assert.deepEqual(d.stateFlags, ['inactive']);
    assert.equal(d.arraySizeKib, null);
    assert.deepEqual(d.devices, [
      { number: null, major: 8, minor: 2, raidDevice: null, states: [], device: '/dev/sda2' },
    ]);
  });

  it('reads the narrower mdadm 3.x alignment and a RAID5', () => {
    const old = detail('mdadm-detail-raid1-clean-mdadm3.txt');
    assert.equal(old.arraySizeKib, 439221248);
    assert.deepEqual(old.stateFlags, ['clean']);
    assert.deepEqual(
      old.devices.map((r) => r.device),
      ['/dev/nvme0n1p1', '/dev/nvme1n1p1'],
    );
    const raid5 = detail('mdadm-detail-raid5-clean.txt');
    assert.equal(raid5.level, 'raid5');
    assert.equal(raid5.usedDevSizeKib, 202752);
    assert.equal(raid5.devices[2]?.raidDevice, 2);
  });
});

describe('toRaidArray with mdadm --detail', () => {
  const md1 = parseMdstat(readFixture('mdstat-raid1-clean-excerpt.txt')).arrays[0]!;

  it('takes members and slots from mdadm, marking spare, faulty and rebuilding members', () => {
    const view = toRaidArray(md1, detail('mdadm-detail-raid1-recovering-24pct-faulty.txt'));
    assert.equal(view.state, 'recovering');
    assert.equal(view.isDegraded, true);
    assert.equal(view.sizeBytes, 101376 * 1024);
    assert.deepEqual(view.sync, {
      action: 'recover',
      progressPercent: 24,
      speedBytesPerSecond: null,
      finishSeconds: null,
    });
    assert.deepEqual(view.members, [
      { device: '/dev/vda1', role: 'active', slot: 0, isRebuilding: false },
      { device: '/dev/vda4', role: 'active', slot: 1, isRebuilding: true },
      { device: '/dev/vda2', role: 'faulty', slot: null, isRebuilding: false },
    ]);
  });

  it('keeps a plain spare as spare and a replacement in its slot', () => {
    const spare = toRaidArray(md1, detail('mdadm-detail-raid1-clean-spare.txt'));
    assert.equal(spare.state, 'clean');
    assert.deepEqual(spare.members[2], {
      device: '/dev/vda4',
      role: 'spare',
      slot: null,
      isRebuilding: false,
    });
    const replacing = toRaidArray(md1, detail('mdadm-detail-raid1-replacing-30pct.txt'));
    assert.equal(replacing.state, 'recovering');
    assert.equal(replacing.isDegraded, false);
    assert.deepEqual(
      replacing.members.map((m) => [m.device, m.slot, m.isRebuilding]),
      [
        ['/dev/vda1', 0, false],
        ['/dev/vda2', 1, true],
        ['/dev/vda4', 1, false],
      ],
    );
  });

  it('marks an array degraded from mdadm even when mdstat still shows [UU]', () => {
    const view = toRaidArray(md1, detail('mdadm-detail-raid1-degraded-faulty.txt'));
    assert.equal(view.state, 'degraded');
    assert.deepEqual(
      view.members.map((m) => [m.device, m.role, m.slot]),
      [
        ['/dev/vda1', 'active', 0],
        ['/dev/vda2', 'faulty', null],
      ],
    );
  });
});
