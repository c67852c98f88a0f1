import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { writeNewFile } from './file-io.js';

/** Runs `fn` and returns what it gave and how many file calls it handed to libuv's thread pool. */
async function poolCallsOf<T>(fn: () => Promise<T>): Promise<{ result: T; poolCalls: number }> {
  let poolCalls = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'FSREQCALLBACK') poolCalls++;
    },
  });
  hook.enable();
  try {
    const result = await fn();
    return { result, poolCalls };
  } finally {
    hook.disable();
  }
}

describe('writeNewFile, small bodies', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'baluhost-file-io-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const body = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)));

  it('writes on the event loop when the process has nothing else to serve, through the pool otherwise', async () => {
    const quietFile = path.join(dir, 'quiet.bin');
    const quiet = await poolCallsOf(() =>
      writeNewFile(quietFile, body('ab', 'cd'), 4, null, true, () => true),
    );
    assert.equal(quiet.result.written, 4);
    assert.equal(readFileSync(quietFile, 'utf8'), 'abcd');
    assert.equal(quiet.result.stat.size, 4);
    assert.equal(statSync(quietFile).mode & 0o777, 0o640);
    assert.equal(quiet.poolCalls, 0, 'create and write ran on the event loop');

    const busyFile = path.join(dir, 'busy.bin');
    const busy = await poolCallsOf(() =>
      writeNewFile(busyFile, body('ab', 'cd'), 4, null, true, () => false),
    );
    assert.equal(readFileSync(busyFile, 'utf8'), 'abcd');
    assert.ok(busy.poolCalls >= 2, `create and write went to the pool (${busy.poolCalls} calls)`);

    const unknownFile = path.join(dir, 'unknown.bin');
    const unknown = await poolCallsOf(() => writeNewFile(unknownFile, body('abcd'), 4, null, true, null));
    assert.equal(readFileSync(unknownFile, 'utf8'), 'abcd');
    assert.ok(unknown.poolCalls >= 2, 'without a check, the pool');
  });

  it('asks whether it is alone only after the event loop has polled', async () => {
    // A request whose data is already on its socket is parsed in the poll phase; asking before it would see the
    // process alone while others wait (every upload of 16 clients would then block the event loop).
    let polled = false;
    setImmediate(() => {
      polled = true;
    });
    let sawPolled: boolean | null = null;
    await writeNewFile(path.join(dir, 'order.bin'), body('x'), 1, null, false, () => {
      sawPolled = polled;
      return true;
    });
    assert.equal(sawPolled, true);
  });

  it('never replaces a file that is there, on either path', async () => {
    for (const quiet of [true, false]) {
      const file = path.join(dir, `taken-${String(quiet)}.bin`);
      writeFileSync(file, 'old');
      await assert.rejects(
        writeNewFile(file, body('new'), 3, null, true, () => quiet),
        (e: NodeJS.ErrnoException) => e.code === 'EEXIST',
      );
      assert.equal(readFileSync(file, 'utf8'), 'old');
    }
  });

  it('writes a body longer than announced as it comes, and an empty one', async () => {
    const long = 'y'.repeat(100 * 1024);
    const file = path.join(dir, 'long.bin');
    const r = await writeNewFile(
      file,
      body(long.slice(0, 70_000), long.slice(70_000)),
      10,
      null,
      true,
      () => true,
    );
    assert.equal(r.written, long.length);
    assert.equal(readFileSync(file, 'utf8'), long);

    const empty = path.join(dir, 'empty.bin');
    const e = await writeNewFile(empty, body(), 0, null, true, () => true);
    assert.equal(e.written, 0);
    assert.equal(statSync(empty).size, 0);
  });

  it('stops at a quota refusal before anything is written', async () => {
    const file = path.join(dir, 'refused.bin');
    await assert.rejects(
      writeNewFile(
        file,
        body('abc'),
        3,
        () => Promise.reject(new Error('quota')),
        true,
        () => true,
      ),
      /quota/,
    );
    assert.throws(() => statSync(file), /ENOENT/);
  });
});
