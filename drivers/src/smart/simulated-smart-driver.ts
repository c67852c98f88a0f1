import type { Clock } from '../clock.js';
import { DriverNotFoundError, DriverValidationError } from '../errors.js';
import { readJsonStateOf, writeJsonState } from '../json-state-file.js';
import { checkDevicePath, checkSelfTestType } from './smart-arguments.js';
import type {
  SmartAttribute,
  SmartDevice,
  SmartDriver,
  SmartReport,
  SmartSelfTestEntry,
  SmartSelfTestStatus,
  SmartSelfTestType,
} from './smart-driver.js';

/** Power-on hours count from this instant (2024-01-01T00:00:00Z), so the same clock gives the same age. */
const AGE_EPOCH_MS = Date.UTC(2024, 0, 1);
const HOUR_MS = 3_600_000;
const SELF_TEST_SECONDS: Readonly<Record<SmartSelfTestType, number>> = { short: 120, long: 3600 };

interface SimDrive {
  readonly device: string;
  readonly protocol: 'ATA' | 'NVMe';
  readonly model: string;
  readonly serial: string;
  readonly capacityBytes: number;
  readonly rotationRpm: number;
  readonly basePowerOnHours: number;
  readonly baseTemperatureCelsius: number;
  failingSinceMs: number | null;
  readonly tests: { type: SmartSelfTestType; startedAtMs: number; failedWhileFailing: boolean }[];
}

function drive(device: string, index: number, protocol: 'ATA' | 'NVMe'): SimDrive {
  return {
    device,
    protocol,
    model: protocol === 'NVMe' ? 'BaluHost Virtual NVMe 64GB' : 'BaluHost Virtual HDD 5GB',
    serial: `BHSIM${String(index).padStart(4, '0')}`,
    capacityBytes: protocol === 'NVMe' ? 64_000_000_000 : 5_000_000_000,
    rotationRpm: protocol === 'NVMe' ? 0 : 7200,
    basePowerOnHours: 1000 + index * 250,
    baseTemperatureCelsius: protocol === 'NVMe' ? 40 : 33 + index,
    failingSinceMs: null,
    tests: [],
  };
}

/** File name of the persisted simulation inside the drivers' state dir. */
export const SIMULATED_SMART_STATE_FILE = 'smart-simulation.json';

/** What is persisted: per drive, since when it fails and its self-tests. */
interface SmartSimState {
  readonly version: 1;
  readonly drives: Record<string, Pick<SimDrive, 'failingSinceMs' | 'tests'>>;
}

function isSmartSimState(value: unknown): value is SmartSimState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { version?: unknown; drives?: unknown };
  if (v.version !== 1 || typeof v.drives !== 'object' || v.drives === null) return false;
  return Object.values(v.drives).every((d: unknown) => {
    if (typeof d !== 'object' || d === null) return false;
    const drive = d as { failingSinceMs?: unknown; tests?: unknown };
    return (
      (drive.failingSinceMs === null || typeof drive.failingSinceMs === 'number') &&
      Array.isArray(drive.tests) &&
      drive.tests.every(
        (t: unknown) =>
          typeof t === 'object' &&
          t !== null &&
          ((t as { type?: unknown }).type === 'short' || (t as { type?: unknown }).type === 'long') &&
          typeof (t as { startedAtMs?: unknown }).startedAtMs === 'number' &&
          typeof (t as { failedWhileFailing?: unknown }).failedWhileFailing === 'boolean',
      )
    );
  });
}

/** Options of {@link SimulatedSmartDriver}. */
export interface SimulatedSmartDriverOptions {
  readonly clock: Clock;
  /**
   * Where the failing drives and self-tests persist (JSON, written atomically after each change), so that a
   * fault survives a restart; in memory only when absent.
   */
  readonly stateFile?: string;
}

/**
 * Simulated S.M.A.R.T. for the disks of the RAID simulation (/dev/sda-/dev/sdd, /dev/nvme0n1).
 * Everything is a function of the injected clock: power-on time grows with it, temperatures wobble
 * by ±2 °C over 30 minutes, and a failing drive (fault hook {@link SimulatedSmartDriver.setFailing})
 * reports FAILED with reallocated and pending sectors (NVMe: media errors) that rise every minute.
 * The failing drives and self-tests persist in `stateFile` when one is given, in memory otherwise.
 */
