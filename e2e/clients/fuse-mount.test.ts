/**
 * A FUSE mount of BaluHost's WebDAV with `rclone mount` (root and fuse3 needed, as on the CI host): ordinary file
 * operations through the kernel, checked over HTTP. `--vfs-cache-mode off` makes a write's close wait for its
 * upload, so what a program wrote is on the server when it returns (no background queue to wait for).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../../server/test/helpers.js';
import { PASSWORD, rcloneRemoteFlags, run, startBaluhostWithUser, USER, waitFor } from './support.js';

async function isMounted(mountpoint: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((line) => line.split(' ')[4] === mountpoint);
}

describe('rclone mount (FUSE)', () => {
  let ts: TestServer;
  let work: string;
  let mnt: string;
  let child: ChildProcess;
  let childLog = '';
  const auth = { Authorization: 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64') };
  const get = async (p: string): Promise<{ status: number; text: string }> => {
    const res = await ts
      .http()
      .get(`/dav/home/${p}`)
      .set(auth)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          cb(null, Buffer.concat(chunks).toString('utf8'));
        });
      });
    return { status: res.status, text: String(res.body) };
  };

  before(async () => {
    ts = await startBaluhostWithUser();
    work = await mkdtemp(path.join(os.tmpdir(), 'baluhost-fuse-'));
    mnt = path.join(work, 'mnt');
    await mkdir(mnt);
    const remote = await rcloneRemoteFlags(ts);
    child = spawn(
      'rclone',
      ['mount', ':webdav:', mnt, '--vfs-cache-mode', 'off', '--dir-cache-time', '0s', ...remote],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (c: Buffer) => (childLog += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (childLog += c.toString()));
    await waitFor(() => isMounted(mnt), 20_000, `the FUSE mount (${childLog})`);
  });

  after(async () => {
    if (await isMounted(mnt)) await run('fusermount', ['-u', mnt]);
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await ts.close();
    await rm(work, { recursive: true, force: true });
  });

  it('creates a folder and writes a file that the server then serves', async () => {
    await mkdir(path.join(mnt, 'docs'));
    await writeFile(path.join(mnt, 'docs', 'hello world.txt'), 'hello from FUSE\n');
    const res = await get('docs/hello%20world.txt');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'hello from FUSE\n');
  });

  it('lists and reads back through the mount', async () => {
    assert.deepEqual(await readdir(path.join(mnt, 'docs')), ['hello world.txt']);
    assert.equal(await readFile(path.join(mnt, 'docs', 'hello world.txt'), 'utf8'), 'hello from FUSE\n');
    assert.equal((await stat(path.join(mnt, 'docs', 'hello world.txt'))).size, 16);
  });

  it('copies a bigger file in and renames it', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0x61);
    await writeFile(path.join(work, 'big.bin'), big);
    const cp = await run('cp', [path.join(work, 'big.bin'), path.join(mnt, 'docs', 'big.bin')]);
    assert.equal(cp.code, 0, cp.stderr);
    await rename(path.join(mnt, 'docs', 'big.bin'), path.join(mnt, 'docs', 'renamed.bin'));
    assert.equal((await get('docs/big.bin')).status, 404);
    const moved = await get('docs/renamed.bin');
    assert.equal(moved.status, 200);
    assert.equal(moved.text.length, big.length);
    assert.deepEqual((await readdir(path.join(mnt, 'docs'))).sort(), ['hello world.txt', 'renamed.bin']);
  });

  it('removes files and the folder', async () => {
    await rm(path.join(mnt, 'docs', 'renamed.bin'));
    await rm(path.join(mnt, 'docs', 'hello world.txt'));
    await rmdir(path.join(mnt, 'docs'));
    assert.equal((await get('docs/')).status, 404);
    assert.deepEqual(await readdir(mnt), []);
  });
});
