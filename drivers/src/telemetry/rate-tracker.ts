import type { Clock } from '../clock.js';

/** Turns monotonically growing counters into per-second rates between successive samples. */
export class RateTracker {
  private readonly previous = new Map<string, { atMs: number; value: number }>();

  constructor(private readonly clock: Clock) {}

  /** Records `value` for `key` and returns its rate per second since the last sample; null on the first or after a counter reset. */
  rate(key: string, value: number): number | null {
    const now = this.clock.now();
    const before = this.previous.get(key);
    this.previous.set(key, { atMs: now, value });
    if (before === undefined || now <= before.atMs || value < before.value) return null;
    return ((value - before.value) * 1000) / (now - before.atMs);
  }
}
