import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ManualClock } from '../src/clock.js';
import { ConfirmationGate } from '../src/confirmation.js';
import { isDriverError } from '../src/errors.js';

function refusal(fn: () => void): { token: string; reason: unknown; message: string } {
  try {
    fn();
  } catch (error) {
    assert.ok(isDriverError(error, 'CONFIRMATION_REQUIRED'));
    return {
      token: error.details?.confirmToken as string,
      reason: error.details?.reason,
      message: error.message,
    };
  }
  assert.fail('expected CONFIRMATION_REQUIRED');
}

describe('ConfirmationGate', () => {
  it('issues a token bound to the action and its arguments, whatever their key order', () => {
    const clock = new ManualClock();
    const gate = new ConfirmationGate({ clock });
    const first = refusal(() => {
      gate.check('raid.failMember', { array: 'md0', device: 'sdb' }, 'fail sdb');
    });
    assert.equal(first.reason, 'missing');
    assert.match(
      first.message,
      new RegExp(`repeat the request with confirmToken=${first.token} within 120 s`),
    );
    assert.ok(first.token.length < 40);
    gate.check('raid.failMember', { device: 'sdb', array: 'md0' }, 'fail sdb', first.token);
  });

  it('refuses a token for other arguments or another action', () => {
    const gate = new ConfirmationGate({ clock: new ManualClock() });
    const { token } = refusal(() => {
      gate.check('raid.failMember', { array: 'md0', device: 'sdb' }, 'x');
    });
    assert.equal(
      refusal(() => {
        gate.check('raid.failMember', { array: 'md0', device: 'sda' }, 'x', token);
      }).reason,
      'invalid',
    );
    assert.equal(
      refusal(() => {
        gate.check('raid.deleteArray', { array: 'md0', device: 'sdb' }, 'x', token);
      }).reason,
      'invalid',
    );
    assert.equal(
      refusal(() => {
        gate.check('raid.failMember', { array: 'md0', device: 'sdb' }, 'x', 'garbage');
      }).reason,
      'invalid',
    );
  });

  it('accepts a token until it expires after 120 s, once', () => {
    const clock = new ManualClock();
    const gate = new ConfirmationGate({ clock });
    const args = { array: 'md0' };
    const { token } = refusal(() => {
      gate.check('a', args, 'x');
    });
    clock.advance(120_000);
    gate.check('a', args, 'x', token);
    assert.equal(
      refusal(() => {
        gate.check('a', args, 'x', token);
      }).reason,
      'used',
    );
    const second = refusal(() => {
      gate.check('a', args, 'x');
    });
    clock.advance(120_001);
    const expired = refusal(() => {
      gate.check('a', args, 'x', second.token);
    });
    assert.equal(expired.reason, 'expired');
    assert.notEqual(expired.token, second.token);
  });

  it('lets another worker with the same secret confirm, and not one with another secret', () => {
    const clock = new ManualClock();
    const a = new ConfirmationGate({ clock, secret: 'shared' });
    const b = new ConfirmationGate({ clock, secret: 'shared' });
    const c = new ConfirmationGate({ clock, secret: 'other' });
    const { token } = refusal(() => {
      a.check('a', {}, 'x');
    });
    assert.equal(
      refusal(() => {
        c.check('a', {}, 'x', token);
      }).reason,
      'invalid',
    );
    b.check('a', {}, 'x', token);
  });
});
