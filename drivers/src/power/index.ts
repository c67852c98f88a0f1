import { CpufreqPowerDriver } from './cpufreq-power-driver.js';
import type { PowerDriver } from './power-driver.js';
import { SimulatedPowerDriver } from './simulated-power-driver.js';

export * from './power-driver.js';
export { CpufreqPowerDriver, type CpufreqPowerDriverOptions } from './cpufreq-power-driver.js';
export { SimulatedPowerDriver, type SimulatedPowerDriverOptions } from './simulated-power-driver.js';
export { resolveProfile, summarisePower, type PowerCapabilities } from './power-profiles.js';

/** Options of {@link createPowerDriver}. */
export interface PowerDriverFactoryOptions {
  readonly mode: 'real' | 'simulated';
  readonly sysfsRoot: string;
}

/** Builds the power driver for `mode`. */
export function createPowerDriver(options: PowerDriverFactoryOptions): PowerDriver {
  return options.mode === 'simulated'
    ? new SimulatedPowerDriver()
    : new CpufreqPowerDriver({ sysfsRoot: options.sysfsRoot });
}
