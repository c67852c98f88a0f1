import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoalescedRun } from './coalesced-run.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('CoalescedRun', () => {
  it('runs once for a burst of requests', async () => {
    let runs = 0;
    let ran: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (ran = resolve));
    const run = new CoalescedRun(() => {
      runs++;
      ran();
    });
    for (let i = 0; i < 100; i++) run.schedule(20);
    assert.equal(run.pending, true);
    // The run's timer does not keep the process alive; this one does while the test waits.
    const alive = setTimeout(() => undefined, 10_000);
    await first;
    clearTimeout(alive);
    await sleep(50); // room for any second run to show up
    assert.equal(runs, 1);
    assert.equal(run.pending, false);
  });

  it('brings a later run forward for a request that wants it sooner, and never pushes one back', async () => {
    const order: string[] = [];
    const run = new CoalescedRun(() => order.push('run'));
    run.schedule(60_000);
    run.schedule(10);
    run.schedule(60_000); // a later wish leaves the earlier time alone
    await sleep(200);
    order.push('200 ms later');
    assert.deepEqual(order, ['run', '200 ms later']);
    assert.equal(run.pending, false);
  });

  it('drops the pending run on cancel', async () => {
    let runs = 0;
    const run = new CoalescedRun(() => runs++);
    run.schedule(10);
    run.cancel();
    assert.equal(run.pending, false);
    await sleep(50);
    assert.equal(runs, 0);
  });
});
