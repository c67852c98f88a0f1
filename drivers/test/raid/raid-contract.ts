import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { ManualClock } from '../../src/clock.js';
import type { RaidDriver } from '../../src/raid/raid-driver.js';
import { confirmationTokenOf, confirmed, rejectsWithCode } from '../helpers/confirm.js';

/** What the contract needs to know about a backend's world. */
export interface RaidContractWorld {
  readonly driver: RaidDriver;
  readonly clock: ManualClock;
  /** A clean two-member RAID1. */
  readonly arrayName: string;
  /** Its members in slots 0 and 1. */
  readonly members: readonly [string, string];
  /** A free disk or partition that can become a spare. */
  readonly freeDevice: string;
  /** A device on the disk holding the running system. */
  readonly systemDevice: string;
  cleanup(): Promise<void>;
}

/** The behaviour every RaidDriver shares, run against a fresh world per test. */
export function raidDriverContract(backend: string, makeWorld: () => Promise<RaidContractWorld>): void {
  describe(`RaidDriver contract: ${backend}`, () => {
    let world: RaidContractWorld;
    before(async () => {
      world = await makeWorld();
    });
    after(async () => {
      await world.cleanup();
    });
    const fresh = async (fn: (w: RaidContractWorld) => Promise<void>): Promise<void> => {
      const w = await makeWorld();
      try {
        await fn(w);
      } finally {
        await w.cleanup();
      }
    };

    it('lists the clean RAID1 with both members active in slots 0 and 1', async () => {
      const array = await world.driver.getArray(world.arrayName);
      assert.equal(array.level, 'raid1');
      assert.equal(array.state, 'clean');
      assert.equal(array.isDegraded, false);
      assert.equal(array.sync, null);
      assert.ok(array.sizeBytes > 0);
      assert.deepEqual(
        array.members.map((m) => [m.device, m.role, m.slot]),
        [
          [world.members[0], 'active', 0],
          [world.members[1], 'active', 1],
        ],
      );
      assert.ok((await world.driver.listArrays()).some((a) => a.name === world.arrayName));
    });

    it('answers NOT_FOUND for an unknown array and a non-member', async () => {
      await rejectsWithCode(world.driver.getArray('md99'), 'NOT_FOUND');
      await rejectsWithCode(world.driver.failMember(world.arrayName, world.freeDevice), 'NOT_FOUND');
    });

    it('refuses device names that are not block devices', async () => {
      await rejectsWithCode(
        world.driver.failMember(world.arrayName, '--zero-superblock'),
        'VALIDATION_FAILED',
      );
      await rejectsWithCode(world.driver.addSpare(world.arrayName, '../../etc/passwd'), 'VALIDATION_FAILED');
      await rejectsWithCode(world.driver.getArray('not-an-array'), 'VALIDATION_FAILED');
    });

    it('asks for confirmation before failing a member and says how to confirm', async () => {
      const error = await rejectsWithCode(
        world.driver.failMember(world.arrayName, world.members[1]),
        'CONFIRMATION_REQUIRED',
      );
      const token = error.details?.confirmToken;
      assert.equal(typeof token, 'string');
      assert.match(error.message, new RegExp(`repeat the request with confirmToken=${String(token)}`));
      assert.equal(error.details?.howToConfirm, `repeat the request with confirmToken=${String(token)}`);
      assert.equal((await world.driver.getArray(world.arrayName)).state, 'clean');
    });

    it('fails the member when the token is given: the array degrades', async () => {
      await fresh(async (w) => {
        const array = await confirmed((confirmToken) =>
          w.driver.failMember(w.arrayName, w.members[1], { confirmToken }),
        );
        assert.equal(array.state, 'degraded');
        assert.equal(array.isDegraded, true);
        assert.equal(array.members.find((m) => m.device === w.members[1])?.role, 'faulty');
      });
    });

    it('refuses a token issued for another member, and an expired token', async () => {
      await fresh(async (w) => {
        const other = await confirmationTokenOf(w.driver.failMember(w.arrayName, w.members[0]));
        const wrong = await rejectsWithCode(
          w.driver.failMember(w.arrayName, w.members[1], { confirmToken: other }),
          'CONFIRMATION_REQUIRED',
        );
        assert.equal(wrong.details?.reason, 'invalid');
        const token = await confirmationTokenOf(w.driver.failMember(w.arrayName, w.members[1]));
        w.clock.advance(121_000);
        const expired = await rejectsWithCode(
          w.driver.failMember(w.arrayName, w.members[1], { confirmToken: token }),
          'CONFIRMATION_REQUIRED',
        );
        assert.equal(expired.details?.reason, 'expired');
        assert.match(expired.message, /expired/);
        assert.equal((await w.driver.getArray(w.arrayName)).state, 'clean');
      });
    });

    it('rebuilds onto a spare added to the degraded array', async () => {
      await fresh(async (w) => {
        await confirmed((confirmToken) => w.driver.failMember(w.arrayName, w.members[1], { confirmToken }));
        const array = await confirmed((confirmToken) =>
          w.driver.addSpare(w.arrayName, w.freeDevice, { confirmToken }),
        );
        assert.equal(array.state, 'recovering');
        assert.equal(array.sync?.action, 'recover');
        const rebuilding = array.members.find((m) => m.device === w.freeDevice);
        assert.deepEqual(rebuilding, { device: w.freeDevice, role: 'active', slot: 1, isRebuilding: true });
      });
    });

    it('refuses the system disk with FORBIDDEN, before any confirmation', async () => {
      await rejectsWithCode(world.driver.addSpare(world.arrayName, world.systemDevice), 'FORBIDDEN');
      await rejectsWithCode(
        world.driver.createArray({
          name: 'md9',
          level: 'raid1',
          devices: [world.freeDevice, world.systemDevice],
        }),
        'FORBIDDEN',
      );
      const disks = await world.driver.listDisks();
      assert.ok(disks.some((d) => d.isSystemDisk && world.systemDevice.startsWith(d.device)));
    });

    it('validates create requests', async () => {
      await rejectsWithCode(
        world.driver.createArray({ name: 'md9', level: 'raid5', devices: [world.freeDevice] }),
        'VALIDATION_FAILED',
      );
      await rejectsWithCode(
        world.driver.createArray({
          name: world.arrayName,
          level: 'raid1',
          devices: [world.freeDevice, world.freeDevice],
        }),
        'VALIDATION_FAILED',
      );
    });

    it('deletes an array only with a token', async () => {
      await fresh(async (w) => {
        const error = await rejectsWithCode(w.driver.deleteArray(w.arrayName), 'CONFIRMATION_REQUIRED');
        assert.match(error.message, /confirmToken=/);
        await confirmed((confirmToken) => w.driver.deleteArray(w.arrayName, { confirmToken }));
      });
    });

    it('sets and reads back the sync speed limits in bytes per second', async () => {
      await fresh(async (w) => {
        assert.deepEqual(await w.driver.getSyncSpeedLimits(), {
          minBytesPerSecond: 1000 * 1024,
          maxBytesPerSecond: 200_000 * 1024,
        });
        await w.driver.setSyncSpeedLimits({
          minBytesPerSecond: 50 * 1024 * 1024,
          maxBytesPerSecond: 500 * 1024 * 1024,
        });
        assert.deepEqual(await w.driver.getSyncSpeedLimits(), {
          minBytesPerSecond: 50 * 1024 * 1024,
          maxBytesPerSecond: 500 * 1024 * 1024,
        });
        await rejectsWithCode(
          w.driver.setSyncSpeedLimits({ minBytesPerSecond: 2048, maxBytesPerSecond: 1024 }),
          'VALIDATION_FAILED',
        );
      });
    });
  });
}
