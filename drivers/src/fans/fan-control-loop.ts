import type { Clock } from '../clock.js';
import { DriverNotFoundError } from '../errors.js';
import type { FanCurve, FanCurveState } from './fan-curve.js';
import { evaluateFanCurve, validateFanCurve } from './fan-curve.js';
import type { FanDriver } from './fan-driver.js';
import { PWM_MAX } from './fan-driver.js';

/** What a curve reads: one sensor, or the hottest disk (the server supplies the reading). */
export type FanCurveInput =
  { readonly kind: 'sensor'; readonly sensorId: string } | { readonly kind: 'hottest-disk' };

/** A fan under curve control. */
export interface FanControlBinding {
  readonly fanId: string;
  readonly curve: FanCurve;
  readonly input: FanCurveInput;
}

/** What one tick did to one fan. */
export interface FanTickResult {
  readonly fanId: string;
  /** The reading the curve used; null when the input failed. */
  readonly temperatureCelsius: number | null;
  /** The duty written (0-255). */
  readonly pwm: number;
  /** True when the input failed and the fan was sent to full speed. */
  readonly isFallback: boolean;
  /** Why the input or the write failed, for the log; null when all went well. */
  readonly error: string | null;
  readonly atMs: number;
}

/** setInterval/clearInterval, injectable so that tests drive ticks themselves. */
export interface IntervalTimer {
  setInterval(callback: () => void, intervalMs: number): unknown;
  clearInterval(handle: unknown): void;
}

/** The global timers. */
export const SYSTEM_TIMER: IntervalTimer = {
  setInterval: (callback, intervalMs) => setInterval(callback, intervalMs),
  clearInterval: (handle) => {
    clearInterval(handle as ReturnType<typeof setInterval>);
  },
};

/** Options of {@link FanControlLoop}. */
export interface FanControlLoopOptions {
  readonly driver: FanDriver;
  readonly clock: Clock;
  /** The hottest disk in °C, or null when none reports (for `hottest-disk` inputs). */
  readonly readHottestDiskCelsius?: () => Promise<number | null>;
  readonly timer?: IntervalTimer;
  /** Default 5000 ms. */
  readonly intervalMs?: number;
  /** Called with each tick's results (for logging and metrics). */
  readonly onTick?: (results: readonly FanTickResult[]) => void;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Drives fans along their curves. Each {@link FanControlLoop.tick} reads every bound fan's input,
 * evaluates its curve (with hysteresis) and writes the duty, switching the output to manual.
 * Fail-safe: when an input fails or reads null/NaN, the fan goes to full speed (255); on
 * {@link FanControlLoop.stop} or unbinding, the fan goes back to its automatic mode, or to full
 * speed if that fails, so no fan is ever left stopped.
 */
export class FanControlLoop {
  private readonly driver: FanDriver;
  private readonly clock: Clock;
  private readonly readHottestDisk: (() => Promise<number | null>) | undefined;
  private readonly timer: IntervalTimer;
  private readonly intervalMs: number;
  private readonly onTick: ((results: readonly FanTickResult[]) => void) | undefined;
  private readonly bindingsByFan = new Map<string, FanControlBinding>();
  private readonly states = new Map<string, FanCurveState>();
  private handle: unknown = null;
  private isTicking = false;

  constructor(options: FanControlLoopOptions) {
    this.driver = options.driver;
    this.clock = options.clock;
    this.readHottestDisk = options.readHottestDiskCelsius;
    this.timer = options.timer ?? SYSTEM_TIMER;
    this.intervalMs = options.intervalMs ?? 5000;
    this.onTick = options.onTick;
  }

  /**
   * Puts a fan under a curve (replacing its previous binding and hysteresis state).
   * @throws DriverValidationError for an invalid curve.
   */
  bind(binding: FanControlBinding): void {
    validateFanCurve(binding.curve);
    this.bindingsByFan.set(binding.fanId, binding);
    this.states.delete(binding.fanId);
  }

  /** Releases a fan back to its automatic mode (full speed if that fails). @throws DriverNotFoundError when not bound. */
  async unbind(fanId: string): Promise<void> {
    if (!this.bindingsByFan.delete(fanId))
      throw new DriverNotFoundError(`fan ${fanId} is not under curve control`);
    this.states.delete(fanId);
    await this.release(fanId);
  }

  /** The current bindings. */
  bindings(): FanControlBinding[] {
    return [...this.bindingsByFan.values()];
  }

  /** One control step for every bound fan. Never throws: failures are in the results. */
  async tick(nowMs: number = this.clock.now()): Promise<FanTickResult[]> {
    const results: FanTickResult[] = [];
    for (const binding of this.bindingsByFan.values()) results.push(await this.step(binding, nowMs));
    this.onTick?.(results);
    return results;
  }

  /** Ticks every `intervalMs` on the injected timer. A tick still running when the next is due is skipped. */
  start(): void {
    if (this.handle !== null) return;
    this.handle = this.timer.setInterval(() => {
      if (this.isTicking) return;
      this.isTicking = true;
      void this.tick(this.clock.now()).finally(() => {
        this.isTicking = false;
      });
    }, this.intervalMs);
  }

  /** Stops ticking and hands every bound fan back to its automatic mode. */
  async stop(): Promise<void> {
    if (this.handle !== null) this.timer.clearInterval(this.handle);
    this.handle = null;
    for (const fanId of this.bindingsByFan.keys()) await this.release(fanId);
  }

  private async readInput(input: FanCurveInput): Promise<number | null> {
    if (input.kind === 'sensor') return this.driver.readSensor(input.sensorId);
    if (this.readHottestDisk === undefined) throw new Error('no hottest-disk source was configured');
    return this.readHottestDisk();
  }

  private async step(binding: FanControlBinding, atMs: number): Promise<FanTickResult> {
    let celsius: number | null = null;
    let error: string | null = null;
    try {
      celsius = await this.readInput(binding.input);
      if (celsius === null || !Number.isFinite(celsius)) {
        error = `input ${binding.input.kind === 'sensor' ? binding.input.sensorId : 'hottest-disk'} gave no reading`;
        celsius = null;
      }
    } catch (e) {
      error = describe(e);
      celsius = null;
    }
    let pwm = PWM_MAX;
    if (celsius !== null) {
      const result = evaluateFanCurve(binding.curve, celsius, this.states.get(binding.fanId) ?? null);
      this.states.set(binding.fanId, result.state);
      pwm = result.pwm;
    }
    try {
      await this.driver.setPwm(binding.fanId, pwm);
    } catch (e) {
      error = `${error === null ? '' : `${error}; `}cannot set ${binding.fanId}: ${describe(e)}`;
      await this.driver.setMode(binding.fanId, 'auto').catch(() => undefined);
    }
    return {
      fanId: binding.fanId,
      temperatureCelsius: celsius,
      pwm,
      isFallback: celsius === null,
      error,
      atMs,
    };
  }

  private async release(fanId: string): Promise<void> {
    try {
      await this.driver.setMode(fanId, 'auto');
    } catch {
      // No automatic mode to return to: leave the fan at full speed rather than where the curve had it.
      await this.driver.setPwm(fanId, PWM_MAX).catch(() => undefined);
    }
  }
}
