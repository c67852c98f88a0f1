import path from 'node:path';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';

/** Where things live in the data root. All on one filesystem, so that a commit is a rename. */
export interface StorageLayout {
  readonly root: string;
  readonly homes: string;
  readonly shares: string;
  /** Uploads in flight. */
  readonly tmp: string;
  /** Homes of deleted users and deleted shares, kept until an admin removes them. */
  readonly orphaned: string;
}

export async function prepareLayout(dataDir: string): Promise<StorageLayout> {
  await mkdir(dataDir, { recursive: true });
  // Resolve once: every later containment check compares real paths.
  const real = await realpath(dataDir);
  const layout: StorageLayout = {
    root: path.join(real, 'storage'),
    homes: path.join(real, 'storage', 'homes'),
    shares: path.join(real, 'storage', 'shares'),
    tmp: path.join(real, 'tmp'),
    orphaned: path.join(real, 'storage', 'orphaned'),
  };
  for (const dir of [layout.homes, layout.shares, layout.tmp, layout.orphaned]) {
    await mkdir(dir, { recursive: true, mode: 0o750 });
  }
  return layout;
}

const TMP_NAME = /^(.+)\.(\d+)\.[A-Za-z0-9_-]+\.part$/;

let tmpPrefix: string | null = null;
let tmpCounter = 0;

/**
 * A new temp file name. It says which host and process writes it, so that a starting worker leaves others' alone,
 * then a part random per process and a counter: unique without a system call per upload (os.hostname() and
 * process.pid each make one).
 */
export function tmpFileName(): string {
  tmpPrefix ??= `${os.hostname()}.${process.pid}.${randomBytes(6).toString('base64url')}`;
  tmpCounter += 1;
  return `${tmpPrefix}-${tmpCounter.toString(36)}.part`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files left by dead processes of this host, and any older than a day (another host's crash).
 * Returns how many were removed.
 */
export async function removeStaleTmp(layout: StorageLayout, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const name of await readdir(layout.tmp)) {
    const full = path.join(layout.tmp, name);
    const m = TMP_NAME.exec(name);
    let stale = !m;
    if (m) {
      const [, host, pid] = m;
      stale = (host === os.hostname() && pid !== String(process.pid) && !isAlive(Number(pid))) || false;
      if (!stale) {
        const st = await stat(full).catch(() => null);
        stale = st !== null && now - st.mtimeMs > 86_400_000;
      }
    }
    if (stale) {
      await rm(full, { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}
