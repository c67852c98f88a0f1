import { ManualClock } from '../../src/clock.js';
import { SimulatedEnergyDriver } from '../../src/energy/simulated-energy-driver.js';
import { TapoP110EnergyDriver } from '../../src/energy/tapo-p110-energy-driver.js';
import { startFakeTapoPlug } from '../helpers/fake-tapo-p110.js';
import { energyDriverContract } from './energy-contract.js';

energyDriverContract('SimulatedEnergyDriver', () =>
  Promise.resolve({
    driver: new SimulatedEnergyDriver({ clock: new ManualClock() }),
    cleanup: () => Promise.resolve(),
  }),
);

energyDriverContract('TapoP110EnergyDriver against a KLAP plug on loopback', async () => {
  const account = { username: 'nas@example.org', password: 'tapo-password' };
  const plug = await startFakeTapoPlug(account);
  return {
    driver: new TapoP110EnergyDriver({ plugs: [{ id: 'nas', host: plug.host }], ...account }),
    cleanup: () => plug.close(),
  };
});
