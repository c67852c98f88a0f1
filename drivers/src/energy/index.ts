import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { EnergyDriver } from './energy-driver.js';
import { SIMULATED_ENERGY_STATE_FILE, SimulatedEnergyDriver } from './simulated-energy-driver.js';
import { TapoP110EnergyDriver, type TapoPlug } from './tapo-p110-energy-driver.js';
import { DriverValidationError } from '../errors.js';

export * from './energy-driver.js';
export {
  SIMULATED_ENERGY_STATE_FILE,
  SimulatedEnergyDriver,
  type SimulatedEnergyDriverOptions,
} from './simulated-energy-driver.js';
export {
  TapoP110EnergyDriver,
  type TapoP110EnergyDriverOptions,
  type TapoPlug,
} from './tapo-p110-energy-driver.js';
export { parseTapoDeviceInfo, parseTapoEnergyUsage, unwrapTapoResponse } from './parse-tapo-energy.js';
export { KlapSession, klapAuthHash, klapClientProof, klapServerProof } from './tapo-klap.js';

/** Options of {@link createEnergyDriver}. */
export interface EnergyDriverFactoryOptions {
  readonly mode: 'real' | 'simulated';
  readonly clock: Clock;
  /** Simulated: the CPU load the draw follows. */
  readonly loadPercent?: () => number | Promise<number>;
  /** Simulated: where its counters persist (see {@link SIMULATED_ENERGY_STATE_FILE}); in memory when absent. */
  readonly stateDir?: string;
  /** Real: the Tapo plugs and the account they are bound to. */
  readonly plugs?: readonly TapoPlug[];
  readonly username?: string;
  readonly password?: string;
}

/**
 * Builds the energy driver for `mode`.
 * @throws DriverValidationError for the real backend without plugs or credentials.
 */
export function createEnergyDriver(options: EnergyDriverFactoryOptions): EnergyDriver {
  if (options.mode === 'simulated') {
    return new SimulatedEnergyDriver({
      clock: options.clock,
      ...(options.loadPercent === undefined ? {} : { loadPercent: options.loadPercent }),
      ...(options.stateDir === undefined
        ? {}
        : { stateFile: join(options.stateDir, SIMULATED_ENERGY_STATE_FILE) }),
    });
  }
  if (!options.plugs?.length || options.username === undefined || options.password === undefined) {
    throw new DriverValidationError('The Tapo energy driver needs plugs, a username and a password.');
  }
  return new TapoP110EnergyDriver({
    plugs: options.plugs,
    username: options.username,
    password: options.password,
    clock: options.clock,
  });
}
