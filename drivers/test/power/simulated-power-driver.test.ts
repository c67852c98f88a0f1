import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SimulatedPowerDriver } from '../../src/power/simulated-power-driver.js';

describe('SimulatedPowerDriver', () => {
  it('runs four cores whose frequency follows the load and the preference', async () => {
    const power = new SimulatedPowerDriver();
    power.setLoad([0, 50, 100, 100]);
    const balanced = await power.getStatus();
    assert.deepEqual(
      balanced.cpus.map((c) => c.currentHz),
      [800_000_000, 2_330_000_000, 3_860_000_000, 3_860_000_000],
    );
    await power.applyProfile('powersave');
    const saving = await power.getStatus();
    assert.equal(saving.cpus[3]?.currentHz, 800_000_000 + (2_840_000_000 - 800_000_000) * 0.5);
    await power.applyProfile('performance');
    assert.ok((await power.getStatus()).cpus.every((c) => c.currentHz === 4_200_000_000));
    assert.throws(() => {
      power.setLoad(120);
    });
  });
});
