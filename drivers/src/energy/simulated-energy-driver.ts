import type { Clock } from '../clock.js';
import { DriverNotFoundError, DriverUnavailableError, DriverValidationError } from '../errors.js';
import { readJsonStateOf, writeJsonState } from '../json-state-file.js';
import type { EnergyDriver, EnergyMeter, EnergyReading } from './energy-driver.js';

/** Options of {@link SimulatedEnergyDriver}. */
export interface SimulatedEnergyDriverOptions {
  readonly clock: Clock;
  /**
   * The simulated CPU load the draw follows, 0-100 % (e.g. the simulated telemetry driver's); 10 % when absent.
   */
  readonly loadPercent?: () => number | Promise<number>;
  /** Draw at no load and at full load, in watts (default 18 and 65: a small four-disk NAS). */
  readonly idleWatts?: number;
  readonly fullLoadWatts?: number;
  /**
   * Where the day's and month's counters persist (JSON, written atomically at most once a minute of the clock),
   * so that a restart does not start them again at 0; in memory only when absent.
   */
  readonly stateFile?: string;
}

/** File name of the persisted counters inside the drivers' state dir. */
export const SIMULATED_ENERGY_STATE_FILE = 'energy-simulation.json';

/** The counters as persisted. */
interface EnergySimState {
  readonly version: 1;
  readonly last: { readonly atMs: number; readonly watts: number } | null;
  readonly todayWh: number;
  readonly monthWh: number;
}

function isEnergySimState(value: unknown): value is EnergySimState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const last = v['last'] as Record<string, unknown> | null | undefined;
  return (
    v['version'] === 1 &&
    typeof v['todayWh'] === 'number' &&
    typeof v['monthWh'] === 'number' &&
    (last === null ||
      (typeof last === 'object' && typeof last['atMs'] === 'number' && typeof last['watts'] === 'number'))
  );
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const SAVE_EVERY_MS = 60_000;
/** A reading this long after the persisted one (the server was down) starts counting afresh instead of guessing. */
const MAX_RESUME_GAP_MS = 15 * 60_000;

/**
 * One simulated plug, `nas`, in front of the simulated NAS: it draws idle power plus a share of the full-load
 * power that follows the simulated CPU load, with a ±0.5 W ripple over the clock. Energy is the draw integrated
 * over the clock between readings, counted per UTC day and month; with a `stateFile` the counters survive a
 * restart (the time the server was down longer than a quarter of an hour is not counted). Fault hook:
 * {@link setReachable}.
 */
export class SimulatedEnergyDriver implements EnergyDriver {
  private readonly clock: Clock;
  private readonly loadPercent: () => number | Promise<number>;
  private readonly idleWatts: number;
  private readonly fullLoadWatts: number;
  private isReachable = true;
  private last: { atMs: number; watts: number } | null = null;
  private todayWh = 0;
  private monthWh = 0;
  private readonly stateFile: string | undefined;
  private loaded: Promise<void> | null = null;
  /** True from loading persisted counters until the first reading after it. */
  private isResumed = false;
  private savedAtMs: number | null = null;

  constructor(options: SimulatedEnergyDriverOptions) {
    this.clock = options.clock;
    this.loadPercent = options.loadPercent ?? (() => 10);
    this.idleWatts = options.idleWatts ?? 18;
    this.fullLoadWatts = options.fullLoadWatts ?? 65;
    this.stateFile = options.stateFile;
    if (!(this.idleWatts >= 0 && this.fullLoadWatts >= this.idleWatts)) {
      throw new DriverValidationError('idleWatts must be at least 0 and at most fullLoadWatts');
    }
  }

  /** Fault hook: the plug drops off the network (readings throw DriverUnavailableError) or comes back. */
  setReachable(isReachable: boolean): void {
    this.isReachable = isReachable;
  }

  /**
   * Seed hook (demo data): takes a reading now, then sets the day's and month's counters, in watt-hours, and
   * persists them. @throws DriverValidationError for a negative count or a day above the month.
   */
  async setCounters(todayWh: number, monthWh: number): Promise<void> {
    if (!(todayWh >= 0 && monthWh >= todayWh)) {
      throw new DriverValidationError('the counters must be at least 0, and the day at most the month');
    }
    await this.getReading('nas');
    this.todayWh = todayWh;
    this.monthWh = monthWh;
    this.savedAtMs = null;
    await this.save(this.clock.now());
  }

  listMeters(): Promise<EnergyMeter[]> {
    if (!this.isReachable) return Promise.reject(this.unreachable());
    return Promise.resolve([{ id: 'nas', name: 'NAS', model: 'simulated', isOn: true }]);
  }

  async getReading(meterId: string): Promise<EnergyReading> {
    if (meterId !== 'nas') throw new DriverNotFoundError(`No energy meter ${meterId}; the meters are nas.`);
    this.assertReachable();
    await this.load();
    const now = this.clock.now();
    const load = Math.min(100, Math.max(0, await this.loadPercent()));
    const ripple = 0.5 * Math.sin((now / 60_000) * 2 * Math.PI);
    const watts =
      Math.round((this.idleWatts + ((this.fullLoadWatts - this.idleWatts) * load) / 100 + ripple) * 10) / 10;
    if (this.last !== null && now > this.last.atMs) {
      const lastDay = Math.floor(this.last.atMs / DAY_MS);
      const lastMonth = new Date(this.last.atMs).getUTCMonth();
      if (Math.floor(now / DAY_MS) !== lastDay) this.todayWh = 0;
      if (new Date(now).getUTCMonth() !== lastMonth) this.monthWh = 0;
      if (!(this.isResumed && now - this.last.atMs > MAX_RESUME_GAP_MS)) {
        // Trapezoids: the draw moved linearly between two readings.
        const wh = (((this.last.watts + watts) / 2) * (now - this.last.atMs)) / HOUR_MS;
        this.todayWh += wh;
        this.monthWh += wh;
      }
    }
    this.isResumed = false;
    this.last = { atMs: now, watts };
    await this.save(now);
    return {
      meterId,
      powerWatts: watts,
      todayEnergyWh: Math.round(this.todayWh * 1000) / 1000,
      monthEnergyWh: Math.round(this.monthWh * 1000) / 1000,
      atMs: now,
    };
  }

  private load(): Promise<void> {
    const file = this.stateFile;
    if (file === undefined) return Promise.resolve();
    this.loaded ??= readJsonStateOf(file, isEnergySimState, 'an energy simulation state').then(
      (stored) => {
        if (stored === null) return;
        this.last = stored.last;
        this.todayWh = stored.todayWh;
        this.monthWh = stored.monthWh;
        this.isResumed = stored.last !== null;
        this.savedAtMs = stored.last?.atMs ?? null;
      },
      (err: unknown) => {
        this.loaded = null;
        throw err;
      },
    );
    return this.loaded;
  }

  private async save(now: number): Promise<void> {
    if (this.stateFile === undefined) return;
    if (this.savedAtMs !== null && now - this.savedAtMs < SAVE_EVERY_MS && now >= this.savedAtMs) return;
    this.savedAtMs = now;
    const state: EnergySimState = {
      version: 1,
      last: this.last,
      todayWh: this.todayWh,
      monthWh: this.monthWh,
    };
    await writeJsonState(this.stateFile, state);
  }

  private assertReachable(): void {
    if (!this.isReachable) throw this.unreachable();
  }

  private unreachable(): DriverUnavailableError {
    return new DriverUnavailableError('The simulated plug nas is unreachable.');
  }
}
