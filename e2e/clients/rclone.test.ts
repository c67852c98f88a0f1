/** rclone (Debian's 1.60) against a real BaluHost: 1,000 files up and back, compared by rclone check. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../server/test/helpers.js';
import { rcloneRemoteFlags, run, startBaluhostWithUser } from './support.js';

describe('rclone copy and check', () => {
  let ts: TestServer;
  let work: string;
  let remote: string[];

  before(async () => {
    ts = await startBaluhostWithUser();
    work = await mkdtemp(path.join(os.tmpdir(), 'baluhost-rclone-'));
    remote = await rcloneRemoteFlags(ts);
    // 1,000 files in 10 folders, sizes from 0 bytes to about 64 KiB, names with spaces, Unicode, % # +.
    const names = ['plain', 'with space', 'Caf\u00e9', '100%', 'hash#tag', 'a+b', '\u65e5\u672c'];
    for (let d = 0; d < 10; d++) {
      const dir = path.join(work, 'src', `folder ${d}`);
      await mkdir(dir, { recursive: true });
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => {
          const n = d * 100 + i;
          const size = (n * 653) % 65_536;
          const seed = createHash('sha256').update(String(n)).digest();
          const content = Buffer.alloc(size);
          for (let k = 0; k < size; k++) content[k] = seed[k % seed.length]! ^ (k & 0xff);
          return writeFile(path.join(dir, `${names[n % names.length]!}-${n}.bin`), content);
        }),
      );
    }
  });

  after(async () => {
    await ts.close();
    await rm(work, { recursive: true, force: true });
  });

  it('uploads 1,000 files and rclone check finds the remote identical', async () => {
    const up = await run('rclone', [
      'copy',
      path.join(work, 'src'),
      ':webdav:up',
      '--transfers',
      '8',
      '--retries',
      '1',
      ...remote,
    ]);
    assert.equal(up.code, 0, up.stderr);
    const check = await run('rclone', [
      'check',
      path.join(work, 'src'),
      ':webdav:up',
      '--retries',
      '1',
      ...remote,
    ]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stderr, /0 differences found/);
    assert.match(check.stderr, /1000 matching files/);
  });

  it('downloads them again byte for byte', async () => {
    const back = path.join(work, 'back');
    const down = await run('rclone', [
      'copy',
      ':webdav:up',
      back,
      '--transfers',
      '8',
      '--retries',
      '1',
      ...remote,
    ]);
    assert.equal(down.code, 0, down.stderr);
    const check = await run('rclone', ['check', path.join(work, 'src'), back, '--config', '/dev/null']);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stderr, /1000 matching files/);
  });

  it('lists, moves and purges like a sync tool would', async () => {
    const moved = await run('rclone', ['moveto', ':webdav:up/folder 0', ':webdav:moved', ...remote]);
    assert.equal(moved.code, 0, moved.stderr);
    const listing = await run('rclone', ['lsf', ':webdav:moved', ...remote]);
    assert.equal(listing.stdout.trim().split('\n').length, 100);
    const purge = await run('rclone', ['purge', ':webdav:up', ...remote]);
    assert.equal(purge.code, 0, purge.stderr);
    const top = await run('rclone', ['lsf', ':webdav:', ...remote]);
    assert.deepEqual(top.stdout.trim().split('\n'), ['moved/']);
  });
});
