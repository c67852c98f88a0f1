import path from 'node:path';
import {
  createDrivers,
  DRIVER_FAMILIES,
  FanControlLoop,
  SimulatedRaidDriver,
  SimulatedSmartDriver,
  SYSTEM_CLOCK,
  validateFanCurve,
  type Clock,
  type CreateRaidArrayRequest,
  type DriverFamily,
  type DriverMode,
  type Drivers,
  type Fan,
  type FanCurve,
  type FanCurveInput,
  type FanTickResult,
  type FrequencyLimits,
  type IntervalTimer,
  type PowerProfileName,
  type PowerProfileSettings,
  type PowerStatus,
  type RaidArray,
  type RaidDisk,
  type RaidSyncSpeedLimits,
  type SmartHealth,
  type SmartProtocol,
  type SmartReport,
  type SmartSelfTestStatus,
  type SmartSelfTestType,
  type TemperatureSensor,
} from '@baluhost/drivers';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import { nowIso } from '../db/index.js';
import { ConflictError, NotFoundError, ValidationError, isAppError } from '../errors/index.js';
import type { ErrorCode } from '../errors/index.js';
import { loadOrCreateSecret } from '../keys.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { AuditActor, AuditService } from '../services/audit-service.js';
import { callDriver } from './driver-errors.js';
import { FanCurveStore, type StoredFanCurve } from './fan-curve-store.js';

/** Options of {@link HardwareService}. */
export interface HardwareServiceOptions {
  readonly db: Db;
  readonly config: Config;
  readonly audit: AuditService;
  /** Clock of the drivers, their simulations and the fan loop (wall clock by default; a ManualClock in tests). */
  readonly clock?: Clock;
  /** Clock of database timestamps (the services' clock). */
  readonly serverClock?: () => number;
  /** Timer of the fan control loop (the global timers by default). */
  readonly timer?: IntervalTimer;
  /** Component logger (`component: 'hardware'`); nothing is logged when absent (CLI). */
  readonly logger?: Logger;
  /** Where the real backends read procfs and sysfs (`/proc`, `/sys` by default; fake trees in tests). */
  readonly procRoot?: string;
  readonly sysfsRoot?: string;
}

/** The backend each family uses under this configuration. */
export function hardwareModes(config: Config): Readonly<Record<DriverFamily, DriverMode>> {
  return {
    raid: config.hardwareRaidMode ?? config.hardwareMode,
    smart: config.hardwareSmartMode ?? config.hardwareMode,
    power: config.hardwarePowerMode ?? config.hardwareMode,
    fans: config.hardwareFansMode ?? config.hardwareMode,
    telemetry: config.hardwareTelemetryMode ?? config.hardwareMode,
  };
}

/** Name of the key file (under `<data dir>/keys`) that signs RAID confirmation tokens. */
export const CONFIRMATION_SECRET_KEY = 'hardware-confirmation-secret';
/** How long a hottest-disk reading is reused by the fan loop (smartctl wakes nothing, but it is slow). */
const HOTTEST_DISK_CACHE_MS = 60_000;
/** Driver errors that mean an action was attempted and failed, and so belong in the audit trail. */
const AUDITED_FAILURES: ReadonlySet<ErrorCode> = new Set([
  'DRIVER_UNAVAILABLE',
  'DRIVER_FAILED',
  'DRIVER_TIMEOUT',
  'FORBIDDEN',
]);

export interface RaidOverview {
  readonly mode: DriverMode;
  readonly arrays: readonly RaidArray[];
  readonly disks: readonly RaidDisk[];
  readonly speedLimits: RaidSyncSpeedLimits;
}

/** One drive in the S.M.A.R.T. list: its health summary, or why it could not be read. */
export interface SmartDeviceSummary {
  readonly device: string;
  readonly type: string;
  readonly protocol: SmartProtocol;
  readonly model: string | null;
  readonly serial: string | null;
  readonly capacityBytes: number | null;
  readonly health: SmartHealth;
  readonly temperatureCelsius: number | null;
  readonly powerOnSeconds: number | null;
  readonly warnings: readonly string[];
  readonly isSelfTestRunning: boolean;
  /** Why the report could not be read; null when it was. */
  readonly error: string | null;
}

