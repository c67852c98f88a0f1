/**
 * A development scaffold, not the product: a StoragePort over a temporary directory, with locks and dead
 * properties in memory, so that the WebDAV adapter's protocol tests can run before (and independently of) the
 * storage core in server/src/storage. The conformance suites (litmus, real clients) run against BaluHost itself.
 *
 * Namespace: `/` (virtual) holds `home` (the caller's home, `<root>/homes/<user>`) and `shared` (one folder every
 * user may write, to test locks between users).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { cp, mkdir, readdir, rename, rm, stat, statfs, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {
  AuthPort,
  Caller,
  DeadProperty,
  FileBody,
  LockInfo,
  LockRequest,
  MutationOptions,
  StorageEntry,
  StoragePort,
  WriteOptions,
} from '../../src/ports.js';

export class ScaffoldError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

const MIME: Readonly<Record<string, string>> = {
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.pdf': 'application/pdf',
};

function isMacMetadata(name: string): boolean {
  return name === '.DS_Store' || name.startsWith('._');
}

interface StoredLock extends LockInfo {
  expiresAtMs: number;
  timeoutSeconds: number;
}

export class FsStorage implements StoragePort {
  private readonly props = new Map<string, Map<string, DeadProperty>>();
  private readonly locks = new Map<string, StoredLock>();

  constructor(readonly rootDir: string) {}

  /** Namespace path to resource key (`homes/alice/a.txt`) and physical path; null for the virtual root. */
  private resolve(caller: Caller, nsPath: string): { key: string; file: string } | null {
    const segments = nsPath.split('/').filter((s) => s !== '');
    for (const s of segments) {
      if (s === '.' || s === '..' || s.includes('\\') || s.includes('\0')) {
        throw new ScaffoldError('VALIDATION_FAILED', 'bad path');
      }
    }
    const [top, ...rest] = segments;
    if (top === undefined) return null;
    let base: string;
    if (top === 'home') base = `homes/${caller.username}`;
    else if (top === 'shared') base = 'shared';
    else throw new ScaffoldError('NOT_FOUND', 'no such collection');
    const key = [base, ...rest].join('/');
    return { key, file: path.join(this.rootDir, key) };
  }

  private resolveReal(caller: Caller, nsPath: string): { key: string; file: string } {
    const r = this.resolve(caller, nsPath);
    if (r === null) throw new ScaffoldError('FORBIDDEN', 'the root is read-only');
    if (r.key === `homes/${caller.username}` || r.key === 'shared') {
      // Top-level collections exist implicitly.
    }
    return r;
  }

  private async entryFor(nsPath: string, key: string, file: string): Promise<StorageEntry> {
    let s;
    try {
      s = await stat(file);
    } catch {
      throw new ScaffoldError('NOT_FOUND', 'not found');
    }
    const isDir = s.isDirectory();
    const name = nsPath === '/' ? '' : (nsPath.split('/').pop() ?? '');
    return {
      path: nsPath,
      name,
      type: isDir ? 'directory' : 'file',
      size: isDir ? 0 : s.size,
      mtimeMs: s.mtimeMs,
      birthtimeMs: s.birthtimeMs,
      etag: `"${s.ino.toString(16)}-${s.size.toString(16)}-${Math.round(s.mtimeMs * 1000).toString(16)}"`,
      contentType: isDir
        ? 'httpd/unix-directory'
        : (MIME[path.extname(name).toLowerCase()] ?? 'application/octet-stream'),
      owner: null,
      resourceKey: key,
      isVirtual: false,
      canModify: true,
    };
  }

  private rootEntry(): StorageEntry {
    return {
      path: '/',
      name: '',
      type: 'directory',
      size: 0,
      mtimeMs: 0,
      birthtimeMs: 0,
      etag: '"root"',
      contentType: 'httpd/unix-directory',
      owner: null,
      resourceKey: '',
      isVirtual: true,
      canModify: false,
    };
  }

  async ensureUser(username: string): Promise<void> {
    await mkdir(path.join(this.rootDir, 'homes', username), { recursive: true });
    await mkdir(path.join(this.rootDir, 'shared'), { recursive: true });
    await mkdir(path.join(this.rootDir, 'tmp'), { recursive: true });
  }

  async stat(caller: Caller, nsPath: string): Promise<StorageEntry> {
    const r = this.resolve(caller, nsPath);
    if (r === null) return this.rootEntry();
    return this.entryFor(nsPath, r.key, r.file);
  }

  async *listPages(
    caller: Caller,
    nsPath: string,
    options?: { hideMacMetadata?: boolean; pageSize?: number },
  ): AsyncIterable<StorageEntry[]> {
    // The scaffold builds the whole listing, then hands it out in pages.
    const all = await this.list(caller, nsPath, options);
    const size = options?.pageSize ?? 500;
    for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
  }

  async list(
    caller: Caller,
    nsPath: string,
    options?: { hideMacMetadata?: boolean },
  ): Promise<StorageEntry[]> {
    const r = this.resolve(caller, nsPath);
    if (r === null) {
      return Promise.all(['home', 'shared'].map((n) => this.stat(caller, '/' + n)));
    }
    const self = await this.entryFor(nsPath, r.key, r.file);
    if (self.type !== 'directory') throw new ScaffoldError('CONFLICT', 'not a collection');
    const names = (await readdir(r.file)).filter((n) => !(options?.hideMacMetadata && isMacMetadata(n)));
    const prefix = nsPath === '/' ? '' : nsPath;
    // In batches: 10,000 stat calls issued in one tick would block the event loop for a third of a second.
    const entries: (StorageEntry | null)[] = [];
    for (let i = 0; i < names.length; i += 256) {
      const batch = names.slice(i, i + 256);
      entries.push(
        ...(await Promise.all(
          batch.map((n) =>
            this.entryFor(`${prefix}/${n}`, `${r.key}/${n}`, path.join(r.file, n)).catch(() => null),
          ),
        )),
      );
    }
    return entries.filter((e): e is StorageEntry => e !== null);
  }

  async read(caller: Caller, nsPath: string): Promise<{ entry: StorageEntry; body: FileBody }> {
    const entry = await this.stat(caller, nsPath);
    if (entry.type !== 'file') throw new ScaffoldError('CONFLICT', 'a collection');
    const r = this.resolveReal(caller, nsPath);
    return { entry, body: streamBody(r.file, 0, entry.size - 1) };
  }

  private parentOf(nsPath: string): string {
    const i = nsPath.lastIndexOf('/');
    return i <= 0 ? '/' : nsPath.slice(0, i);
  }

  private async existing(caller: Caller, nsPath: string): Promise<StorageEntry | null> {
    try {
      return await this.stat(caller, nsPath);
    } catch (err) {
      if (err instanceof ScaffoldError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  private async requireParent(caller: Caller, nsPath: string): Promise<void> {
    const parent = await this.existing(caller, this.parentOf(nsPath));
    if (parent?.type !== 'directory') throw new ScaffoldError('CONFLICT', 'parent collection missing');
  }

  private liveLocks(): StoredLock[] {
    const now = Date.now();
    for (const [token, lock] of this.locks) if (lock.expiresAtMs <= now) this.locks.delete(token);
    return [...this.locks.values()];
  }

  private covering(key: string, includeDescendants: boolean): StoredLock[] {
    return this.liveLocks().filter(
      (l) =>
        l.resourceKey === key ||
        (l.depth === 'infinity' && key.startsWith(l.resourceKey + '/')) ||
        (includeDescendants && l.resourceKey.startsWith(key + '/')),
    );
  }

  /** A mutation of `key` (and its parent's membership when `membership`) needs a submitted token of the holder. */
  private checkLocks(
    caller: Caller,
    nsPath: string,
    options: MutationOptions | undefined,
    membership: boolean,
    descendants: boolean,
  ): void {
    const r = this.resolve(caller, nsPath);
    if (r === null) return;
    const tokens = new Set(options?.lockTokens ?? []);
    const groups: StoredLock[][] = [this.covering(r.key, descendants)];
    if (membership) {
      const parent = this.resolve(caller, this.parentOf(nsPath));
      if (parent !== null) groups.push(this.covering(parent.key, false));
    }
    for (const locks of groups) {
      if (locks.length === 0) continue;
      const ok = locks.some((l) => tokens.has(l.token) && l.holder === caller.username);
      if (!ok) throw new ScaffoldError('LOCKED', 'locked');
    }
  }

  async write(
    caller: Caller,
    nsPath: string,
    body: Readable,
    options: WriteOptions,
  ): Promise<{ entry: StorageEntry; created: boolean }> {
    const r = this.resolveReal(caller, nsPath);
    const before = await this.existing(caller, nsPath);
    try {
      if (before?.type === 'directory') throw new ScaffoldError('CONFLICT', 'a collection is in the way');
      await this.requireParent(caller, nsPath);
      this.checkLocks(caller, nsPath, options, before === null, false);
      if (
        options.ifMatch &&
        (before === null || !(options.ifMatch.includes('*') || options.ifMatch.includes(before.etag)))
      ) {
        throw new ScaffoldError('PRECONDITION_FAILED', 'If-Match');
      }
      if (
        options.ifNoneMatch &&
        before !== null &&
        (options.ifNoneMatch.includes('*') || options.ifNoneMatch.includes(before.etag))
      ) {
        throw new ScaffoldError('PRECONDITION_FAILED', 'If-None-Match');
      }
    } catch (err) {
      body.resume();
      throw err;
    }
    const tmp = path.join(this.rootDir, 'tmp', randomUUID());
    try {
      await pipeline(body, createWriteStream(tmp));
      await rename(tmp, r.file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    if (options.mtimeMs !== undefined) await utimes(r.file, new Date(), new Date(options.mtimeMs));
    return { entry: await this.entryFor(nsPath, r.key, r.file), created: before === null };
  }

  async mkdir(caller: Caller, nsPath: string, options?: MutationOptions): Promise<StorageEntry> {
    const r = this.resolveReal(caller, nsPath);
    if ((await this.existing(caller, nsPath)) !== null) throw new ScaffoldError('ALREADY_EXISTS', 'exists');
    await this.requireParent(caller, nsPath);
    this.checkLocks(caller, nsPath, options, true, false);
    await mkdir(r.file);
    return this.entryFor(nsPath, r.key, r.file);
  }

  private dropKeys(key: string, dropLocks: boolean): void {
    for (const k of [...this.props.keys()]) if (k === key || k.startsWith(key + '/')) this.props.delete(k);
    if (dropLocks) {
      for (const [t, l] of this.locks)
        if (l.resourceKey === key || l.resourceKey.startsWith(key + '/')) this.locks.delete(t);
    }
  }

  async remove(caller: Caller, nsPath: string, options?: MutationOptions): Promise<void> {
    const r = this.resolveReal(caller, nsPath);
    if ((await this.existing(caller, nsPath)) === null) throw new ScaffoldError('NOT_FOUND', 'not found');
    this.checkLocks(caller, nsPath, options, true, true);
    await rm(r.file, { recursive: true, force: true });
    this.dropKeys(r.key, true);
  }

  private async transfer(
    kind: 'move' | 'copy',
    caller: Caller,
    from: string,
    to: string,
    options: MutationOptions & { overwrite: boolean; depth?: 0 | 'infinity' },
  ): Promise<{ created: boolean }> {
    const src = this.resolveReal(caller, from);
    const dst = this.resolveReal(caller, to);
    const source = await this.existing(caller, from);
    if (source === null) throw new ScaffoldError('NOT_FOUND', 'not found');
    if (dst.key === src.key || dst.key.startsWith(src.key + '/'))
      throw new ScaffoldError('VALIDATION_FAILED', 'into itself');
    await this.requireParent(caller, to);
    const target = await this.existing(caller, to);
    if (target !== null && !options.overwrite) throw new ScaffoldError('ALREADY_EXISTS', 'exists');
    if (kind === 'move') this.checkLocks(caller, from, options, true, true);
    this.checkLocks(caller, to, options, true, true);
    if (target !== null) {
      await rm(dst.file, { recursive: true, force: true });
      this.dropKeys(dst.key, true);
    }
    const moved: [string, Map<string, DeadProperty>][] = [];
    for (const [k, v] of this.props) {
      if (k === src.key || k.startsWith(src.key + '/'))
        moved.push([dst.key + k.slice(src.key.length), new Map(v)]);
    }
    if (kind === 'move') {
      await rename(src.file, dst.file);
      this.dropKeys(src.key, true);
    } else if (source.type === 'directory' && options.depth === 0) {
      await mkdir(dst.file);
    } else {
      await cp(src.file, dst.file, { recursive: true });
    }
    for (const [k, v] of moved) {
      if (kind === 'copy' && options.depth === 0 && k !== dst.key) continue;
      this.props.set(k, v);
    }
    return { created: target === null };
  }

  move(
    caller: Caller,
    from: string,
    to: string,
    options: MutationOptions & { overwrite: boolean },
  ): Promise<{ created: boolean }> {
    return this.transfer('move', caller, from, to, options);
  }

  copy(
    caller: Caller,
    from: string,
    to: string,
    options: MutationOptions & { overwrite: boolean; depth: 0 | 'infinity' },
  ): Promise<{ created: boolean }> {
    return this.transfer('copy', caller, from, to, options);
  }

  async setModifiedTime(
    caller: Caller,
    nsPath: string,
    mtimeMs: number,
    options?: MutationOptions,
  ): Promise<void> {
    const r = this.resolveReal(caller, nsPath);
    this.checkLocks(caller, nsPath, options, false, false);
    await utimes(r.file, new Date(), new Date(mtimeMs));
  }

  async usage(): Promise<{ usedBytes: number; quotaBytes: number | null; availableBytes: number }> {
    const s = await statfs(this.rootDir);
    return { usedBytes: 0, quotaBytes: null, availableBytes: s.bavail * s.bsize };
  }

  async getProperties(caller: Caller, nsPath: string): Promise<DeadProperty[]> {
    const entry = await this.stat(caller, nsPath);
    return [...(this.props.get(entry.resourceKey)?.values() ?? [])];
  }

  getPropertiesMany(_caller: Caller, keys: readonly string[]): Promise<Map<string, DeadProperty[]>> {
    return Promise.resolve(new Map(keys.map((k) => [k, [...(this.props.get(k)?.values() ?? [])]])));
  }

  async patchProperties(
    caller: Caller,
    nsPath: string,
    set: readonly DeadProperty[],
    remove: readonly { namespace: string; name: string }[],
    options?: MutationOptions,
  ): Promise<void> {
    const entry = await this.stat(caller, nsPath);
    this.checkLocks(caller, nsPath, options, false, false);
    const map = new Map(this.props.get(entry.resourceKey) ?? []);
    for (const p of set) map.set(`${p.namespace}\0${p.name}`, p);
    for (const p of remove) map.delete(`${p.namespace}\0${p.name}`);
    this.props.set(entry.resourceKey, map);
  }

  async lock(
    caller: Caller,
    nsPath: string,
    request: LockRequest,
  ): Promise<{ lock: LockInfo; created: boolean }> {
    const r = this.resolveReal(caller, nsPath);
    const conflicts = this.covering(r.key, request.depth === 'infinity').filter(
      (l) => request.scope === 'exclusive' || l.scope === 'exclusive',
    );
    if (conflicts.length > 0) throw new ScaffoldError('LOCKED', 'conflicting lock');
    let created = false;
    if ((await this.existing(caller, nsPath)) === null) {
      await this.requireParent(caller, nsPath);
      this.checkLocks(caller, nsPath, request, true, false);
      await writeFile(r.file, '');
      created = true;
    }
    const timeoutSeconds = Math.min(request.timeoutSeconds, 3600);
    const lock: StoredLock = {
      token: `urn:uuid:${randomUUID()}`,
      root: nsPath,
      resourceKey: r.key,
      scope: request.scope,
      depth: request.depth,
      ownerXml: request.ownerXml,
      holder: caller.username,
      timeoutSeconds,
      expiresAtMs: Date.now() + timeoutSeconds * 1000,
    };
    this.locks.set(lock.token, lock);
    return { lock: { ...lock }, created };
  }

  locksFor(caller: Caller, nsPath: string): Promise<LockInfo[]> {
    const r = this.resolve(caller, nsPath);
    if (r === null) return Promise.resolve([]);
    return Promise.resolve(this.covering(r.key, false).map((l) => ({ ...l })));
  }

  async refreshLock(
    caller: Caller,
    nsPath: string,
    token: string,
    timeoutSeconds: number,
  ): Promise<LockInfo> {
    const lock = (await this.locksFor(caller, nsPath)).find((l) => l.token === token);
    const stored = lock ? this.locks.get(lock.token) : undefined;
    if (!stored) throw new ScaffoldError('PRECONDITION_FAILED', 'no such lock');
    if (stored.holder !== caller.username) throw new ScaffoldError('FORBIDDEN', 'not yours');
    stored.timeoutSeconds = Math.min(timeoutSeconds, 3600);
    stored.expiresAtMs = Date.now() + stored.timeoutSeconds * 1000;
    return { ...stored };
  }

  async unlock(caller: Caller, nsPath: string, token: string): Promise<void> {
    const lock = (await this.locksFor(caller, nsPath)).find((l) => l.token === token);
    if (!lock) throw new ScaffoldError('CONFLICT', 'no such lock');
    if (lock.holder !== caller.username && !caller.isAdmin) throw new ScaffoldError('FORBIDDEN', 'not yours');
    this.locks.delete(token);
  }
}

/** Basic auth over a fixed user table. */
export class ScaffoldAuth implements AuthPort {
  private nextId = 1;
  private readonly ids = new Map<string, number>();
  constructor(private readonly users: Readonly<Record<string, string>>) {}

  authenticateBasic(
    username: string,
    password: string,
    request: { address: string | null; reqId: string | null },
  ): Promise<Caller> {
    if (this.users[username] !== password) {
      return Promise.reject(new ScaffoldError('UNAUTHENTICATED', 'wrong credentials'));
    }
    let id = this.ids.get(username);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(username, id);
    }
    return Promise.resolve({
      userId: id,
      username,
      isAdmin: false,
      groups: [],
      protocol: 'webdav',
      address: request.address,
      reqId: request.reqId,
    });
  }
}

/** A FileBody over a read stream of `file` from `start` to `end` inclusive (opened only when sent). */
function streamBody(file: string, start: number, end: number): FileBody {
  return {
    length: Math.max(0, end - start + 1),
    async sendTo(dest: Writable, onBytes?: (bytes: number) => void): Promise<void> {
      const stream = createReadStream(file, { start, end });
      if (onBytes)
        stream.on('data', (chunk: string | Buffer) => {
          onBytes(chunk.length);
        });
      await pipeline(stream, dest);
    },
    slice(from: number, to: number): FileBody {
      return streamBody(file, start + from, start + to);
    },
    close(): Promise<void> {
      return Promise.resolve();
    },
  };
}
