import type { Clock } from '../clock.js';
import { DriverNotFoundError, DriverUnavailableError, DriverValidationError } from '../errors.js';
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
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * One simulated plug, `nas`, in front of the simulated NAS: it draws idle power plus a share of the full-load
 * power that follows the simulated CPU load, with a ±0.5 W ripple over the clock. Energy is the draw integrated
 * over the clock between readings, counted per UTC day and month. Fault hook: {@link setReachable}.
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

  constructor(options: SimulatedEnergyDriverOptions) {
    this.clock = options.clock;
    this.loadPercent = options.loadPercent ?? (() => 10);
    this.idleWatts = options.idleWatts ?? 18;
    this.fullLoadWatts = options.fullLoadWatts ?? 65;
    if (!(this.idleWatts >= 0 && this.fullLoadWatts >= this.idleWatts)) {
      throw new DriverValidationError('idleWatts must be at least 0 and at most fullLoadWatts');
    }
  }

  /** Fault hook: the plug drops off the network (readings throw DriverUnavailableError) or comes back. */
  setReachable(isReachable: boolean): void {
    this.isReachable = isReachable;
  }

  listMeters(): Promise<EnergyMeter[]> {
    if (!this.isReachable) return Promise.reject(this.unreachable());
    return Promise.resolve([{ id: 'nas', name: 'NAS', model: 'simulated', isOn: true }]);
  }

  async getReading(meterId: string): Promise<EnergyReading> {
    if (meterId !== 'nas') throw new DriverNotFoundError(`No energy meter ${meterId}; the meters are nas.`);
    this.assertReachable();
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
      // Trapezoids: the draw moved linearly between two readings.
      const wh = (((this.last.watts + watts) / 2) * (now - this.last.atMs)) / HOUR_MS;
      this.todayWh += wh;
      this.monthWh += wh;
    }
    this.last = { atMs: now, watts };
    return {
      meterId,
      powerWatts: watts,
      todayEnergyWh: Math.round(this.todayWh * 1000) / 1000,
      monthEnergyWh: Math.round(this.monthWh * 1000) / 1000,
      atMs: now,
    };
  }

  private assertReachable(): void {
    if (!this.isReachable) throw this.unreachable();
  }

  private unreachable(): DriverUnavailableError {
    return new DriverUnavailableError('The simulated plug nas is unreachable.');
  }
}