export interface PowerOverview {
  readonly mode: DriverMode;
  readonly status: PowerStatus;
  readonly profiles: readonly PowerProfileSettings[];
}

export interface FanCurveView extends StoredFanCurve {
  readonly fanId: string;
  /** The last control step of this fan; null before the first. */
  readonly lastTick: FanTickResult | null;
}

export interface FansOverview {
  readonly mode: DriverMode;
  readonly fans: readonly Fan[];
  readonly sensors: readonly TemperatureSensor[];
  readonly curves: readonly FanCurveView[];
}

export type FanControlMode = 'auto' | 'manual' | 'curve';

export interface TelemetrySnapshot {
  readonly cpu: Awaited<ReturnType<Drivers['telemetry']['getCpuLoad']>>;
  readonly memory: Awaited<ReturnType<Drivers['telemetry']['getMemory']>>;
  readonly network: Awaited<ReturnType<Drivers['telemetry']['getNetwork']>>;
  readonly diskIo: Awaited<ReturnType<Drivers['telemetry']['getDiskIo']>>;
  readonly fileSystems: Awaited<ReturnType<Drivers['telemetry']['getFileSystems']>>;
  readonly uptimeSeconds: number;
  readonly processes: Awaited<ReturnType<Drivers['telemetry']['getTopProcesses']>>;
}

/**
 * The NAS hardware as the API sees it: RAID, S.M.A.R.T., CPU power, fans and telemetry over
 * `@baluhost/drivers`, real or simulated per family (BALUHOST_HARDWARE, BALUHOST_HARDWARE__<FAMILY>).
 *
 * - Every driver error leaves as an AppError with the same code (see driver-errors.ts), the driver
 *   error as its cause: DRIVER_UNAVAILABLE/DRIVER_FAILED 503, DRIVER_TIMEOUT 504, CONFIRMATION_REQUIRED
 *   428, VALIDATION_FAILED 400, NOT_FOUND 404, FORBIDDEN 403.
 * - Every change is audited (`raid.*`, `smart.*`, `power.*`, `fans.*`); attempts that reached the
 *   hardware and failed are audited as failures.
 * - Destructive RAID actions are two-step: without `confirmToken` they throw CONFIRMATION_REQUIRED
 *   whose details carry the token. Tokens are HMACs under `<data dir>/keys/hardware-confirmation-secret`,
 *   so they survive restarts and every worker accepts them.
 * - The simulated RAID and S.M.A.R.T. (failing drives, self-tests) persist under `<data dir>/hardware`.
 * - Fan curves live in the `settings` table (`fans.curves`); {@link HardwareService.start} binds the
 *   active ones to the fan control loop, {@link HardwareService.close} hands the fans back to their
 *   automatic mode.
 *
 * Construction does no I/O: the drivers are built on first use.
 */
export class HardwareService {
  readonly modes: Readonly<Record<DriverFamily, DriverMode>>;
  private readonly db: Db;
  private readonly config: Config;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  private readonly serverClock: () => number;
  private readonly timer: IntervalTimer | undefined;
  private readonly logger: Logger;
  private readonly roots: { procRoot?: string; sysfsRoot?: string };
  private readonly curves: FanCurveStore;
  private built: Drivers | null = null;
  private loop: FanControlLoop | null = null;
  private readonly lastTicks = new Map<string, FanTickResult>();
  private hottestDisk: { atMs: number; celsius: number | null } | null = null;

  constructor(options: HardwareServiceOptions) {
    this.db = options.db;
    this.config = options.config;
    this.audit = options.audit;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.serverClock = options.serverClock ?? Date.now;
    this.timer = options.timer;
    this.logger = options.logger ?? createLogger('fatal');
    this.roots = {
      ...(options.procRoot === undefined ? {} : { procRoot: options.procRoot }),
      ...(options.sysfsRoot === undefined ? {} : { sysfsRoot: options.sysfsRoot }),
    };
    this.curves = new FanCurveStore(options.db);
    this.modes = hardwareModes(options.config);
  }

