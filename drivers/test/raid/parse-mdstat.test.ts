import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { toRaidArray } from '../../src/raid/md-raid-array.js';
import { parseMdstat, type MdstatArray } from '../../src/raid/parse-mdstat.js';
import { readFixture } from '../helpers/fixtures.js';

function arrayOf(fixture: string, name: string): MdstatArray {
  const array = parseMdstat(readFixture(fixture)).arrays.find((a) => a.name === name);
  assert.ok(array, `${name} in ${fixture}`);
  return array;
}

describe('parseMdstat', () => {
  it('reads every array of the 18-array composite, with personalities', () => {
    const mdstat = parseMdstat(readFixture('mdstat-composite-18-arrays.txt'));
    assert.equal(mdstat.arrays.length, 18);
    assert.deepEqual(mdstat.personalities, [
      'linear',
      'multipath',
      'raid0',
      'raid1',
      'raid6',
      'raid5',
      'raid4',
      'raid10',
    ]);
  });

  it('reads a RAID1 recovery with progress, ETA and speed (composite md6)', () => {
    const md6 = arrayOf('mdstat-composite-18-arrays.txt', 'md6');
    assert.equal(md6.level, 'raid1');
    assert.equal(md6.blocks, 195310144);
    assert.equal(md6.raidDevices, 2);
    assert.equal(md6.inSyncDevices, 1);
    assert.equal(md6.statusMap, 'U_');
    assert.deepEqual(md6.sync, {
      action: 'recover',
      progressPercent: 8.5,
      doneKib: 16775552,
      totalKib: 195310144,
      finishSeconds: 1020,
      speedKibPerSecond: 259783,
    });
    assert.deepEqual(
      md6.members.map((m) => [m.device, m.descriptorNumber, m.isFaulty, m.isSpare]),
      [
        ['sdb2', 2, true, false],
        ['sdc', 1, false, true],
        ['sda2', 0, false, false],
      ],
    );
    const view = toRaidArray(md6, null);
    assert.equal(view.state, 'recovering');
    assert.equal(view.isDegraded, true);
    assert.equal(view.sizeBytes, 195310144 * 1024);
    assert.deepEqual(view.sync, {
      action: 'recover',
      progressPercent: 8.5,
      speedBytesPerSecond: 259783 * 1024,
      finishSeconds: 1020,
    });
    assert.deepEqual(
      view.members.map((m) => [m.device, m.role]),
      [
        ['/dev/sdb2', 'faulty'],
        ['/dev/sdc', 'spare'],
        ['/dev/sda2', 'active'],
      ],
    );
  });

  it('reads a resync, a check, a reshape and a delayed resync (composite)', () => {
    const fixture = 'mdstat-composite-18-arrays.txt';
    assert.equal(toRaidArray(arrayOf(fixture, 'md8'), null).state, 'resyncing');
    assert.equal(arrayOf(fixture, 'md8').sync?.progressPercent, 8.5);
    const md201 = arrayOf(fixture, 'md201');
    assert.equal(md201.sync?.action, 'check');
    assert.equal(md201.sync.progressPercent, 5.7);
    assert.equal(md201.sync.finishSeconds, 12);
    assert.equal(toRaidArray(md201, null).state, 'checking');
    const md42 = arrayOf(fixture, 'md42');
    assert.equal(md42.sync?.action, 'reshape');
    assert.equal(md42.sync.progressPercent, 56.1);
    assert.equal(md42.sync.speedKibPerSecond, 7640);
    assert.equal(toRaidArray(md42, null).state, 'reshaping');
    const md9 = arrayOf(fixture, 'md9');
    assert.deepEqual(md9.pendingSync, { action: 'resync', reason: 'DELAYED' });
    assert.deepEqual(toRaidArray(md9, null).sync, {
      action: 'resync',
      progressPercent: 0,
      speedBytesPerSecond: null,
      finishSeconds: null,
    });
    const md11 = arrayOf(fixture, 'md11');
    assert.equal(md11.readOnlyMode, 'auto-read-only');
    assert.deepEqual(md11.pendingSync, { action: 'resync', reason: 'PENDING' });
  });

  it('reads inactive arrays with and without a level (composite md4, md219)', () => {
    const md4 = arrayOf('mdstat-composite-18-arrays.txt', 'md4');
    assert.equal(md4.isActive, false);
    assert.equal(md4.level, 'raid1');
    assert.equal(toRaidArray(md4, null).state, 'inactive');
    const md219 = arrayOf('mdstat-composite-18-arrays.txt', 'md219');
    assert.equal(md219.level, 'unknown');
    assert.equal(md219.blocks, 7932);
    assert.equal(
      md219.members.every((m) => m.isSpare),
      true,
    );
    assert.equal(arrayOf('mdstat-composite-18-arrays.txt', 'md120').level, 'linear');
    assert.equal(arrayOf('mdstat-composite-18-arrays.txt', 'md10').blocks, 314159265);
  });

  it('reads a RAID10 scrub at 94.3 % (telegraf)', () => {
    const md2 = arrayOf('mdstat-raid10-check-94pct.txt', 'md2');
    assert.equal(md2.level, 'raid10');
    assert.equal(md2.members.length, 12);
    assert.equal(md2.blocks, 11251451904);
    assert.equal(md2.sync?.action, 'check');
    assert.equal(md2.sync.progressPercent, 94.3);
    assert.equal(md2.sync.finishSeconds, 6096);
    assert.equal(md2.sync.speedKibPerSecond, 103517);
    assert.equal(toRaidArray(md2, null).state, 'checking');
    assert.equal(toRaidArray(arrayOf('mdstat-raid10-check-94pct.txt', 'md0'), null).state, 'clean');
  });

  it('reads a degraded RAID5 with no rebuild running (telegraf)', () => {
    const md0 = arrayOf('mdstat-raid5-degraded.txt', 'md0');
    assert.equal(md0.raidDevices, 4);
    assert.equal(md0.inSyncDevices, 3);
    assert.equal(md0.statusMap, 'UUU_');
    const view = toRaidArray(md0, null);
    assert.equal(view.state, 'degraded');
    assert.equal(view.sizeBytes, 5860144128 * 1024);
    assert.equal(view.sync, null);
  });

  it('reads a RAID5 recovery at 12.6 % from a file ending without a newline (pymdstat05)', () => {
    const md127 = arrayOf('mdstat-raid5-recovery-12pct.txt', 'md127');
    assert.equal(md127.sync?.progressPercent, 12.6);
    assert.equal(md127.sync.finishSeconds, 7650);
    assert.equal(md127.sync.speedKibPerSecond, 33440);
    assert.equal(md127.statusMap, 'UUUUU_');
    assert.equal(toRaidArray(md127, null).state, 'recovering');
  });

  it('reads a RAID1 with a faulty member, 4 of 6 in sync (pymdstat07)', () => {
    const md1 = arrayOf('mdstat-raid1-faulty-degraded.txt', 'md1');
    assert.equal(md1.members.find((m) => m.device === 'sde1')?.isFaulty, true);
    assert.equal(md1.statusMap, '_UUUU_');
    assert.equal(toRaidArray(md1, null).state, 'degraded');
  });

  it('reads an inactive RAID5 and a level-less inactive array of spares (pymdstat08, 09)', () => {
    assert.equal(toRaidArray(arrayOf('mdstat-raid5-inactive.txt', 'md0'), null).state, 'inactive');
    const md2 = arrayOf('mdstat-inactive-all-spares.txt', 'md2');
    assert.equal(md2.isActive, false);
    assert.equal(md2.level, 'unknown');
    assert.equal(md2.members.length, 4);
    assert.equal(md2.blocks, 5860553984);
  });

  it('reads RAID0 over NVMe, a RAID4 reshape and a partitionable md_d0', () => {
    const md126 = arrayOf('mdstat-raid0-nvme-sata.txt', 'md126');
    assert.equal(md126.level, 'raid0');
    assert.deepEqual(
      md126.members.map((m) => m.device),
      ['nvme0n1', 'nvme1n1'],
    );
    const md127 = arrayOf('mdstat-raid4-reshape.txt', 'md127');
    assert.equal(md127.level, 'raid4');
    assert.equal(md127.sync?.progressPercent, 2.1);
    const mdD0 = arrayOf('mdstat-raid5-partitionable.txt', 'md_d0');
    assert.equal(mdD0.level, 'raid5');
    assert.equal(mdD0.statusMap, 'UUUUU');
  });

  it('survives pastes: unindented block lines and a missing "unused devices" line', () => {
    const pasted = parseMdstat(readFixture('mdstat-raid6-unindented-paste.txt'));
    assert.deepEqual(
      pasted.arrays.map((a) => [a.name, a.level, a.blocks, a.raidDevices]),
      [
        ['md3', 'raid6', 17581481472, 8],
        ['md2', 'raid6', 17552612736, 8],
        ['md1', 'raid1', 2097088, 8],
        ['md0', 'raid1', 2490176, 8],
      ],
    );
    const truncated = parseMdstat(readFixture('mdstat-raid5-truncated-paste.txt'));
    assert.equal(truncated.arrays.length, 1);
    assert.equal(truncated.arrays[0]?.blocks, 95705752576);
    assert.equal(truncated.arrays[0].members.length, 8);
    assert.equal(truncated.personalities.length, 8);
  });

  it('reads a host without arrays', () => {
    assert.deepEqual(parseMdstat(readFixture('mdstat-empty.txt')), { personalities: [], arrays: [] });
  });
});
