import { join } from 'node:path';

import { DriverNotFoundError, DriverUnavailableError, DriverValidationError } from '../errors.js';
import { listDirOrEmpty, readIntegerOrNull, readTextOrNull, writeAttribute } from '../sysfs-file.js';
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

/** Options of {@link CpufreqPowerDriver}. */
export interface CpufreqPowerDriverOptions {
  /** Default `/sys`. */
  readonly sysfsRoot?: string;
}

const KHZ = 1000;

interface CpuDir {
  readonly cpu: number;
  readonly dir: string;
}

function words(text: string | null): string[] {
  return text === null ? [] : text.split(/\s+/).filter((w) => w.length > 0);
}

/**
 * Real power backend on cpufreq sysfs (`<sysfs>/devices/system/cpu/cpuN/cpufreq/`), for every
 * scaling driver (amd-pstate[-epp], intel_pstate, intel_cpufreq, acpi-cpufreq). Writes need root.
 */
export class CpufreqPowerDriver implements PowerDriver {
  private readonly cpuRoot: string;

  constructor(options: CpufreqPowerDriverOptions = {}) {
    this.cpuRoot = join(options.sysfsRoot ?? '/sys', 'devices', 'system', 'cpu');
  }

  async getStatus(): Promise<PowerStatus> {
    const dirs = await this.cpuDirs();
    const first = dirs[0];
    if (first === undefined) throw new Error('unreachable: cpuDirs() never returns an empty list');
    const cpus = await Promise.all(dirs.map((d) => this.readCpu(d)));
    return summarisePower(
      await readTextOrNull(join(first.dir, 'scaling_driver')),
      {
        availableGovernors: words(await readTextOrNull(join(first.dir, 'scaling_available_governors'))),
        availableEnergyPerformancePreferences: words(
          await readTextOrNull(join(first.dir, 'energy_performance_available_preferences')),
        ),
      },
      cpus,
    );
  }

  async listProfiles(): Promise<PowerProfileSettings[]> {
    const status = await this.getStatus();
    return POWER_PROFILE_NAMES.map((name) => resolveProfile(name, status)).filter(
      (p): p is PowerProfileSettings => p !== null,
    );
  }

  async applyProfile(name: PowerProfileName): Promise<PowerStatus> {
    if (!(POWER_PROFILE_NAMES as readonly string[]).includes(name)) {
      throw new DriverNotFoundError(
        `no power profile "${name}"; profiles are ${POWER_PROFILE_NAMES.join(', ')}`,
      );
    }
    const profile = resolveProfile(name, await this.getStatus());
    if (profile === null)
      throw new DriverUnavailableError(`no governor suits the ${name} profile on this machine`);
    await this.setGovernor(profile.governor);
    if (profile.energyPerformancePreference !== null) {
      await this.setEnergyPerformancePreference(profile.energyPerformancePreference);
    }
    if (profile.minHz !== null && profile.maxHz !== null) {
      await this.setFrequencyLimits({ minHz: profile.minHz, maxHz: profile.maxHz });
    }
    return this.getStatus();
  }

  async setGovernor(governor: string): Promise<void> {
    const status = await this.getStatus();
    if (!status.availableGovernors.includes(governor)) {
      throw new DriverValidationError(
        `governor "${governor}" is not offered; available: ${status.availableGovernors.join(', ')}`,
        { details: { governor, available: status.availableGovernors } },
      );
    }
    for (const d of await this.cpuDirs()) await writeAttribute(join(d.dir, 'scaling_governor'), governor);
  }

