import type { Clock } from '../clock.js';
import { SimulatedTelemetryDriver } from './simulated-telemetry-driver.js';
import { SystemTelemetryDriver } from './system-telemetry-driver.js';
import type { TelemetryDriver } from './telemetry-driver.js';

export * from './telemetry-driver.js';
export { SystemTelemetryDriver, type SystemTelemetryDriverOptions } from './system-telemetry-driver.js';
export {
  SimulatedTelemetryDriver,
  type SimulatedTelemetryDriverOptions,
} from './simulated-telemetry-driver.js';

/** Options of {@link createTelemetryDriver}. */
export interface TelemetryDriverFactoryOptions {
  /**
   * `real` and `simulated` both read the real host (telemetry works everywhere);
   * `deterministic` gives the simulated host for tests.
   */
  readonly mode: 'real' | 'simulated' | 'deterministic';
  readonly clock: Clock;
}

/** Builds the telemetry driver. */
export function createTelemetryDriver(options: TelemetryDriverFactoryOptions): TelemetryDriver {
  return options.mode === 'deterministic'
    ? new SimulatedTelemetryDriver({ clock: options.clock })
    : new SystemTelemetryDriver({ clock: options.clock });
}
