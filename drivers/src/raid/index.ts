import type { Clock } from '../clock.js';
import type { CommandRunner } from '../command-runner.js';
import type { ConfirmationGate } from '../confirmation.js';
import { DriverValidationError } from '../errors.js';
import { MdadmRaidDriver } from './mdadm-raid-driver.js';
import type { RaidDriver } from './raid-driver.js';
import { SimulatedRaidDriver } from './simulated-raid-driver.js';

export * from './raid-driver.js';
export { MdadmRaidDriver, type MdadmRaidDriverOptions } from './mdadm-raid-driver.js';
export {
  SimulatedRaidDriver,
  type SimulatedRaidDriverOptions,
  SIMULATED_DISK_BYTES,
  SIMULATED_RAID_STATE_FILE,
  SIMULATED_SYNC_BYTES_PER_SECOND,
} from './simulated-raid-driver.js';
export {
  parseMdstat,
  type Mdstat,
  type MdstatArray,
  type MdstatMember,
  type MdstatSync,
} from './parse-mdstat.js';
export { parseMdadmDetail, type MdadmDetail, type MdadmDetailDevice } from './parse-mdadm-detail.js';
export { parseProcMounts, type MountEntry } from './parse-proc-mounts.js';
export { toRaidArray } from './md-raid-array.js';

/** Options of {@link createRaidDriver}. */
export interface RaidDriverFactoryOptions {
  readonly mode: 'real' | 'simulated';
  readonly clock: Clock;
  readonly confirmations: ConfirmationGate;
  readonly runner: CommandRunner;
  readonly procRoot: string;
  readonly sysfsRoot: string;
  /** Required for `simulated`: where the simulation persists. */
  readonly stateDir?: string;
  readonly timeoutMs?: number;
}

/**
 * Builds the RAID driver for `mode`.
 * @throws DriverValidationError when `simulated` is asked for without a `stateDir`.
 */
export function createRaidDriver(options: RaidDriverFactoryOptions): RaidDriver {
  if (options.mode === 'simulated') {
    if (options.stateDir === undefined) {
      throw new DriverValidationError('the simulated RAID driver needs a stateDir to persist its state');
    }
    return new SimulatedRaidDriver({
      clock: options.clock,
      confirmations: options.confirmations,
      stateDir: options.stateDir,
    });
  }
  return new MdadmRaidDriver({
    runner: options.runner,
    confirmations: options.confirmations,
    procRoot: options.procRoot,
    sysfsRoot: options.sysfsRoot,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}
