import {
  POWER_PROFILE_NAMES,
  type CpuFrequency,
  type PowerProfileName,
  type PowerProfileSettings,
  type PowerStatus,
} from './power-driver.js';

/** What a machine offers, as the profiles need it. */
export interface PowerCapabilities {
  readonly availableGovernors: readonly string[];
  readonly availableEnergyPerformancePreferences: readonly string[];
  readonly hardwareMinHz: number | null;
  readonly hardwareMaxHz: number | null;
}

interface ProfileRecipe {
  /** First offered governor wins. */
  readonly governors: readonly string[];
  readonly energyPerformancePreference: string;
  /** Max frequency as a fraction of the hardware range above its minimum. */
  readonly maxFraction: number;
}

// With intel_pstate / amd-pstate-epp in active mode only `performance` and `powersave` exist, and
// `powersave` + EPP is the balanced setting; acpi-cpufreq and the passive modes offer schedutil.
const RECIPES: Readonly<Record<PowerProfileName, ProfileRecipe>> = {
  powersave: {
    governors: ['powersave', 'conservative', 'schedutil'],
    energyPerformancePreference: 'power',
    maxFraction: 0.6,
  },
  balanced: {
    governors: ['schedutil', 'ondemand', 'powersave'],
    energyPerformancePreference: 'balance_performance',
    maxFraction: 1,
  },
  performance: { governors: ['performance'], energyPerformancePreference: 'performance', maxFraction: 1 },
};

const KHZ = 1000;

/** Resolves a profile against a machine's capabilities (pure). Returns null when no suitable governor is offered. */
export function resolveProfile(name: PowerProfileName, caps: PowerCapabilities): PowerProfileSettings | null {
  const recipe = RECIPES[name];
  const governor = recipe.governors.find((g) => caps.availableGovernors.includes(g));
  if (governor === undefined) return null;
  const epp = caps.availableEnergyPerformancePreferences.includes(recipe.energyPerformancePreference)
    ? recipe.energyPerformancePreference
    : null;
  const { hardwareMinHz: lo, hardwareMaxHz: hi } = caps;
  // cpufreq takes kHz: round the max to a whole kHz.
  const maxHz =
    lo === null || hi === null ? null : Math.round((lo + (hi - lo) * recipe.maxFraction) / KHZ) * KHZ;
  return { name, governor, energyPerformancePreference: epp, minHz: lo, maxHz };
}

/** The value every item shares, or null when they differ or there are none. */
function shared<T>(values: readonly T[]): T | null {
  const first = values[0];
  return first !== undefined && values.every((v) => v === first) ? first : null;
}

/** Builds a {@link PowerStatus} from per-CPU readings, naming the profile the settings match. */
export function summarisePower(
  scalingDriver: string | null,
  caps: Omit<PowerCapabilities, 'hardwareMinHz' | 'hardwareMaxHz'>,
  cpus: readonly CpuFrequency[],
): PowerStatus {
  const hwMins = cpus.map((c) => c.hardwareMinHz).filter((v): v is number => v !== null);
  const hwMaxs = cpus.map((c) => c.hardwareMaxHz).filter((v): v is number => v !== null);
  const full: PowerCapabilities = {
    ...caps,
    hardwareMinHz: hwMins.length === cpus.length && hwMins.length > 0 ? Math.min(...hwMins) : null,
    hardwareMaxHz: hwMaxs.length === cpus.length && hwMaxs.length > 0 ? Math.max(...hwMaxs) : null,
  };
  const governor = shared(cpus.map((c) => c.governor));
  const epp = shared(cpus.map((c) => c.energyPerformancePreference));
  const activeProfile =
    POWER_PROFILE_NAMES.find((name) => {
      const p = resolveProfile(name, full);
      if (p === null || p.governor !== governor) return false;
      if (p.energyPerformancePreference !== null && p.energyPerformancePreference !== epp) return false;
      return (
        p.maxHz === null || cpus.every((c) => c.maxHz === Math.min(p.maxHz ?? 0, c.hardwareMaxHz ?? Infinity))
      );
    }) ?? null;
  return {
    scalingDriver,
    governor,
    availableGovernors: caps.availableGovernors,
    energyPerformancePreference: epp,
    availableEnergyPerformancePreferences: caps.availableEnergyPerformancePreferences,
    hardwareMinHz: full.hardwareMinHz,
    hardwareMaxHz: full.hardwareMaxHz,
    cpus,
    activeProfile,
  };
}
