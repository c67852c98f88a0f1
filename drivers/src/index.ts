/**
 * @baluhost/drivers: one interface per device family (RAID, S.M.A.R.T., CPU power, fans,
 * telemetry), each with a real backend and a simulated one. See README.md.
 */
import type { Clock } from './clock.js';
import { SYSTEM_CLOCK } from './clock.js';
import type { CommandRunner } from './command-runner.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, ExecFileCommandRunner } from './command-runner.js';
import { ConfirmationGate } from './confirmation.js';
import { DriverValidationError } from './errors.js';
import type { FanDriver } from './fans/index.js';
import { createFanDriver } from './fans/index.js';
import type { PowerDriver } from './power/index.js';
import { createPowerDriver } from './power/index.js';
import type { RaidDriver } from './raid/index.js';
import { createRaidDriver } from './raid/index.js';
import type { SmartDriver } from './smart/index.js';
import { createSmartDriver } from './smart/index.js';
import type { TelemetryDriver } from './telemetry/index.js';
import { createTelemetryDriver } from './telemetry/index.js';

export * from './errors.js';
export * from './clock.js';
export * from './command-runner.js';
export * from './confirmation.js';
export * from './raid/index.js';
export * from './smart/index.js';
export * from './power/index.js';
export * from './fans/index.js';
export * from './telemetry/index.js';
// Energy meters are not a DRIVER_FAMILIES member: the server builds its energy driver from settings it stores
// (plug address, account), and rebuilds it when they change.
export * from './energy/index.js';

/** The device families. */
export const DRIVER_FAMILIES = ['raid', 'smart', 'power', 'fans', 'telemetry'] as const;
/** One of {@link DRIVER_FAMILIES}. */
export type DriverFamily = (typeof DRIVER_FAMILIES)[number];

/** Which backend a family uses. */
export const DRIVER_MODES = ['real', 'simulated'] as const;
/** One of {@link DRIVER_MODES}. */
export type DriverMode = (typeof DRIVER_MODES)[number];

/** Options of {@link createDrivers}. */
export interface CreateDriversOptions {
  /** The backend of every family... */
  readonly mode: DriverMode;
  /** ...unless overridden here, e.g. `{ raid: 'simulated' }` on a dev box with real fans. */
  readonly familyModes?: Partial<Record<DriverFamily, DriverMode>>;
  /** Where simulated backends persist their state (required when RAID is simulated; S.M.A.R.T. keeps it in memory without). */
  readonly stateDir?: string;
  /** Default `/sys`. */
  readonly sysfsRoot?: string;
  /** Default `/proc`. */
  readonly procRoot?: string;
  /** Default: an {@link ExecFileCommandRunner} inheriting the environment. */
  readonly runner?: CommandRunner;
  /** Default: the wall clock. */
  readonly clock?: Clock;
  /** Timeout of each mdadm/smartctl call (default 30 s). */
  readonly commandTimeoutMs?: number;
  /** HMAC key of confirmation tokens; give all workers the same one (default: random per process). */
  readonly confirmationSecret?: string | Uint8Array;
  /** Lifetime of confirmation tokens (default 120 s). */
  readonly confirmationTtlMs?: number;
  /**
   * Telemetry reads the real host in both modes (it works everywhere). Set this to get the
   * deterministic simulated host instead, for server tests.
   */
  readonly isTelemetryDeterministic?: boolean;
}

/** The drivers of every family, and the modes chosen (for the boot log). */
export interface Drivers {
  readonly raid: RaidDriver;
  readonly smart: SmartDriver;
  readonly power: PowerDriver;
  readonly fans: FanDriver;
  readonly telemetry: TelemetryDriver;
  readonly modes: Readonly<Record<DriverFamily, DriverMode>>;
}

function checkMode(value: unknown, where: string): DriverMode {
  if (!(DRIVER_MODES as readonly unknown[]).includes(value)) {
    throw new DriverValidationError(`${where} must be "real" or "simulated", got ${JSON.stringify(value)}`, {
      details: { [where]: value },
    });
  }
  return value as DriverMode;
}

/**
 * Builds every driver. Construction does no I/O: a missing tool or sysfs file surfaces as
 * DRIVER_UNAVAILABLE on first use.
 * @throws DriverValidationError for an unknown mode or family, or a simulated RAID without `stateDir`.
 */
export function createDrivers(options: CreateDriversOptions): Drivers {
  const defaultMode = checkMode(options.mode, 'mode');
  const overrides = options.familyModes ?? {};
  for (const key of Object.keys(overrides)) {
    if (!(DRIVER_FAMILIES as readonly string[]).includes(key)) {
      throw new DriverValidationError(
        `unknown driver family "${key}"; families are ${DRIVER_FAMILIES.join(', ')}`,
      );
    }
  }
  const modeOf = (family: DriverFamily): DriverMode => {
    const override = overrides[family];
    return override === undefined ? defaultMode : checkMode(override, `familyModes.${family}`);
  };
  const modes: Record<DriverFamily, DriverMode> = {
    raid: modeOf('raid'),
    smart: modeOf('smart'),
    power: modeOf('power'),
    fans: modeOf('fans'),
    telemetry: modeOf('telemetry'),
  };
  const clock = options.clock ?? SYSTEM_CLOCK;
  const runner = options.runner ?? new ExecFileCommandRunner();
  const sysfsRoot = options.sysfsRoot ?? '/sys';
  const procRoot = options.procRoot ?? '/proc';
  const timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const confirmations = new ConfirmationGate({
    clock,
    ...(options.confirmationSecret === undefined ? {} : { secret: options.confirmationSecret }),
    ...(options.confirmationTtlMs === undefined ? {} : { ttlMs: options.confirmationTtlMs }),
  });
  return {
    raid: createRaidDriver({
      mode: modes.raid,
      clock,
      confirmations,
      runner,
      procRoot,
      sysfsRoot,
      timeoutMs,
      ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
    }),
    smart: createSmartDriver({
      mode: modes.smart,
      clock,
      runner,
      timeoutMs,
      ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
    }),
    power: createPowerDriver({ mode: modes.power, sysfsRoot }),
    fans: createFanDriver({ mode: modes.fans, clock, sysfsRoot }),
    telemetry: createTelemetryDriver({
      mode: options.isTelemetryDeterministic === true ? 'deterministic' : modes.telemetry,
      // Always the host's own /proc and /sys: the fake trees given for the other families (RAID, power, fans)
      // must not turn the host's load and memory into errors.
      clock,
    }),
    modes,
  };
}
