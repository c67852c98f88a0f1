import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { ManualClock } from '../../src/clock.js';
import { SimulatedSmartDriver } from '../../src/smart/simulated-smart-driver.js';
import { rejectsWithCode } from '../helpers/confirm.js';

describe('SimulatedSmartDriver', () => {
  it('offers the disks of the RAID simulation', async () => {
    const smart = new SimulatedSmartDriver({ clock: new ManualClock() });
    assert.deepEqual(
      (await smart.listDevices()).map((d) => [d.device, d.protocol]),
      [
        ['/dev/sda', 'ATA'],
        ['/dev/sdb', 'ATA'],
        ['/dev/sdc', 'ATA'],
        ['/dev/sdd', 'ATA'],
        ['/dev/nvme0n1', 'NVMe'],
      ],
    );
    await rejectsWithCode(smart.getReport('/dev/sdz'), 'NOT_FOUND');
  });

  it('ages with the clock and wobbles the temperature, the same way for the same clock', async () => {
    const clock = new ManualClock();
    const smart = new SimulatedSmartDriver({ clock });
    const first = await smart.getReport('/dev/sda');
    clock.advance(7.5 * 60_000);
    const later = await smart.getReport('/dev/sda');
    clock.advance(2 * 3_600_000);
    const hoursLater = await smart.getReport('/dev/sda');
    assert.equal(first.powerOnSeconds, 1000 * 3600);
    assert.equal(first.temperatureCelsius, 33);
    assert.equal(later.temperatureCelsius, 35);
    assert.equal(hoursLater.powerOnSeconds, 1002 * 3600);
    assert.equal(hoursLater.attributes.find((a) => a.id === 9)?.raw, 1002);
    const twin = new SimulatedSmartDriver({ clock });
    assert.deepEqual(await twin.getReport('/dev/sda'), hoursLater);
  });

  it('fails a disk on request: health FAILED and bad sectors that rise with time', async () => {
    const clock = new ManualClock();
    const smart = new SimulatedSmartDriver({ clock });
    await smart.setFailing('/dev/sdb', true);
    const start = await smart.getReport('/dev/sdb');
    clock.advance(5 * 60_000);
    const later = await smart.getReport('/dev/sdb');
    const raw = (r: typeof start, id: number) => r.attributes.find((a) => a.id === id)?.raw;
    assert.equal(start.health, 'FAILED');
    assert.equal(raw(start, 5), 8);
    assert.equal(raw(later, 5), 68);
    assert.equal(raw(start, 197), 2);
    assert.equal(raw(later, 197), 17);
    assert.equal(later.attributes.find((a) => a.id === 5)?.isFailingNow, true);
    await smart.setFailing('/dev/sdb', false);
    assert.equal((await smart.getReport('/dev/sdb')).health, 'PASSED');
  });

  it('fails an NVMe drive with media errors and a critical warning', async () => {
    const smart = new SimulatedSmartDriver({ clock: new ManualClock() });
    await smart.setFailing('/dev/nvme0n1', true);
    const r = await smart.getReport('/dev/nvme0n1');
    assert.equal(r.health, 'FAILED');
    assert.equal(r.nvme?.criticalWarning, 4);
    assert.equal(r.nvme.mediaErrors, 3);
  });

  it('runs a short self-test for two minutes, then logs it', async () => {
    const clock = new ManualClock();
    const smart = new SimulatedSmartDriver({ clock });
    await smart.startSelfTest('/dev/sda', 'short');
    clock.advance(30_000);
    assert.deepEqual(await smart.getSelfTestStatus('/dev/sda'), {
      isRunning: true,
      remainingPercent: 80,
      log: [],
    });
    await rejectsWithCode(smart.startSelfTest('/dev/sda', 'long'), 'VALIDATION_FAILED');
    clock.advance(90_000);
    const done = await smart.getSelfTestStatus('/dev/sda');
    assert.equal(done.isRunning, false);
    assert.deepEqual(done.log, [
      {
        type: 'Short offline',
        status: 'Completed without error',
        isPassed: true,
        lifetimeSeconds: 1000 * 3600,
      },
    ]);
  });

  it('keeps a failing drive and its self-tests across a restart when given a state file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'smart-sim-'));
    try {
      const stateFile = path.join(dir, 'smart-simulation.json');
      const clock = new ManualClock();
      const first = new SimulatedSmartDriver({ clock, stateFile });
      await first.setFailing('/dev/sdd', true);
      await first.startSelfTest('/dev/sda', 'short');
      clock.advance(10 * 60_000);
      const before = await first.getReport('/dev/sdd');

      const second = new SimulatedSmartDriver({ clock, stateFile });
      assert.deepEqual(await second.getReport('/dev/sdd'), before);
      assert.equal((await second.getSelfTestStatus('/dev/sda')).log.length, 1);
      clock.advance(60_000);
      const raw = (r: typeof before) => r.attributes.find((a) => a.id === 5)?.raw;
      assert.equal(raw(await second.getReport('/dev/sdd')), (raw(before) ?? 0) + 12);

      await second.setFailing('/dev/sdd', false);
      const third = new SimulatedSmartDriver({ clock, stateFile });
      assert.equal((await third.getReport('/dev/sdd')).health, 'PASSED');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a state file that is not its own, naming it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'smart-sim-'));
    try {
      const stateFile = path.join(dir, 'smart-simulation.json');
      await writeFile(stateFile, JSON.stringify({ arrays: [] }));
      const smart = new SimulatedSmartDriver({ clock: new ManualClock(), stateFile });
      await rejectsWithCode(smart.listDevices(), 'DRIVER_FAILED');
      assert.match(await readFile(stateFile, 'utf8'), /arrays/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
