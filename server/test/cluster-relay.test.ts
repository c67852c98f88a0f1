import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { relayTargets } from '../src/cluster.js';

describe('relayTargets: which workers hear an event another worker emitted', () => {
  const slots = [1, 2, 3, 4];

  it('sends cache invalidations to every other worker', () => {
    assert.deepEqual(relayTargets('share.changed', 3, slots), [1, 2, 4]);
    assert.deepEqual(relayTargets('user.password', 1, slots), [2, 3, 4]);
  });

  it('sends a changed file to the control worker alone, and nowhere when the control worker changed it', () => {
    assert.deepEqual(relayTargets('storage.changed', 3, slots), [1]);
    assert.deepEqual(relayTargets('storage.changed', 1, slots), []);
  });

  it('leaves out a slot that is not running', () => {
    assert.deepEqual(relayTargets('group.changed', 2, [1, 2, 4]), [1, 4]);
    assert.deepEqual(relayTargets('storage.changed', 2, [2, 3]), []);
  });
});
