import { DriverNotFoundError, DriverUnavailableError, DriverValidationError } from '../errors.js';
import type {
  CpuFrequency,
  FrequencyLimits,
  PowerDriver,
  PowerProfileName,
  PowerProfileSettings,
  PowerStatus,
} from './power-driver.js';
import { POWER_PROFILE_NAMES } from './power-driver.js';
import { resolveProfile, summarisePower } from './power-profiles.js';

const HARDWARE_MIN_HZ = 800_000_000;
const HARDWARE_MAX_HZ = 4_200_000_000;
const GOVERNORS = ['performance', 'powersave'] as const;
const PREFERENCES = ['default', 'performance', 'balance_performance', 'balance_power', 'power'] as const;
/** How far into its range a loaded core climbs under each preference. */
const EPP_REACH: Readonly<Record<string, number>> = {
  default: 0.9,
  performance: 1,
  balance_performance: 0.9,
  balance_power: 0.7,
  power: 0.5,
};

/** Options of {@link SimulatedPowerDriver}. */
export interface SimulatedPowerDriverOptions {
  /** Number of simulated cores (default 4). */
  readonly cpuCount?: number;
}

/**
 * A simulated amd-pstate-epp CPU (default 4 cores, 0.8-4.2 GHz). The current frequency follows the
 * load set with {@link SimulatedPowerDriver.setLoad}: the performance governor runs at the max
 * limit, powersave climbs from the min limit towards the max as far as the EPP lets it.
 */
export class SimulatedPowerDriver implements PowerDriver {
  private governor = 'powersave';
  private preference = 'balance_performance';
  private minHz = HARDWARE_MIN_HZ;
  private maxHz = HARDWARE_MAX_HZ;
  private loads: number[];

  constructor(options: SimulatedPowerDriverOptions = {}) {
    this.loads = new Array<number>(options.cpuCount ?? 4).fill(0.1);
  }

  getStatus(): Promise<PowerStatus> {
    return settle(() => this.status());
  }

  listProfiles(): Promise<PowerProfileSettings[]> {
    return settle(() =>
      POWER_PROFILE_NAMES.map((name) => resolveProfile(name, this.status())).filter(
        (p): p is PowerProfileSettings => p !== null,
      ),
    );
  }

  applyProfile(name: PowerProfileName): Promise<PowerStatus> {
    return settle(() => {
      if (!(POWER_PROFILE_NAMES as readonly string[]).includes(name)) {
        throw new DriverNotFoundError(
          `no power profile "${name}"; profiles are ${POWER_PROFILE_NAMES.join(', ')}`,
        );
      }
      const profile = resolveProfile(name, this.status());
      if (profile === null) throw new DriverUnavailableError(`no governor suits the ${name} profile`);
      this.applyGovernor(profile.governor);
      if (profile.energyPerformancePreference !== null)
        this.applyPreference(profile.energyPerformancePreference);
      if (profile.minHz !== null && profile.maxHz !== null)
        this.applyLimits({ minHz: profile.minHz, maxHz: profile.maxHz });
      return this.status();
    });
  }

  setGovernor(governor: string): Promise<void> {
    return settle(() => {
      this.applyGovernor(governor);
    });
  }

  setEnergyPerformancePreference(preference: string): Promise<void> {
    return settle(() => {
      this.applyPreference(preference);
    });
  }

  setFrequencyLimits(limits: FrequencyLimits): Promise<void> {
    return settle(() => {
      this.applyLimits(limits);
    });
  }

  /**
   * Fault/load hook: sets the load of every core (one percentage 0-100) or of each core (one per core).
   * @throws DriverValidationError for values outside 0-100 or the wrong number of cores.
   */
  setLoad(loadPercent: number | readonly number[]): void {
    const values = typeof loadPercent === 'number' ? this.loads.map(() => loadPercent) : [...loadPercent];
    if (values.length !== this.loads.length || values.some((v) => !(v >= 0 && v <= 100))) {
      throw new DriverValidationError(`load must be 0-100 for each of the ${this.loads.length} cores`);
    }
    this.loads = values.map((v) => v / 100);
  }

  private applyGovernor(governor: string): void {
    if (!(GOVERNORS as readonly string[]).includes(governor)) {
      throw new DriverValidationError(
        `governor "${governor}" is not offered; available: ${GOVERNORS.join(', ')}`,
      );
    }
    this.governor = governor;
    // As amd-pstate-epp does: the performance governor forces the performance preference.
    if (governor === 'performance') this.preference = 'performance';
  }

  private applyPreference(preference: string): void {
    if (!(PREFERENCES as readonly string[]).includes(preference)) {
      throw new DriverValidationError(
        `energy-performance preference "${preference}" is not offered; available: ${PREFERENCES.join(', ')}`,
      );
    }
    if (this.governor === 'performance' && preference !== 'performance') {
      throw new DriverValidationError('the performance governor pins the preference to "performance"');
    }
    this.preference = preference;
  }

  private applyLimits({ minHz, maxHz }: FrequencyLimits): void {
    if (!(minHz > 0 && minHz <= maxHz && minHz >= HARDWARE_MIN_HZ && maxHz <= HARDWARE_MAX_HZ)) {
      throw new DriverValidationError(
        `frequency limits must satisfy ${HARDWARE_MIN_HZ} <= min <= max <= ${HARDWARE_MAX_HZ} Hz`,
      );
    }
    this.minHz = Math.round(minHz / 1000) * 1000;
    this.maxHz = Math.round(maxHz / 1000) * 1000;
  }

  private status(): PowerStatus {
    const reach = EPP_REACH[this.preference] ?? 0.9;
    const cpus: CpuFrequency[] = this.loads.map((load, cpu) => ({
      cpu,
      governor: this.governor,
      energyPerformancePreference: this.preference,
      currentHz:
        this.governor === 'performance'
          ? this.maxHz
          : Math.round((this.minHz + (this.maxHz - this.minHz) * load * reach) / 1000) * 1000,
      minHz: this.minHz,
      maxHz: this.maxHz,
      hardwareMinHz: HARDWARE_MIN_HZ,
      hardwareMaxHz: HARDWARE_MAX_HZ,
    }));
    return summarisePower(
      'amd-pstate-epp',
      { availableGovernors: [...GOVERNORS], availableEnergyPerformancePreferences: [...PREFERENCES] },
      cpus,
    );
  }
}

/** Runs `fn` and settles a promise with its result, so that a synchronous throw becomes a rejection. */
function settle<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(fn());
  });
}
