import { curveProblem } from './fans-store';

describe('curveProblem', () => {
  it('accepts rising temperatures with speeds from 0 to 100 %', () => {
    expect(
      curveProblem([
        { temperatureCelsius: 30, pwmPercent: 0 },
        { temperatureCelsius: 60, pwmPercent: 100 },
      ]),
    ).toBeNull();
  });

  it('says which point breaks a rule', () => {
    expect(curveProblem([])).toBe('A curve needs at least one point.');
    expect(
      curveProblem([
        { temperatureCelsius: 50, pwmPercent: 20 },
        { temperatureCelsius: 50, pwmPercent: 30 },
      ]),
    ).toBe('Point 2: temperatures must rise from point to point.');
    expect(curveProblem([{ temperatureCelsius: 40, pwmPercent: 120 }])).toBe(
      'Point 1: the fan speed must be between 0 and 100 %.',
    );
    expect(curveProblem([{ temperatureCelsius: 200, pwmPercent: 20 }])).toBe(
      'Point 1: the temperature must be between -50 and 150 °C.',
    );
  });
});