  /**
   * Logs the backend of each family, binds the active fan curves, runs one control step and starts
   * the fan control loop.
   * Curves that no longer apply (a fan that is gone) are logged and skipped, never fatal.
   */
  async start(): Promise<void> {
    for (const family of DRIVER_FAMILIES) {
      this.logger.info({ family, backend: this.modes[family] }, 'hardware backend');
    }
    const { curves, invalid } = await this.curves.read();
    if (invalid.length > 0) this.logger.warn({ fans: invalid }, 'ignoring unreadable stored fan curves');
    for (const [fanId, stored] of curves) {
      if (!stored.isActive) continue;
      try {
        this.fanLoop.bind({ fanId, curve: stored.curve, input: stored.input });
      } catch (err) {
        this.logger.warn({ fanId, err }, 'stored fan curve not applied');
      }
    }
    // Take the fans over now rather than one interval later.
    if (this.fanLoop.bindings().length > 0) await this.fanLoop.tick();
    this.fanLoop.start();
  }

  /** Stops the fan loop, handing every curve-driven fan back to its automatic mode. */
  async close(): Promise<void> {
    if (this.loop !== null) await this.loop.stop();
  }

  // --- RAID ------------------------------------------------------------------------------------

  /** Arrays, candidate disks and md's sync speed limits. */
  async raidOverview(): Promise<RaidOverview> {
    const raid = this.drivers.raid;
    const [arrays, disks, speedLimits] = await callDriver(() =>
      Promise.all([raid.listArrays(), raid.listDisks(), raid.getSyncSpeedLimits()]),
    );
    return { mode: this.modes.raid, arrays, disks, speedLimits };
  }

  /** One array. @throws NotFoundError. */
  getArray(name: string): Promise<RaidArray> {
    return callDriver(() => this.drivers.raid.getArray(name));
  }

  /** Creates an array (two-step). */
  createArray(
    principal: AuditActor,
    request: CreateRaidArrayRequest,
    confirmToken: string | undefined,
  ): Promise<RaidArray> {
    return this.change(
      principal,
      'raid.create_array',
      request.name,
      { level: request.level, devices: request.devices, spares: request.spares ?? [] },
      () => this.drivers.raid.createArray(request, { ...tokenOf(confirmToken) }),
    );
  }

  /** Adds an active member (two-step: it wipes the device). */
  addMember(
    principal: AuditActor,
    arrayName: string,
    device: string,
    confirmToken: string | undefined,
  ): Promise<RaidArray> {
    return this.change(principal, 'raid.add_member', arrayName, { device }, () =>
      this.drivers.raid.addMember(arrayName, device, tokenOf(confirmToken)),
    );
  }

  /** Adds a hot spare (two-step: it wipes the device); a degraded array starts rebuilding onto it. */
  addSpare(
    principal: AuditActor,
    arrayName: string,
    device: string,
    confirmToken: string | undefined,
  ): Promise<RaidArray> {
    return this.change(principal, 'raid.add_spare', arrayName, { device }, () =>
      this.drivers.raid.addSpare(arrayName, device, tokenOf(confirmToken)),
    );
  }

  /** Removes a member (two-step). */
  removeMember(
    principal: AuditActor,
    arrayName: string,
    device: string,
    confirmToken: string | undefined,
  ): Promise<RaidArray> {
    return this.change(principal, 'raid.remove_member', arrayName, { device }, () =>
      this.drivers.raid.removeMember(arrayName, device, tokenOf(confirmToken)),
    );
  }

  /** Marks a member faulty (two-step). */
  failMember(
    principal: AuditActor,
    arrayName: string,
    device: string,
    confirmToken: string | undefined,
  ): Promise<RaidArray> {
    return this.change(principal, 'raid.fail_member', arrayName, { device }, () =>
      this.drivers.raid.failMember(arrayName, device, tokenOf(confirmToken)),
    );
  }

  /** Starts a scrub; returns the array as it now is. */
  async startCheck(principal: AuditActor, arrayName: string): Promise<RaidArray> {
    await this.change(principal, 'raid.start_check', arrayName, null, () =>
      this.drivers.raid.startCheck(arrayName),
    );
    return this.getArray(arrayName);
  }