  async setEnergyPerformancePreference(preference: string): Promise<void> {
    const status = await this.getStatus();
    const available = status.availableEnergyPerformancePreferences;
    if (!available.includes(preference)) {
      throw new DriverValidationError(
        available.length === 0
          ? `the ${status.scalingDriver ?? 'cpufreq'} driver offers no energy-performance preference`
          : `energy-performance preference "${preference}" is not offered; available: ${available.join(', ')}`,
        { details: { preference, available } },
      );
    }
    // amd-pstate-epp and intel_pstate answer EBUSY to anything but "performance" under that governor.
    if (status.governor === 'performance' && preference !== 'performance') {
      throw new DriverValidationError('the performance governor pins the preference to "performance"');
    }
    for (const d of await this.cpuDirs())
      await writeAttribute(join(d.dir, 'energy_performance_preference'), preference);
  }

  async setFrequencyLimits(limits: FrequencyLimits): Promise<void> {
    const status = await this.getStatus();
    const { minHz, maxHz } = limits;
    const lo = status.hardwareMinHz ?? 0;
    const hi = status.hardwareMaxHz ?? Infinity;
    if (
      !Number.isFinite(minHz) ||
      !Number.isFinite(maxHz) ||
      minHz <= 0 ||
      minHz > maxHz ||
      minHz < lo ||
      maxHz > hi
    ) {
      throw new DriverValidationError(`frequency limits must satisfy ${lo} <= min <= max <= ${hi} Hz`, {
        details: { minHz, maxHz, hardwareMinHz: status.hardwareMinHz, hardwareMaxHz: status.hardwareMaxHz },
      });
    }
    const dirs = await this.cpuDirs();
    for (const [i, d] of dirs.entries()) {
      const cpu = status.cpus[i];
      const cpuMin = Math.max(minHz, cpu?.hardwareMinHz ?? 0);
      const cpuMax = Math.min(maxHz, cpu?.hardwareMaxHz ?? Infinity);
      const minKhz = String(Math.round(cpuMin / KHZ));
      const maxKhz = String(Math.round(cpuMax / KHZ));
      // The kernel refuses min > max at every step: raise max first when the new min exceeds the old max.
      if (cpu?.maxHz !== null && cpu?.maxHz !== undefined && cpuMin > cpu.maxHz) {
        await writeAttribute(join(d.dir, 'scaling_max_freq'), maxKhz);
        await writeAttribute(join(d.dir, 'scaling_min_freq'), minKhz);
      } else {
        await writeAttribute(join(d.dir, 'scaling_min_freq'), minKhz);
        await writeAttribute(join(d.dir, 'scaling_max_freq'), maxKhz);
      }
    }
  }

  private async cpuDirs(): Promise<CpuDir[]> {
    const dirs: CpuDir[] = [];
    for (const entry of await listDirOrEmpty(this.cpuRoot)) {
      const m = /^cpu(\d+)$/.exec(entry);
      if (m?.[1] === undefined) continue;
      const dir = join(this.cpuRoot, entry, 'cpufreq');
      if ((await readTextOrNull(join(dir, 'scaling_governor'))) !== null)
        dirs.push({ cpu: Number(m[1]), dir });
    }
    if (dirs.length === 0) {
      throw new DriverUnavailableError(
        `no cpufreq under ${this.cpuRoot}/cpu*/cpufreq: the kernel exposes no CPU frequency scaling here`,
      );
    }
    return dirs.sort((a, b) => a.cpu - b.cpu);
  }

  private async readCpu({ cpu, dir }: CpuDir): Promise<CpuFrequency> {
    const hz = async (file: string): Promise<number | null> => {
      const khz = await readIntegerOrNull(join(dir, file));
      return khz === null ? null : khz * KHZ;
    };
    return {
      cpu,
      governor: await readTextOrNull(join(dir, 'scaling_governor')),
      energyPerformancePreference: await readTextOrNull(join(dir, 'energy_performance_preference')),
      currentHz: (await hz('scaling_cur_freq')) ?? (await hz('cpuinfo_cur_freq')),
      minHz: await hz('scaling_min_freq'),
      maxHz: await hz('scaling_max_freq'),
      hardwareMinHz: await hz('cpuinfo_min_freq'),
      hardwareMaxHz: await hz('cpuinfo_max_freq'),
    };
  }
}
