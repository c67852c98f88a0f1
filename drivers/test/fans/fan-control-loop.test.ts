import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ManualClock } from '../../src/clock.js';
import { FanControlLoop, type FanTickResult, type IntervalTimer } from '../../src/fans/fan-control-loop.js';
import type { FanCurve } from '../../src/fans/fan-curve.js';
import { SimulatedFanDriver } from '../../src/fans/simulated-fan-driver.js';
import { rejectsWithCode } from '../helpers/confirm.js';

const CURVE: FanCurve = {
  points: [
    { temperatureCelsius: 30, pwmPercent: 20 },
    { temperatureCelsius: 50, pwmPercent: 100 },
  ],
  hysteresisCelsius: 3,
  minPwmPercent: 20,
  maxPwmPercent: 100,
};

class FakeTimer implements IntervalTimer {
  callback: (() => void) | null = null;
  intervalMs = 0;
  setInterval(callback: () => void, intervalMs: number): unknown {
    this.callback = callback;
    this.intervalMs = intervalMs;
    return 1;
  }
  clearInterval(): void {
    this.callback = null;
  }
}

describe('FanControlLoop', () => {
  it('reads the hottest disk from the server callback, with hysteresis across ticks', async () => {
    const driver = new SimulatedFanDriver({ clock: new ManualClock() });
    const readings = [40, 45, 43, 41, 38];
    const loop = new FanControlLoop({
      driver,
      clock: new ManualClock(),
      readHottestDiskCelsius: () => Promise.resolve(readings.shift() ?? null),
    });
    loop.bind({ fanId: 'hwmon0/fan2', curve: CURVE, input: { kind: 'hottest-disk' } });
    const pwms: number[] = [];
    for (let i = 0; i < 5; i += 1) pwms.push((await loop.tick())[0]?.pwm ?? -1);
    // 40 → 60 %, 45 → 80 %, 43 stays (inside 3 °C), 41 → effective 44 → 76 %, 38 → effective 41 → 64 %.
    assert.deepEqual(pwms, [153, 204, 204, 194, 163]);
    const [none] = await loop.tick();
    assert.equal(none?.isFallback, true);
    assert.equal(none.pwm, 255);
  });

  it('goes to full speed on NaN and on a throwing input', async () => {
    const driver = new SimulatedFanDriver({ clock: new ManualClock() });
    const loop = new FanControlLoop({
      driver,
      clock: new ManualClock(),
      readHottestDiskCelsius: () => Promise.resolve(Number.NaN),
    });
    loop.bind({ fanId: 'hwmon0/fan1', curve: CURVE, input: { kind: 'hottest-disk' } });
    loop.bind({ fanId: 'hwmon0/fan2', curve: CURVE, input: { kind: 'sensor', sensorId: 'hwmon0/temp7' } });
    const results = await loop.tick();
    assert.deepEqual(
      results.map((r) => [r.fanId, r.pwm, r.isFallback]),
      [
        ['hwmon0/fan1', 255, true],
        ['hwmon0/fan2', 255, true],
      ],
    );
    assert.match(results[1]?.error ?? '', /temp7 does not exist/);
  });

  it('ticks on the injected timer, reports each tick, and releases fans to auto on stop', async () => {
    const clock = new ManualClock();
    const driver = new SimulatedFanDriver({ clock });
    const timer = new FakeTimer();
    const ticks: (readonly FanTickResult[])[] = [];
    const loop = new FanControlLoop({ driver, clock, timer, intervalMs: 2000, onTick: (r) => ticks.push(r) });
    loop.bind({ fanId: 'hwmon0/fan1', curve: CURVE, input: { kind: 'sensor', sensorId: 'hwmon0/temp1' } });
    loop.start();
    assert.equal(timer.intervalMs, 2000);
    clock.advance(2000);
    timer.callback?.();
    await loop.tick(clock.now());
    assert.ok(ticks.length >= 1);
    assert.equal(ticks.at(-1)?.[0]?.atMs, clock.now());
    assert.equal((await driver.listFans())[0]?.mode, 'manual');
    await loop.stop();
    assert.equal(timer.callback, null);
    assert.equal((await driver.listFans())[0]?.mode, 'auto');
    await rejectsWithCode(loop.unbind('hwmon0/fan2'), 'NOT_FOUND');
  });

  it('cools the simulated CPU when the curve speeds the fan up', async () => {
    const clock = new ManualClock();
    const driver = new SimulatedFanDriver({ clock });
    driver.setLoad(100);
    const loop = new FanControlLoop({ driver, clock });
    loop.bind({ fanId: 'hwmon0/fan1', curve: CURVE, input: { kind: 'sensor', sensorId: 'hwmon0/temp1' } });
    const temps: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      clock.advance(5000);
      temps.push((await loop.tick())[0]?.temperatureCelsius ?? 0);
    }
    assert.ok((temps.at(-1) ?? 99) < 60, `settles at ${temps.at(-1)} °C`);
    assert.equal(
      (await driver.listFans())[0]?.rpm,
      Math.round((2000 * ((await driver.listFans())[0]?.pwm ?? 0)) / 255),
    );
  });
});
