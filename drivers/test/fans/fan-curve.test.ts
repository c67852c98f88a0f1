import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  evaluateFanCurve,
  percentToPwm,
  validateFanCurve,
  type FanCurve,
  type FanCurveState,
} from '../../src/fans/fan-curve.js';
import { isDriverError } from '../../src/errors.js';

const curve: FanCurve = {
  points: [
    { temperatureCelsius: 30, pwmPercent: 20 },
    { temperatureCelsius: 50, pwmPercent: 40 },
    { temperatureCelsius: 70, pwmPercent: 100 },
  ],
  hysteresisCelsius: 3,
  minPwmPercent: 25,
  maxPwmPercent: 90,
};

function run(temperatures: readonly number[], c: FanCurve = curve): number[] {
  let state: FanCurveState | null = null;
  return temperatures.map((t) => {
    const r = evaluateFanCurve(c, t, state);
    state = r.state;
    return r.pwmPercent;
  });
}

describe('evaluateFanCurve', () => {
  it('interpolates between points and stays flat beyond the ends', () => {
    const open = { ...curve, minPwmPercent: 0, maxPwmPercent: 100, hysteresisCelsius: 0 };
    assert.deepEqual(run([20, 30, 40, 50, 60, 70, 80], open), [20, 20, 30, 40, 70, 100, 100]);
  });

  it('clamps to the min and max duty', () => {
    assert.deepEqual(run([20, 40, 80]), [25, 30, 90]);
    assert.equal(evaluateFanCurve(curve, 10, null).pwmPercent, 25);
    assert.equal(evaluateFanCurve(curve, 95, null).pwm, percentToPwm(90));
    assert.equal(evaluateFanCurve(curve, 95, null).pwm, 230);
  });

  it('follows a rising temperature at once', () => {
    assert.deepEqual(run([40, 45, 50, 60]), [30, 35, 40, 70]);
  });

  it('holds the speed while the temperature falls less than the hysteresis', () => {
    // Rise to 60 (70 %), fall to 58 and 57: inside the 3 °C band, the fan stays at 70 %.
    assert.deepEqual(run([60, 58, 57]), [70, 70, 70]);
  });

  it('slows down once the fall exceeds the hysteresis, lagging by it', () => {
    // 60 → 55: effective 58 °C → 64 %; 55 → 50: effective 53 → 49 %; back up to 54: inside the band, stays.
    assert.deepEqual(run([60, 55, 50, 52]), [70, 64, 49, 49]);
    assert.equal(run([60, 55, 50, 54]).at(-1), 52);
  });

  it('maps percent to 0-255', () => {
    assert.deepEqual([0, 50, 100, 120, -5].map(percentToPwm), [0, 128, 255, 255, 0]);
  });
});

describe('validateFanCurve', () => {
  it('refuses empty, unordered and out-of-range curves', () => {
    const bad: FanCurve[] = [
      { ...curve, points: [] },
      {
        ...curve,
        points: [
          { temperatureCelsius: 50, pwmPercent: 40 },
          { temperatureCelsius: 40, pwmPercent: 50 },
        ],
      },
      { ...curve, points: [{ temperatureCelsius: 50, pwmPercent: 140 }] },
      { ...curve, minPwmPercent: 80, maxPwmPercent: 50 },
      { ...curve, hysteresisCelsius: -1 },
    ];
    for (const c of bad) {
      assert.throws(
        () => validateFanCurve(c),
        (e: unknown) => isDriverError(e, 'VALIDATION_FAILED'),
      );
    }
    assert.equal(validateFanCurve(curve), curve);
  });
});
