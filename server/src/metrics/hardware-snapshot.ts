import type { Fan, PowerStatus, RaidArray } from '@baluhost/drivers';
import { performance } from 'node:perf_hooks';
import type { HardwareService, SmartDeviceSummary } from '../hardware/index.js';

interface Entry<T> {
  atMs: number;
  value: Promise<T | null>;
}

/** How long each family's reading is reused: S.M.A.R.T. wakes smartctl per disk, the rest reads procfs/sysfs. */
const TTL_MS = { raid: 5_000, smart: 60_000, fans: 5_000, power: 5_000 } as const;

/**
 * Cached hardware readings for metrics scrapes and alert rules, through the hardware service's public methods.
 * A family that cannot be read gives null (its gauges are then absent) rather than failing the whole scrape.
 * Concurrent callers share one reading.
 */
export class HardwareSnapshot {
  private readonly cache = new Map<keyof typeof TTL_MS, Entry<unknown>>();

  constructor(private readonly hardware: HardwareService) {}

  raidArrays(): Promise<readonly RaidArray[] | null> {
    return this.read('raid', async () => (await this.hardware.raidOverview()).arrays);
  }

  smartDevices(): Promise<readonly SmartDeviceSummary[] | null> {
    return this.read('smart', async () => (await this.hardware.smartDevices()).devices);
  }

  fans(): Promise<readonly Fan[] | null> {
    return this.read('fans', async () => (await this.hardware.fansOverview()).fans);
  }

  power(): Promise<PowerStatus | null> {
    return this.read('power', async () => (await this.hardware.powerOverview()).status);
  }

  /** Forgets the cached readings (after a change the caller knows about, e.g. a RAID member failed). */
  invalidate(): void {
    this.cache.clear();
  }

  private read<T>(family: keyof typeof TTL_MS, fn: () => Promise<T>): Promise<T | null> {
    // Real elapsed time, not the server clock: the cache bounds the work that scrapes and rules cause.
    const now = performance.now();
    const hit = this.cache.get(family) as Entry<T> | undefined;
    if (hit !== undefined && now - hit.atMs < TTL_MS[family] && now >= hit.atMs) return hit.value;
    const value = fn().catch(() => null);
    this.cache.set(family, { atMs: now, value });
    return value;
  }
}
