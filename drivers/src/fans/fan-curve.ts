import { DriverValidationError } from '../errors.js';
import { PWM_MAX } from './fan-driver.js';

/** A point of a curve: at this temperature, this duty. */
export interface FanCurvePoint {
  readonly temperatureCelsius: number;
  readonly pwmPercent: number;
}

/** A temperature → duty curve. Between points the duty is interpolated linearly; beyond the ends it stays flat. */
export interface FanCurve {
  /** At least one point, temperatures strictly rising. */
  readonly points: readonly FanCurvePoint[];
  /** How far (°C) the temperature must fall below the one that set the speed before the fan slows down. */
  readonly hysteresisCelsius: number;
  /** Floor and ceiling of the duty, percent. */
  readonly minPwmPercent: number;
  readonly maxPwmPercent: number;
}

/** What the evaluation remembers between readings. */
export interface FanCurveState {
  /** The temperature the curve is read at: it follows rises at once and falls with a lag of the hysteresis. */
  readonly effectiveCelsius: number;
}

/** The result of one evaluation. */
export interface FanCurveResult {
  readonly pwmPercent: number;
  /** Duty 0-255. */
  readonly pwm: number;
  readonly state: FanCurveState;
}

/**
 * Checks a curve.
 * @throws DriverValidationError naming the first problem.
 */
export function validateFanCurve(curve: FanCurve): FanCurve {
  const fail = (message: string): never => {
    throw new DriverValidationError(`invalid fan curve: ${message}`, { details: { curve } });
  };
  if (curve.points.length === 0) fail('it needs at least one point');
  for (const [i, p] of curve.points.entries()) {
    if (!Number.isFinite(p.temperatureCelsius)) fail(`point ${i} has no temperature`);
    if (!(p.pwmPercent >= 0 && p.pwmPercent <= 100)) fail(`point ${i} duty must be 0-100 %`);
    const prev = curve.points[i - 1];
    if (prev !== undefined && !(p.temperatureCelsius > prev.temperatureCelsius)) {
      fail('temperatures must rise strictly from point to point');
    }
  }
  if (!(curve.hysteresisCelsius >= 0 && curve.hysteresisCelsius <= 20)) fail('hysteresis must be 0-20 °C');
  if (!(
    curve.minPwmPercent >= 0 &&
    curve.minPwmPercent <= curve.maxPwmPercent &&
    curve.maxPwmPercent <= 100
  )) {
    fail('need 0 <= min <= max <= 100 %');
  }
  return curve;
}

/** Duty percent → 0-255. */
export function percentToPwm(percent: number): number {
  return Math.round((Math.min(100, Math.max(0, percent)) * PWM_MAX) / 100);
}

function interpolate(points: readonly FanCurvePoint[], celsius: number): number {
  const first = points[0];
  const last = points.at(-1);
  if (first === undefined || last === undefined) return 100;
  if (celsius <= first.temperatureCelsius) return first.pwmPercent;
  if (celsius >= last.temperatureCelsius) return last.pwmPercent;
  for (let i = 1; i < points.length; i += 1) {
    const a = points[i - 1];
    const b = points[i];
    if (a !== undefined && b !== undefined && celsius <= b.temperatureCelsius) {
      const t = (celsius - a.temperatureCelsius) / (b.temperatureCelsius - a.temperatureCelsius);
      return a.pwmPercent + t * (b.pwmPercent - a.pwmPercent);
    }
  }
  return last.pwmPercent;
}

/**
 * Evaluates a curve at `celsius` (pure). Hysteresis works like mechanical play: the effective
 * temperature follows a rise at once, and follows a fall only once the reading is more than
 * `hysteresisCelsius` below it, staying that far above the reading. So a fan that sped up at 60 °C
 * keeps its speed until the temperature drops below 60 - h.
 * @param previous - the state of the last evaluation for this fan, or null for the first.
 */
export function evaluateFanCurve(
  curve: FanCurve,
  celsius: number,
  previous: FanCurveState | null,
): FanCurveResult {
  const before = previous?.effectiveCelsius ?? celsius;
  const effectiveCelsius = Math.min(Math.max(before, celsius), celsius + curve.hysteresisCelsius);
  const percent = Math.min(
    curve.maxPwmPercent,
    Math.max(curve.minPwmPercent, interpolate(curve.points, effectiveCelsius)),
  );
  return { pwmPercent: percent, pwm: percentToPwm(percent), state: { effectiveCelsius } };
}
