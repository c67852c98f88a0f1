import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { ManualClock } from '../../src/clock.js';
import { TapoP110EnergyDriver } from '../../src/energy/tapo-p110-energy-driver.js';
import { rejectsWithCode } from '../helpers/confirm.js';
import { startFakeTapoPlug, type FakeTapoPlug } from '../helpers/fake-tapo-p110.js';

const ACCOUNT = { username: 'nas@example.org', password: 'tapo-password' };

describe('TapoP110EnergyDriver', () => {
  let plug: FakeTapoPlug;
  before(async () => {
    plug = await startFakeTapoPlug(ACCOUNT);
  });
  after(async () => {
    await plug.close();
  });

  it('reads the draw in watts and the energy in watt-hours, with one handshake for several requests', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 28, 9, 32));
    const driver = new TapoP110EnergyDriver({ plugs: [{ id: 'nas', host: plug.host }], ...ACCOUNT, clock });
    const before = plug.handshakes;
    assert.deepEqual(await driver.getReading('nas'), {
      meterId: 'nas',
      powerWatts: 23.456,
      todayEnergyWh: 186,
      monthEnergyWh: 7312,
      atMs: clock.now(),
    });
    plug.currentPowerMw = 41_000;
    assert.equal((await driver.getReading('nas')).powerWatts, 41);
    assert.deepEqual(await driver.listMeters(), [{ id: 'nas', name: 'NAS plug', model: 'P110', isOn: true }]);
    assert.equal(plug.handshakes - before, 1);
  });

  it('shakes hands again once when the plug forgot the session', async () => {
    const driver = new TapoP110EnergyDriver({ plugs: [{ id: 'nas', host: plug.host }], ...ACCOUNT });
    await driver.getReading('nas');
    const before = plug.handshakes;
    plug.forgetSessions();
    await driver.getReading('nas');
    assert.equal(plug.handshakes - before, 1);
  });

  it('keeps requests in order when they are made at once', async () => {
    const driver = new TapoP110EnergyDriver({ plugs: [{ id: 'nas', host: plug.host }], ...ACCOUNT });
    const readings = await Promise.all(Array.from({ length: 8 }, () => driver.getReading('nas')));
    assert.equal(readings.length, 8);
  });

  it('says the account is wrong when the plug does not prove it knows it', async () => {
    const driver = new TapoP110EnergyDriver({
      plugs: [{ id: 'nas', host: plug.host }],
      username: ACCOUNT.username,
      password: 'wrong-password',
    });
    const err = await rejectsWithCode(driver.getReading('nas'), 'DRIVER_FAILED');
    assert.match(err.message, /does not know this Tapo account/);
  });

  it('answers DRIVER_UNAVAILABLE for a plug nobody listens for', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) =>
      closed.close(() => {
        resolve();
      }),
    );
    const driver = new TapoP110EnergyDriver({
      plugs: [{ id: 'nas', host: `127.0.0.1:${String(port)}` }],
      ...ACCOUNT,
    });
    await rejectsWithCode(driver.getReading('nas'), 'DRIVER_UNAVAILABLE');
  });

  it('answers DRIVER_TIMEOUT for a plug that never answers', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const driver = new TapoP110EnergyDriver({
        plugs: [{ id: 'nas', host: `127.0.0.1:${String(port)}` }],
        ...ACCOUNT,
        timeoutMs: 100,
      });
      await rejectsWithCode(driver.getReading('nas'), 'DRIVER_TIMEOUT');
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) =>
        silent.close(() => {
          resolve();
        }),
      );
    }
  });
});
