import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { ManualClock } from '../../src/clock.js';
import { ConfirmationGate } from '../../src/confirmation.js';
import { SimulatedRaidDriver, SIMULATED_RAID_STATE_FILE } from '../../src/raid/simulated-raid-driver.js';
import { confirmed, rejectsWithCode } from '../helpers/confirm.js';

describe('SimulatedRaidDriver', () => {
  let stateDir: string;
  let clock: ManualClock;
  const make = (dir = stateDir, c = clock) =>
    new SimulatedRaidDriver({ clock: c, stateDir: dir, confirmations: new ConfirmationGate({ clock: c }) });

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'baluhost-raid-sim-'));
    clock = new ManualClock();
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('starts with md0 = RAID1 of two 5 GB disks, two free disks and a system disk', async () => {
    const raid = make();
    const [md0] = await raid.listArrays();
    assert.equal(md0?.sizeBytes, 5_000_000_000);
    assert.deepEqual(
      (await raid.listDisks()).map((d) => [d.device, d.isSystemDisk, d.arrayName]),
      [
        ['/dev/nvme0n1', true, null],
        ['/dev/sda', false, 'md0'],
        ['/dev/sdb', false, 'md0'],
        ['/dev/sdc', false, null],
        ['/dev/sdd', false, null],
      ],
    );
  });

  it('degrades when a member fails, then rebuilds onto a spare with progress that rises with the clock', async () => {
    const raid = make();
    const degraded = await confirmed((t) => raid.failMember('md0', 'sdb', { confirmToken: t }));
    assert.equal(degraded.state, 'degraded');
    const start = await confirmed((t) => raid.addSpare('md0', 'sdc', { confirmToken: t }));
    assert.equal(start.state, 'recovering');
    assert.deepEqual(start.sync, {
      action: 'recover',
      progressPercent: 0,
      speedBytesPerSecond: 5e9 / 60,
      finishSeconds: 60,
    });
    clock.advance(15_000);
    const quarter = await raid.getArray('md0');
    assert.equal(quarter.sync?.progressPercent, 25);
    assert.equal(quarter.sync.finishSeconds, 45);
    clock.advance(30_000);
    assert.equal((await raid.getArray('md0')).sync?.progressPercent, 75);
    clock.advance(15_000);
    const done = await raid.getArray('md0');
    assert.equal(done.state, 'clean');
    assert.equal(done.sync, null);
    assert.deepEqual(
      done.members.find((m) => m.device === '/dev/sdc'),
      {
        device: '/dev/sdc',
        role: 'active',
        slot: 1,
        isRebuilding: false,
      },
    );
  });

  it('gives the same answers for the same clock', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'baluhost-raid-sim-'));
    try {
      const clockB = new ManualClock();
      const a = make();
      const b = make(otherDir, clockB);
      for (const raid of [a, b]) {
        await confirmed((t) => raid.failMember('md0', 'sda', { confirmToken: t }));
        await confirmed((t) => raid.addMember('md0', 'sdd', { confirmToken: t }));
      }
      clock.advance(12_345);
      clockB.advance(12_345);
      assert.deepEqual(await a.listArrays(), await b.listArrays());
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('survives a restart: a new instance on the same stateDir sees the same state and progress', async () => {
    const first = make();
    await confirmed((t) => first.failMember('md0', 'sdb', { confirmToken: t }));
    await confirmed((t) => first.addSpare('md0', 'sdc', { confirmToken: t }));
    clock.advance(30_000);
    const before = await first.getArray('md0');
    const second = make();
    assert.deepEqual(await second.getArray('md0'), before);
    assert.equal(before.sync?.progressPercent, 50);
    const files = await readdir(stateDir);
    assert.deepEqual(files, [SIMULATED_RAID_STATE_FILE]);
    const saved = JSON.parse(await readFile(join(stateDir, SIMULATED_RAID_STATE_FILE), 'utf8')) as {
      version: number;
    };
    assert.equal(saved.version, 1);
  });

  it('rebuilds at once onto a spare that was waiting when a member fails', async () => {
    const raid = make();
    await confirmed((t) => raid.addSpare('md0', 'sdc', { confirmToken: t }));
    assert.equal((await raid.getArray('md0')).state, 'clean');
    const array = await confirmed((t) => raid.failMember('md0', 'sda', { confirmToken: t }));
    assert.equal(array.state, 'recovering');
    assert.equal(array.members.find((m) => m.device === '/dev/sdc')?.slot, 0);
  });

  it('scrubs with a check that finishes in about a minute, and stops it on request', async () => {
    const raid = make();
    await raid.startCheck('md0');
    assert.equal((await raid.getArray('md0')).state, 'checking');
    await rejectsWithCode(raid.startCheck('md0'), 'VALIDATION_FAILED');
    clock.advance(30_000);
    assert.equal((await raid.getArray('md0')).sync?.progressPercent, 50);
    await raid.stopCheck('md0');
    assert.equal((await raid.getArray('md0')).state, 'clean');
    await raid.startCheck('md0');
    clock.advance(60_000);
    assert.equal((await raid.getArray('md0')).state, 'clean');
  });

  it('creates a RAID1 that resyncs first, and deletes it with a token', async () => {
    const raid = make();
    const created = await confirmed((t) =>
      raid.createArray({ name: 'md1', level: 'raid1', devices: ['sdc', '/dev/sdd'] }, { confirmToken: t }),
    );
    assert.equal(created.state, 'resyncing');
    clock.advance(60_000);
    assert.equal((await raid.getArray('md1')).state, 'clean');
    await confirmed((t) => raid.deleteArray('md1', { confirmToken: t }));
    await rejectsWithCode(raid.getArray('md1'), 'NOT_FOUND');
    assert.equal((await raid.listDisks()).find((d) => d.device === '/dev/sdc')?.arrayName, null);
  });

  it('deletes md0 only with the token, and not with an expired one', async () => {
    const raid = make();
    const error = await rejectsWithCode(raid.deleteArray('md0'), 'CONFIRMATION_REQUIRED');
    assert.match(error.message, /repeat the request with confirmToken=/);
    const token = error.details?.confirmToken as string;
    clock.advance(120_001);
    await rejectsWithCode(raid.deleteArray('md0', { confirmToken: token }), 'CONFIRMATION_REQUIRED');
    assert.equal((await raid.listArrays()).length, 1);
    await confirmed((t) => raid.deleteArray('md0', { confirmToken: t }));
    assert.deepEqual(await raid.listArrays(), []);
  });

  it('refuses to fail the last member in sync, as md does', async () => {
    const raid = make();
    await confirmed((t) => raid.failMember('md0', 'sda', { confirmToken: t }));
    await rejectsWithCode(
      confirmed((t) => raid.failMember('md0', 'sdb', { confirmToken: t })),
      'DRIVER_FAILED',
    );
  });

  it('slows the rebuild down to the max speed limit', async () => {
    const raid = make();
    await raid.setSyncSpeedLimits({ minBytesPerSecond: 1024, maxBytesPerSecond: 10 * 1024 * 1024 });
    await confirmed((t) => raid.failMember('md0', 'sdb', { confirmToken: t }));
    const array = await confirmed((t) => raid.addSpare('md0', 'sdc', { confirmToken: t }));
    assert.equal(array.sync?.speedBytesPerSecond, 10 * 1024 * 1024);
    assert.equal(array.sync.finishSeconds, Math.round(5e9 / (10 * 1024 * 1024)));
  });

  it('offers a fault hook that plugs in a new disk', async () => {
    const raid = make();
    await raid.addVirtualDisk('sde');
    await confirmed((t) => raid.failMember('md0', 'sdb', { confirmToken: t }));
    const array = await confirmed((t) => raid.addMember('md0', 'sde', { confirmToken: t }));
    assert.equal(array.state, 'recovering');
    await raid.reset();
    assert.equal((await raid.getArray('md0')).state, 'clean');
  });
});
