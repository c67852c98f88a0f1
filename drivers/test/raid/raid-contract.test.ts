import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ManualClock } from '../../src/clock.js';
import { ConfirmationGate } from '../../src/confirmation.js';
import { SimulatedRaidDriver } from '../../src/raid/simulated-raid-driver.js';
import { makeMdadmWorld } from './mdadm-world.js';
import { raidDriverContract } from './raid-contract.js';

raidDriverContract('MdadmRaidDriver on captured mdadm output and a fake /proc and /sys', async () => {
  const world = await makeMdadmWorld();
  return {
    driver: world.driver,
    clock: world.clock,
    arrayName: 'md1',
    members: ['/dev/vda1', '/dev/vda2'],
    freeDevice: '/dev/vda4',
    systemDevice: '/dev/nvme0n1p2',
    cleanup: () => world.cleanup(),
  };
});

raidDriverContract('SimulatedRaidDriver', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'baluhost-raid-sim-'));
  const clock = new ManualClock();
  return {
    driver: new SimulatedRaidDriver({ clock, stateDir, confirmations: new ConfirmationGate({ clock }) }),
    clock,
    arrayName: 'md0',
    members: ['/dev/sda', '/dev/sdb'],
    freeDevice: '/dev/sdc',
    systemDevice: '/dev/nvme0n1',
    cleanup: () => rm(stateDir, { recursive: true, force: true }),
  };
});