  /** Stops a running scrub; returns the array as it now is. */
  async stopCheck(principal: AuditActor, arrayName: string): Promise<RaidArray> {
    await this.change(principal, 'raid.stop_check', arrayName, null, () =>
      this.drivers.raid.stopCheck(arrayName),
    );
    return this.getArray(arrayName);
  }

  /** Sets md's global resync speed limits. */
  async setSpeedLimits(principal: AuditActor, limits: RaidSyncSpeedLimits): Promise<RaidSyncSpeedLimits> {
    await this.change(principal, 'raid.set_speed_limits', null, { ...limits }, () =>
      this.drivers.raid.setSyncSpeedLimits(limits),
    );
    return callDriver(() => this.drivers.raid.getSyncSpeedLimits());
  }

  /** Stops an array and wipes its members (two-step). */
  deleteArray(principal: AuditActor, arrayName: string, confirmToken: string | undefined): Promise<void> {
    return this.change(principal, 'raid.delete_array', arrayName, null, () =>
      this.drivers.raid.deleteArray(arrayName, tokenOf(confirmToken)),
    );
  }

  /** Simulation hook: plugs in a new virtual disk. @throws NotFoundError unless RAID is simulated. */
  async addSimulatedDisk(
    principal: AuditActor,
    device: string,
    sizeBytes: number | undefined,
  ): Promise<RaidDisk[]> {
    const raid = this.simulatedRaid();
    await this.change(principal, 'raid.simulation.add_disk', device, { sizeBytes: sizeBytes ?? null }, () =>
      raid.addVirtualDisk(device, sizeBytes),
    );
    return callDriver(() => raid.listDisks());
  }

  /** Simulation hook: back to md0 clean over sda + sdb. @throws NotFoundError unless RAID is simulated. */
  async resetRaidSimulation(principal: AuditActor): Promise<RaidOverview> {
    const raid = this.simulatedRaid();
    await this.change(principal, 'raid.simulation.reset', null, null, () => raid.reset());
    return this.raidOverview();
  }

  // --- S.M.A.R.T. ------------------------------------------------------------------------------

  /** Every drive with its health summary; a drive whose report fails is listed with the error. */
  async smartDevices(): Promise<{ mode: DriverMode; devices: SmartDeviceSummary[] }> {
    const smart = this.drivers.smart;
    const devices = await callDriver(() => smart.listDevices());
    const summaries = await Promise.all(
      devices.map(async (d): Promise<SmartDeviceSummary> => {
        try {
          const r = await smart.getReport(d.device);
          return {
            device: d.device,
            type: d.type,
            protocol: r.protocol,
            model: r.model,
            serial: r.serial,
            capacityBytes: r.capacityBytes,
            health: r.health,
            temperatureCelsius: r.temperatureCelsius,
            powerOnSeconds: r.powerOnSeconds,
            warnings: r.warnings,
            isSelfTestRunning: r.selfTest.isRunning,
            error: null,
          };
        } catch (err) {
          return {
            device: d.device,
            type: d.type,
            protocol: d.protocol,
            model: null,
            serial: null,
            capacityBytes: null,
            health: 'UNKNOWN',
            temperatureCelsius: null,
            powerOnSeconds: null,
            warnings: [],
            isSelfTestRunning: false,
            error: messageOf(err),
          };
        }
      }),
    );
    return { mode: this.modes.smart, devices: summaries };
  }

  /** The full report of one drive (`device` is the kernel name, e.g. `sda`). */
  smartReport(device: string): Promise<SmartReport> {
    return callDriver(() => this.drivers.smart.getReport(devPath(device)));
  }

  /** Self-test state and log of one drive. */
  smartSelfTests(device: string): Promise<SmartSelfTestStatus> {
    return callDriver(() => this.drivers.smart.getSelfTestStatus(devPath(device)));
  }

  /** Starts a self-test; returns the self-test state. */
  async startSmartSelfTest(
    principal: AuditActor,
    device: string,
    type: SmartSelfTestType,
  ): Promise<SmartSelfTestStatus> {
    await this.change(principal, 'smart.start_self_test', devPath(device), { type }, () =>
      this.drivers.smart.startSelfTest(devPath(device), type),
    );
    return this.smartSelfTests(device);
  }

