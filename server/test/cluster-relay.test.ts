import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DomainEventName } from '../src/services/index.js';
import { relaysTo } from '../src/cluster.js';

/** The slots, of those running, that the primary relays an event from `from` to. */
const relayTargets = (name: DomainEventName, from: number, slots: readonly number[]): number[] =>
  slots.filter((to) => relaysTo(name, from, to));

describe('relaysTo: which workers hear an event another worker emitted', () => {
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