export class SimulatedSmartDriver implements SmartDriver {
  private readonly clock: Clock;
  private readonly drives: SimDrive[];
  private readonly stateFile: string | undefined;
  private loaded: Promise<void> | null = null;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(options: SimulatedSmartDriverOptions) {
    this.clock = options.clock;
    this.stateFile = options.stateFile;
    this.drives = [
      drive('/dev/sda', 0, 'ATA'),
      drive('/dev/sdb', 1, 'ATA'),
      drive('/dev/sdc', 2, 'ATA'),
      drive('/dev/sdd', 3, 'ATA'),
      drive('/dev/nvme0n1', 4, 'NVMe'),
    ];
  }

  async listDevices(): Promise<SmartDevice[]> {
    await this.load();
    return settle(() =>
      this.drives.map((d) => ({
        device: d.device,
        type: d.protocol === 'NVMe' ? 'nvme' : 'sat',
        protocol: d.protocol,
      })),
    );
  }

  async getReport(device: string): Promise<SmartReport> {
    await this.load();
    return settle(() => this.report(device));
  }

  async startSelfTest(device: string, type: SmartSelfTestType): Promise<void> {
    await this.load();
    await settle(() => {
      const d = this.find(device);
      checkSelfTestType(type);
      if (this.running(d) !== null)
        throw new DriverValidationError(`a self-test is already running on ${d.device}`);
      d.tests.unshift({ type, startedAtMs: this.clock.now(), failedWhileFailing: d.failingSinceMs !== null });
    });
    await this.save();
  }

  async getSelfTestStatus(device: string): Promise<SmartSelfTestStatus> {
    await this.load();
    return settle(() => {
      const d = this.find(device);
      return this.selfTestStatus(d, this.powerOnHours(d));
    });
  }

  /** Fault hook: makes a drive fail (rising bad sectors, health FAILED) or recover. @throws DriverNotFoundError. */
  async setFailing(device: string, isFailing: boolean): Promise<void> {
    await this.load();
    const d = this.find(device);
    d.failingSinceMs = isFailing ? (d.failingSinceMs ?? this.clock.now()) : null;
    await this.save();
  }

  /** Reads the persisted state once (nothing without a state file, or before the first change). */
  private load(): Promise<void> {
    const file = this.stateFile;
    if (file === undefined) return Promise.resolve();
    this.loaded ??= readJsonStateOf(file, isSmartSimState, 'a S.M.A.R.T. simulation state').then(
      (stored) => {
        if (stored === null) return;
        for (const d of this.drives) {
          const saved = stored.drives[d.device];
          if (saved === undefined) continue;
          d.failingSinceMs = saved.failingSinceMs;
          d.tests.splice(0, d.tests.length, ...saved.tests);
        }
      },
      (err: unknown) => {
        this.loaded = null;
        throw err;
      },
    );
    return this.loaded;
  }

  /** Writes the state after a change, one write at a time in order. */
  private async save(): Promise<void> {
    const file = this.stateFile;
    if (file === undefined) return;
    const state: SmartSimState = {
      version: 1,
      drives: Object.fromEntries(
        this.drives.map((d) => [d.device, { failingSinceMs: d.failingSinceMs, tests: [...d.tests] }]),
      ),
    };
    const write = this.writes.then(() => writeJsonState(file, state));
    this.writes = write.catch(() => undefined);
    await write;
  }

  private powerOnHours(d: SimDrive): number {
    return d.basePowerOnHours + Math.floor(Math.max(0, this.clock.now() - AGE_EPOCH_MS) / HOUR_MS);
  }

