/** CPU frequency scaling (Linux cpufreq). Frequencies in hertz. */

/** The named profiles {@link PowerDriver.applyProfile} knows. */
export const POWER_PROFILE_NAMES = ['powersave', 'balanced', 'performance'] as const;
/** One of {@link POWER_PROFILE_NAMES}. */
export type PowerProfileName = (typeof POWER_PROFILE_NAMES)[number];

/** One CPU's cpufreq state. */
export interface CpuFrequency {
  /** CPU number (`cpuN`). */
  readonly cpu: number;
  readonly governor: string | null;
  readonly energyPerformancePreference: string | null;
  readonly currentHz: number | null;
  /** The policy limits (`scaling_min_freq` / `scaling_max_freq`). */
  readonly minHz: number | null;
  readonly maxHz: number | null;
  /** What the hardware allows (`cpuinfo_min_freq` / `cpuinfo_max_freq`). */
  readonly hardwareMinHz: number | null;
  readonly hardwareMaxHz: number | null;
}

/** The machine's cpufreq state and what it offers. */
export interface PowerStatus {
  /** `amd-pstate-epp`, `amd-pstate`, `intel_pstate`, `intel_cpufreq`, `acpi-cpufreq`... */
  readonly scalingDriver: string | null;
  /** The governor all CPUs share; null when they differ. */
  readonly governor: string | null;
  readonly availableGovernors: readonly string[];
  /** The EPP all CPUs share; null when they differ or the driver has none. */
  readonly energyPerformancePreference: string | null;
  /** Empty when the driver offers no EPP (acpi-cpufreq, passive modes). */
  readonly availableEnergyPerformancePreferences: readonly string[];
  readonly hardwareMinHz: number | null;
  readonly hardwareMaxHz: number | null;
  readonly cpus: readonly CpuFrequency[];
  /** The profile the current settings match, if any. */
  readonly activeProfile: PowerProfileName | null;
}

/** A named profile as it resolves on this machine. */
export interface PowerProfileSettings {
  readonly name: PowerProfileName;
  readonly governor: string;
  /** null when the driver offers no EPP or the profile's choice is not offered. */
  readonly energyPerformancePreference: string | null;
  /** null when the hardware range is unknown (limits are then left alone). */
  readonly minHz: number | null;
  readonly maxHz: number | null;
}

/** Frequency limits for every CPU. */
export interface FrequencyLimits {
  readonly minHz: number;
  readonly maxHz: number;
}

/** CPU power management driver. */
export interface PowerDriver {
  /**
   * Reads governor, EPP, limits and current frequency of every CPU.
   * @throws DriverUnavailableError when the kernel exposes no cpufreq (many VMs and containers).
   */
  getStatus(): Promise<PowerStatus>;

  /** The three profiles resolved against what this machine offers. @throws as {@link PowerDriver.getStatus}. */
  listProfiles(): Promise<PowerProfileSettings[]>;

  /**
   * Applies a profile to every CPU: governor first, then EPP (the performance governor locks EPP),
   * then the limits.
   * @throws DriverNotFoundError for an unknown profile name; DriverUnavailableError; DriverFailedError when the kernel refuses a value.
   */
  applyProfile(name: PowerProfileName): Promise<PowerStatus>;

  /**
   * Sets the governor of every CPU.
   * @throws DriverValidationError when it is not in `availableGovernors`.
   */
  setGovernor(governor: string): Promise<void>;

  /**
   * Sets the energy-performance preference of every CPU.
   * @throws DriverValidationError when the driver offers none, the value is not offered, or the
   *   performance governor is active (it pins EPP to `performance`).
   */
  setEnergyPerformancePreference(preference: string): Promise<void>;

  /**
   * Sets the min and max frequency of every CPU, in hertz (written as kHz, clamped to each CPU's range).
   * @throws DriverValidationError unless 0 < min <= max and both lie within the hardware range.
   */
  setFrequencyLimits(limits: FrequencyLimits): Promise<void>;
}