  /** Simulation hook: a drive starts (or stops) failing. @throws NotFoundError unless S.M.A.R.T. is simulated. */
  async simulateSmartFailure(
    principal: AuditActor,
    device: string,
    isFailing: boolean,
  ): Promise<SmartReport> {
    const smart = this.drivers.smart;
    if (!(smart instanceof SimulatedSmartDriver)) throw notSimulated('smart', 'BALUHOST_HARDWARE__SMART');
    await this.change(principal, 'smart.simulation.set_failing', devPath(device), { isFailing }, () =>
      smart.setFailing(devPath(device), isFailing),
    );
    return this.smartReport(device);
  }

  // --- CPU power -------------------------------------------------------------------------------

  async powerOverview(): Promise<PowerOverview> {
    const power = this.drivers.power;
    const [status, profiles] = await callDriver(() => Promise.all([power.getStatus(), power.listProfiles()]));
    return { mode: this.modes.power, status, profiles };
  }

  applyPowerProfile(principal: AuditActor, name: PowerProfileName): Promise<PowerStatus> {
    return this.change(principal, 'power.apply_profile', name, null, () =>
      this.drivers.power.applyProfile(name),
    );
  }

  async setGovernor(principal: AuditActor, governor: string): Promise<PowerStatus> {
    await this.change(principal, 'power.set_governor', governor, null, () =>
      this.drivers.power.setGovernor(governor),
    );
    return callDriver(() => this.drivers.power.getStatus());
  }

  async setEnergyPerformancePreference(principal: AuditActor, preference: string): Promise<PowerStatus> {
    await this.change(principal, 'power.set_energy_performance_preference', preference, null, () =>
      this.drivers.power.setEnergyPerformancePreference(preference),
    );
    return callDriver(() => this.drivers.power.getStatus());
  }

  async setFrequencyLimits(principal: AuditActor, limits: FrequencyLimits): Promise<PowerStatus> {
    await this.change(principal, 'power.set_limits', null, { ...limits }, () =>
      this.drivers.power.setFrequencyLimits(limits),
    );
    return callDriver(() => this.drivers.power.getStatus());
  }

  // --- Fans ------------------------------------------------------------------------------------

  async fansOverview(): Promise<FansOverview> {
    const fans = this.drivers.fans;
    const [list, sensors] = await callDriver(() => Promise.all([fans.listFans(), fans.listSensors()]));
    const { curves } = await this.curves.read();
    return {
      mode: this.modes.fans,
      fans: list,
      sensors,
      curves: [...curves].map(([fanId, stored]) => ({
        fanId,
        ...stored,
        lastTick: this.lastTicks.get(fanId) ?? null,
      })),
    };
  }

  /**
   * Stores a fan's curve and puts the fan under it at once (one control step runs now).
   * @throws NotFoundError for an unknown fan or sensor; ValidationError for an invalid curve or a fan without PWM.
   */
  async setFanCurve(
    principal: AuditActor,
    fanId: string,
    curve: FanCurve,
    input: FanCurveInput,
  ): Promise<FanCurveView> {
    await this.controllableFan(fanId);
    if (input.kind === 'sensor') {
      const sensors = await callDriver(() => this.drivers.fans.listSensors());
      if (!sensors.some((s) => s.id === input.sensorId)) {
        throw new NotFoundError(`Temperature sensor ${input.sensorId} does not exist.`);
      }
    }
    await callDriver(() => Promise.resolve(validateFanCurve(curve)));
    const stored: StoredFanCurve = { curve, input, isActive: true };
    await this.saveCurve(principal, fanId, stored, 'fans.set_curve', { curve, input });
    this.fanLoop.bind({ fanId, curve, input });
    await this.fanLoop.tick();
    return { fanId, ...stored, lastTick: this.lastTicks.get(fanId) ?? null };
  }

