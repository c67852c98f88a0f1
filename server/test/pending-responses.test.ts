import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { PendingResponses } from '../src/pending-responses.js';

/** Stands in for a response: PendingResponses only listens for its 'close'. */
function response(name: string): ServerResponse & { name: string } {
  return Object.assign(new EventEmitter(), { name }) as unknown as ServerResponse & { name: string };
}

describe('PendingResponses', () => {
  const names = (p: PendingResponses): string[] => {
    const out: string[] = [];
    p.forEach((res) => out.push((res as ServerResponse & { name: string }).name));
    return out.sort();
  };

  it('holds the responses not yet closed, whichever order they close in', () => {
    const pending = new PendingResponses();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(response);
    for (const r of [a, b, c, d]) pending.add(r!);
    assert.deepEqual(names(pending), ['a', 'b', 'c', 'd']);
    assert.equal(pending.size, 4);
    b!.emit('close'); // in the middle
    assert.deepEqual(names(pending), ['a', 'c', 'd']);
    assert.equal(pending.size, 3);
    d!.emit('close'); // the newest
    a!.emit('close'); // the oldest
    assert.deepEqual(names(pending), ['c']);
    c!.emit('close');
    assert.deepEqual(names(pending), []);
    assert.equal(pending.size, 0);
    const e = response('e');
    pending.add(e);
    assert.deepEqual(names(pending), ['e']);
  });
});
