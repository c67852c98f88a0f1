import type { Clock } from '../clock.js';
import type { FanDriver } from './fan-driver.js';
import { HwmonFanDriver } from './hwmon-fan-driver.js';
import { SimulatedFanDriver } from './simulated-fan-driver.js';

export * from './fan-driver.js';
export { HwmonFanDriver, type HwmonFanDriverOptions } from './hwmon-fan-driver.js';
export { SimulatedFanDriver, type SimulatedFanDriverOptions } from './simulated-fan-driver.js';
export * from './fan-curve.js';
export * from './fan-control-loop.js';
export { parseHwmonAttributes, fanModeFromEnable, type HwmonChannels } from './parse-hwmon-attributes.js';

/** Options of {@link createFanDriver}. */
export interface FanDriverFactoryOptions {
  readonly mode: 'real' | 'simulated';
  readonly clock: Clock;
  readonly sysfsRoot: string;
}

/** Builds the fan driver for `mode`. */
export function createFanDriver(options: FanDriverFactoryOptions): FanDriver {
  return options.mode === 'simulated'
    ? new SimulatedFanDriver({ clock: options.clock })
    : new HwmonFanDriver({ sysfsRoot: options.sysfsRoot });
}
