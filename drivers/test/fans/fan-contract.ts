import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ManualClock } from '../../src/clock.js';
import { FanControlLoop } from '../../src/fans/fan-control-loop.js';
import { evaluateFanCurve, type FanCurve } from '../../src/fans/fan-curve.js';
import type { FanDriver } from '../../src/fans/fan-driver.js';
import { rejectsWithCode } from '../helpers/confirm.js';

/** What the contract needs to know about a backend's world. */
export interface FanContractWorld {
  readonly driver: FanDriver;
  readonly fanId: string;
  readonly sensorId: string;
  breakSensor(): Promise<void>;
  cleanup(): Promise<void>;
}

const CURVE: FanCurve = {
  points: [
    { temperatureCelsius: 30, pwmPercent: 30 },
    { temperatureCelsius: 80, pwmPercent: 100 },
  ],
  hysteresisCelsius: 2,
  minPwmPercent: 20,
  maxPwmPercent: 100,
};

/** The behaviour every FanDriver shares, with the control loop on top. */
export function fanDriverContract(backend: string, makeWorld: () => Promise<FanContractWorld>): void {
  describe(`FanDriver contract: ${backend}`, () => {
    const inWorld = async (fn: (w: FanContractWorld) => Promise<void>): Promise<void> => {
      const w = await makeWorld();
      try {
        await fn(w);
      } finally {
        await w.cleanup();
      }
    };

    it('lists a controllable fan and readable sensors', async () => {
      await inWorld(async (w) => {
        const fan = (await w.driver.listFans()).find((f) => f.id === w.fanId);
        assert.equal(fan?.isControllable, true);
        const celsius = await w.driver.readSensor(w.sensorId);
        assert.ok(celsius > 0 && celsius < 120);
        assert.ok((await w.driver.listSensors()).some((s) => s.id === w.sensorId && s.celsius === celsius));
      });
    });

    it('sets a duty in manual mode and hands the fan back to auto', async () => {
      await inWorld(async (w) => {
        await w.driver.setPwm(w.fanId, 100);
        const manual = (await w.driver.listFans()).find((f) => f.id === w.fanId);
        assert.equal(manual?.pwm, 100);
        assert.equal(manual.mode, 'manual');
        await w.driver.setMode(w.fanId, 'auto');
        assert.equal((await w.driver.listFans()).find((f) => f.id === w.fanId)?.mode, 'auto');
        await rejectsWithCode(w.driver.setPwm(w.fanId, -1), 'VALIDATION_FAILED');
        await rejectsWithCode(w.driver.setPwm('hwmon9/fan9', 10), 'NOT_FOUND');
      });
    });

    it('drives the fan along the curve from its sensor, and to full speed when the sensor fails', async () => {
      await inWorld(async (w) => {
        const loop = new FanControlLoop({ driver: w.driver, clock: new ManualClock() });
        loop.bind({ fanId: w.fanId, curve: CURVE, input: { kind: 'sensor', sensorId: w.sensorId } });
        const celsius = await w.driver.readSensor(w.sensorId);
        const [result] = await loop.tick();
        assert.equal(result?.isFallback, false);
        assert.equal(result.pwm, evaluateFanCurve(CURVE, celsius, null).pwm);
        assert.equal((await w.driver.listFans()).find((f) => f.id === w.fanId)?.pwm, result.pwm);
        await w.breakSensor();
        const [fallback] = await loop.tick();
        assert.equal(fallback?.isFallback, true);
        assert.equal(fallback.pwm, 255);
        assert.ok(fallback.error !== null);
        assert.equal((await w.driver.listFans()).find((f) => f.id === w.fanId)?.pwm, 255);
        await loop.stop();
        assert.equal((await w.driver.listFans()).find((f) => f.id === w.fanId)?.mode, 'auto');
      });
    });
  });
}