  /**
   * `auto`: the chip's own control; `manual`: hold the current duty; `curve`: the stored curve again.
   * @throws NotFoundError; ConflictError for `curve` when the fan has none stored.
   */
  async setFanMode(principal: AuditActor, fanId: string, mode: FanControlMode): Promise<Fan> {
    await this.controllableFan(fanId);
    const { curves } = await this.curves.read();
    const stored = curves.get(fanId);
    if (mode === 'curve') {
      if (stored === undefined) {
        throw new ConflictError(`Fan ${fanId} has no curve yet: set one with PUT /api/fans/{id}/curve.`);
      }
      await this.saveCurve(principal, fanId, { ...stored, isActive: true }, 'fans.set_mode', { mode });
      this.fanLoop.bind({ fanId, curve: stored.curve, input: stored.input });
      await this.fanLoop.tick();
    } else {
      await this.releaseFromCurve(fanId);
      await this.change(principal, 'fans.set_mode', fanId, { mode }, () =>
        this.drivers.fans.setMode(fanId, mode),
      );
      if (stored?.isActive === true) await this.saveCurve(null, fanId, { ...stored, isActive: false });
    }
    return this.controllableFan(fanId);
  }

  /** Sets a fixed duty (0-255), taking the fan off its curve. */
  async setFanPwm(principal: AuditActor, fanId: string, pwm: number): Promise<Fan> {
    await this.controllableFan(fanId);
    await this.releaseFromCurve(fanId);
    await this.change(principal, 'fans.set_pwm', fanId, { pwm }, () => this.drivers.fans.setPwm(fanId, pwm));
    const { curves } = await this.curves.read();
    const stored = curves.get(fanId);
    if (stored?.isActive === true) await this.saveCurve(null, fanId, { ...stored, isActive: false });
    return this.controllableFan(fanId);
  }

  // --- Telemetry -------------------------------------------------------------------------------

  /** CPU per core, memory and swap, network, disk I/O, file systems, uptime and the busiest processes. */
  async telemetry(processLimit: number): Promise<TelemetrySnapshot> {
    const t = this.drivers.telemetry;
    const [cpu, memory, network, diskIo, fileSystems, uptimeSeconds, processes] = await callDriver(() =>
      Promise.all([
        t.getCpuLoad(),
        t.getMemory(),
        t.getNetwork(),
        t.getDiskIo(),
        t.getFileSystems(),
        t.getUptimeSeconds(),
        t.getTopProcesses(processLimit),
      ]),
    );
    return { cpu, memory, network, diskIo, fileSystems, uptimeSeconds, processes };
  }

  /** The CPU load now, 0-100 % (what the simulated energy plug's draw follows). */
  async cpuLoadPercent(): Promise<number> {
    return (await callDriver(() => this.drivers.telemetry.getCpuLoad())).loadPercent;
  }

  // --- internals -------------------------------------------------------------------------------

  /** The drivers, built on first use (so that constructing the services touches no file). */
  private get drivers(): Drivers {
    if (this.built === null) {
      const { config } = this;
      const familyModes: Partial<Record<DriverFamily, DriverMode>> = {};
      for (const family of DRIVER_FAMILIES) familyModes[family] = this.modes[family];
      this.built = createDrivers({
        mode: config.hardwareMode,
        familyModes,
        stateDir: path.join(config.dataDir, 'hardware'),
        confirmationSecret: loadOrCreateSecret(config.dataDir, CONFIRMATION_SECRET_KEY),
        clock: this.clock,
        ...this.roots,
      });
    }
    return this.built;
  }

  private get fanLoop(): FanControlLoop {
    this.loop ??= new FanControlLoop({
      driver: this.drivers.fans,
      clock: this.clock,
      readHottestDiskCelsius: () => this.readHottestDiskCelsius(),
      ...(this.timer === undefined ? {} : { timer: this.timer }),
      onTick: (results) => {
        this.noteTicks(results);
      },
    });
    return this.loop;
  }

  /** Logs a fan's control going wrong or right again, once per change (not every tick). */
  private noteTicks(results: readonly FanTickResult[]): void {
    for (const r of results) {
      const previous = this.lastTicks.get(r.fanId);
      this.lastTicks.set(r.fanId, r);
      if (r.error !== null && previous?.error == null) {
        this.logger.warn(
          { fanId: r.fanId, error: r.error, pwm: r.pwm, isFallback: r.isFallback },
          'fan control degraded',
        );
      } else if (r.error === null && previous?.error != null) {
        this.logger.info({ fanId: r.fanId, pwm: r.pwm }, 'fan control recovered');
      }
    }
  }

