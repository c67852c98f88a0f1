/**
 * One pending run of a function, due at the earliest time anyone asked for: a burst of requests costs one run, and
 * a request for sooner brings a later run forward. The timer does not keep the process alive.
 */
export class CoalescedRun {
  private timer: NodeJS.Timeout | null = null;
  private due = 0;

  constructor(private readonly run: () => void) {}

  /** Whether a run is waiting for its time. */
  get pending(): boolean {
    return this.timer !== null;
  }

  /** Asks for a run within `delayMs`. */
  schedule(delayMs: number): void {
    const due = Date.now() + delayMs;
    if (this.timer) {
      if (this.due <= due) return;
      clearTimeout(this.timer);
    }
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run();
    }, delayMs);
    this.timer.unref();
  }

  /** Drops the pending run, if any. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