  private report(device: string): SmartReport {
    const d = this.find(device);
    const now = this.clock.now();
    const powerOnHours = this.powerOnHours(d);
    const temperature = this.temperature(d, now);
    const failingMinutes =
      d.failingSinceMs === null ? null : Math.floor(Math.max(0, now - d.failingSinceMs) / 60_000);
    const reallocated = failingMinutes === null ? 0 : 8 + failingMinutes * 12;
    const pending = failingMinutes === null ? 0 : 2 + failingMinutes * 3;
    const attributes: SmartAttribute[] =
      d.protocol === 'NVMe'
        ? []
        : [
            attribute(1, 'Raw_Read_Error_Rate', 100, 16, 0, true),
            // A failing drive's normalised value sits at its threshold (10) and sinks further each minute.
            attribute(
              5,
              'Reallocated_Sector_Ct',
              failingMinutes === null ? 100 : Math.max(1, 10 - failingMinutes),
              10,
              reallocated,
              true,
            ),
            attribute(9, 'Power_On_Hours', 95, 0, powerOnHours, false),
            attribute(12, 'Power_Cycle_Count', 100, 0, 42, false),
            {
              ...attribute(194, 'Temperature_Celsius', 100 - temperature, 0, temperature, false),
              rawString: `${temperature}`,
            },
            attribute(197, 'Current_Pending_Sector', 100, 0, pending, false),
            attribute(198, 'Offline_Uncorrectable', 100, 0, 0, false),
            attribute(199, 'UDMA_CRC_Error_Count', 200, 0, 0, false),
          ];
    const mediaErrors = failingMinutes === null ? 0 : 3 + failingMinutes * 2;
    const report: Omit<SmartReport, 'warnings'> = {
      device: d.device,
      protocol: d.protocol,
      model: d.model,
      serial: d.serial,
      firmware: 'SIM1.0',
      capacityBytes: d.capacityBytes,
      rotationRpm: d.rotationRpm,
      health: d.failingSinceMs === null ? 'PASSED' : 'FAILED',
      temperatureCelsius: temperature,
      powerOnSeconds: powerOnHours * 3600,
      powerCycles: 42,
      attributes,
      nvme:
        d.protocol === 'NVMe'
          ? {
              criticalWarning: d.failingSinceMs === null ? 0 : 0x04,
              availableSparePercent: d.failingSinceMs === null ? 100 : Math.max(0, 100 - mediaErrors),
              availableSpareThresholdPercent: 10,
              percentageUsed: Math.min(100, Math.floor(powerOnHours / 1000)),
              mediaErrors,
              errorLogEntries: mediaErrors,
              unsafeShutdowns: 3,
              dataReadBytes: powerOnHours * 2_000_000_000,
              dataWrittenBytes: powerOnHours * 1_000_000_000,
            }
          : null,
      scsi: null,
      selfTest: this.selfTestStatus(d, powerOnHours),
    };
    const warnings: string[] = [];
    if (report.health === 'FAILED') warnings.push('the drive reports its overall health as FAILED');
    for (const a of attributes) if (a.isFailingNow) warnings.push(`${a.name} is at or below its threshold`);
    if (reallocated > 0) warnings.push(`${reallocated} reallocated sectors`);
    if (pending > 0 && d.protocol === 'ATA') warnings.push(`${pending} sectors pending reallocation`);
    if (d.protocol === 'NVMe' && mediaErrors > 0) warnings.push(`${mediaErrors} NVMe media errors`);
    return { ...report, warnings };
  }

  private find(device: string): SimDrive {
    const path = checkDevicePath(device);
    const d = this.drives.find((x) => x.device === path);
    if (d === undefined) throw new DriverNotFoundError(`${device} is not a simulated drive`);
    return d;
  }

  private temperature(d: SimDrive, now: number): number {
    const wobble = 2 * Math.sin((2 * Math.PI * (now - AGE_EPOCH_MS)) / (30 * 60_000));
    return Math.round(d.baseTemperatureCelsius + wobble + (d.failingSinceMs === null ? 0 : 6));
  }

  private running(d: SimDrive): { remainingPercent: number } | null {
    const latest = d.tests[0];
    if (latest === undefined) return null;
    const elapsed = (this.clock.now() - latest.startedAtMs) / 1000;
    const duration = SELF_TEST_SECONDS[latest.type];
    if (elapsed >= duration) return null;
    // Drives report the remainder in steps of 10 %.
    return { remainingPercent: Math.ceil(((duration - elapsed) / duration) * 10) * 10 };
  }

  private selfTestStatus(d: SimDrive, powerOnHours: number): SmartSelfTestStatus {
    const running = this.running(d);
    const log: SmartSelfTestEntry[] = [];
    for (const [i, t] of d.tests.entries()) {
      if (i === 0 && running !== null) continue;
      const finishedHours = powerOnHours - Math.floor((this.clock.now() - t.startedAtMs) / HOUR_MS);
      log.push({
        type: t.type === 'short' ? 'Short offline' : 'Extended offline',
        status: t.failedWhileFailing ? 'Completed: read failure' : 'Completed without error',
        isPassed: !t.failedWhileFailing,
        lifetimeSeconds: finishedHours * 3600,
      });
    }
    return running === null
      ? { isRunning: false, remainingPercent: null, log }
      : { isRunning: true, remainingPercent: running.remainingPercent, log };
  }
}

function attribute(
  id: number,
  name: string,
  value: number,
  thresh: number,
  raw: number,
  isPrefailure: boolean,
): SmartAttribute {
  return {
    id,
    name,
    value,
    worst: value,
    thresh,
    raw,
    rawString: String(raw),
    isPrefailure,
    isFailingNow: thresh > 0 && value <= thresh,
    hasFailedInPast: false,
  };
}

/** Runs `fn` and settles a promise with its result, so that a synchronous throw becomes a rejection. */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(fn());
  });
}
