import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { CommandRunner } from '../command-runner.js';
import type { SmartDriver } from './smart-driver.js';
import { SIMULATED_SMART_STATE_FILE, SimulatedSmartDriver } from './simulated-smart-driver.js';
import { SmartctlSmartDriver } from './smartctl-smart-driver.js';

export * from './smart-driver.js';
export { SmartctlSmartDriver, type SmartctlSmartDriverOptions } from './smartctl-smart-driver.js';
export {
  SIMULATED_SMART_STATE_FILE,
  SimulatedSmartDriver,
  type SimulatedSmartDriverOptions,
} from './simulated-smart-driver.js';
export { parseSmartctlReport, parseSmartctlScan, parseSmartctlSelfTest } from './parse-smartctl-json.js';

/** Options of {@link createSmartDriver}. */
export interface SmartDriverFactoryOptions {
  readonly mode: 'real' | 'simulated';
  readonly clock: Clock;
  readonly runner: CommandRunner;
  readonly timeoutMs?: number;
  /** Simulated: where its state persists (see {@link SIMULATED_SMART_STATE_FILE}); in memory when absent. */
  readonly stateDir?: string;
}

/** Builds the S.M.A.R.T. driver for `mode`. */
export function createSmartDriver(options: SmartDriverFactoryOptions): SmartDriver {
  if (options.mode === 'simulated') {
    return new SimulatedSmartDriver({
      clock: options.clock,
      ...(options.stateDir === undefined
        ? {}
        : { stateFile: join(options.stateDir, SIMULATED_SMART_STATE_FILE) }),
    });
  }
  return new SmartctlSmartDriver({
    runner: options.runner,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}
