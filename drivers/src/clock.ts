/** Time source for the drivers. Real backends use it for timestamps, simulated ones for everything that moves. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The wall clock. */
export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: for tests and for deterministic simulations. */
export class ManualClock implements Clock {
  private nowMs: number;

  /** @param startMs - initial time in milliseconds since the epoch (default 2024-01-01T00:00:00Z). */
  constructor(startMs = Date.UTC(2024, 0, 1)) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  /** Moves the clock forward by `ms` milliseconds (must be >= 0). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('a clock only moves forward');
    this.nowMs += ms;
  }

  /** Sets the clock to `ms` (must not go back). */
  set(ms: number): void {
    this.advance(ms - this.nowMs);
  }
}