  /** The hottest drive S.M.A.R.T. reports, reused for a minute; null when none reports a temperature. */
  private async readHottestDiskCelsius(): Promise<number | null> {
    const now = this.clock.now();
    if (this.hottestDisk !== null && now - this.hottestDisk.atMs < HOTTEST_DISK_CACHE_MS) {
      return this.hottestDisk.celsius;
    }
    const smart = this.drivers.smart;
    const devices = await smart.listDevices();
    const temperatures = await Promise.all(
      devices.map((d) =>
        smart.getReport(d.device).then(
          (r) => r.temperatureCelsius,
          () => null,
        ),
      ),
    );
    const known = temperatures.filter((c): c is number => c !== null);
    const celsius = known.length === 0 ? null : Math.max(...known);
    this.hottestDisk = { atMs: now, celsius };
    return celsius;
  }

  /** Takes a fan off its curve (the loop hands it back to auto first). */
  private async releaseFromCurve(fanId: string): Promise<void> {
    if (this.loop?.bindings().some((b) => b.fanId === fanId) === true) {
      await callDriver(() => this.fanLoop.unbind(fanId));
    }
    this.lastTicks.delete(fanId);
  }

  /** @throws NotFoundError for an unknown fan; ValidationError for one BaluHost cannot drive. */
  private async controllableFan(fanId: string): Promise<Fan> {
    const fans = await callDriver(() => this.drivers.fans.listFans());
    const fan = fans.find((f) => f.id === fanId);
    if (fan === undefined) throw new NotFoundError(`Fan ${fanId} does not exist.`);
    if (!fan.isControllable) throw new ValidationError(`Fan ${fanId} has no PWM output BaluHost can drive.`);
    return fan;
  }

  /** Stores one fan's curve, audited in the same transaction when `principal` is given. */
  private async saveCurve(
    principal: AuditActor | null,
    fanId: string,
    stored: StoredFanCurve,
    action?: string,
    details?: Record<string, unknown>,
  ): Promise<void> {
    await this.db.transaction(async (trx) => {
      const { curves } = await this.curves.read(trx);
      curves.set(fanId, stored);
      await this.curves.write(trx, curves, nowIso(this.serverClock));
      if (principal !== null && action !== undefined) {
        await this.audit.record(
          principal,
          { action, result: 'success', target: fanId, details: details ?? null },
          trx,
        );
      }
    });
  }

  /**
   * Runs a change through the driver, translating its errors, and audits it: success, or the
   * failure when the action reached the hardware (a refusal for confirmation or validation is not an action).
   */
  private async change<T>(
    principal: AuditActor,
    action: string,
    target: string | null,
    details: Record<string, unknown> | null,
    fn: () => Promise<T>,
  ): Promise<T> {
    let result: T;
    try {
      result = await callDriver(fn);
    } catch (err) {
      if (isAppError(err) && AUDITED_FAILURES.has(err.code)) {
        await this.audit.record(principal, {
          action,
          result: err.code === 'FORBIDDEN' ? 'denied' : 'failure',
          target,
          details: { ...details, error: err.code, message: err.message },
        });
      }
      throw err;
    }
    await this.audit.record(principal, { action, result: 'success', target, details });
    return result;
  }

  private simulatedRaid(): SimulatedRaidDriver {
    const raid = this.drivers.raid;
    if (!(raid instanceof SimulatedRaidDriver)) throw notSimulated('raid', 'BALUHOST_HARDWARE__RAID');
    return raid;
  }
}

function tokenOf(confirmToken: string | undefined): { confirmToken?: string } {
  return confirmToken === undefined ? {} : { confirmToken };
}

/** `sda` → `/dev/sda` (the routes validate the kernel name). */
function devPath(device: string): string {
  return `/dev/${device}`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function notSimulated(family: DriverFamily, variable: string): NotFoundError {
  return new NotFoundError(
    `The ${family} simulation hooks exist only when that family is simulated (${variable}=simulated).`,
  );
}
