import path from 'node:path';
import { constants as fsConstants, lstatSync, readlinkSync, renameSync, type Stats } from 'node:fs';
import {
  copyFile,
  lstat,
  mkdir,
  open,
  readdir,
  realpath,
  rename,
  rm,
  stat,
  statfs,
  utimes,
} from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import mime from 'mime-types';
import type {
  Caller,
  DeadProperty,
  FileBody,
  LockInfo,
  LockRequest,
  MutationOptions,
  StorageEntry,
  StoragePort,
  WriteOptions,
} from '@baluhost/protocols';
import { runSql, sql, SqlRunner, type Db, type Sql } from '../db/index.js';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../errors/index.js';
import type { AuditResult, AuditService } from '../services/audit-service.js';
import type { DomainEventBus } from '../services/events.js';
import { accessFromAcl, type Access, type SharesService } from '../services/shares-service.js';
import { isMacMetadata, joinNamespacePath, parseNamespacePath } from './paths.js';
import { tmpFileName, type StorageLayout } from './layout.js';
import { QuotaLedger, type Reservation } from './quota.js';
import { LockTable } from './locks.js';
import { PropertyTable } from './properties.js';
import type { FlushPolicy } from '../config/index.js';
import { atOrBelow, moveKeys } from './keys.js';
import {
  BufferBody,
  closeFd,
  FileRangeBody,
  flushFile,
  lstatInline,
  openInline,
  readAt,
  statFd,
  writeNewFile,
} from './file-io.js';

type Area =
  | {
      readonly kind: 'home';
      readonly userId: number;
      readonly username: string;
      readonly dir: string;
      readonly key: string;
      readonly display: string;
    }
  | {
      readonly kind: 'share';
      readonly shareId: number;
      readonly name: string;
      readonly dir: string;
      readonly key: string;
      readonly display: string;
      readonly access: Access;
    };

type Location =
  | { readonly kind: 'root'; readonly nsPath: '/' }
  | { readonly kind: 'homes'; readonly nsPath: '/homes' }
  | {
      readonly kind: 'area';
      readonly area: Area;
      /** Segments below the area's folder; [] is the area's root. */
      readonly rel: readonly string[];
      readonly nsPath: string;
      readonly abs: string;
      readonly key: string;
    };

type AreaLocation = Extract<Location, { kind: 'area' }>;

interface TreeItem {
  readonly rel: readonly string[];
  readonly isDir: boolean;
  readonly size: number;
  readonly key: string;
}

const DIR_TYPE = 'httpd/unix-directory';
const SYMLINK_REFUSED = 'The path goes through a symbolic link, which BaluHost does not follow.';
const SMALL_READ_BYTES = 64 * 1024;
/** Folder entries built between two turns of the event loop: one page of {@link StorageCore.listPages}. */
const LIST_PAGE_ENTRIES = 500;
/** lstat calls of a listing made in one turn of the event loop (about a millisecond when the inodes are cached). */
const LSTATS_PER_TURN = 250;
/** How long a home folder, once made, is taken to exist before it is checked again. */
const HOME_RECHECK_MS = 5_000;

function err(
  code: 'CONFLICT' | 'ALREADY_EXISTS' | 'PRECONDITION_FAILED' | 'LOCKED',
  message: string,
): AppError {
  return new AppError(code, message);
}

/** Where `item`, a member of the tree at `src`, lies when that tree is found at `root`. */
function placeIn(root: string, src: AreaLocation, item: TreeItem): string {
  const relBelow = item.rel.slice(src.rel.length);
  return relBelow.length === 0 ? root : path.join(root, ...relBelow);
}

function isEnoent(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * The storage core: the one way to user files for WebDAV, SMB-side jobs and the file API. Every operation resolves
 * the path in the caller's namespace, authorises, enforces locks and quota, writes atomically, and commits
 * accounting and audit in one transaction.
 */
export class StorageCore implements StoragePort {
  readonly quota: QuotaLedger;
  readonly locks: LockTable;
  readonly properties: PropertyTable;
  private readonly keyQueues = new Map<string, Promise<unknown>>();
  private readonly sql: SqlRunner;
  /** Which written files are flushed to disk before they take their name (BALUHOST_FSYNC). */
  private readonly flush: FlushPolicy;
  private flushes = 0;
  /** Whether the process has nothing else to serve (see QUIET_WRITES in file-io.ts); unknown until set. */
  private quiet: (() => boolean) | null = null;

  /** Home folders known to exist, with when to check again. */
  private readonly homesMade = new Map<string, number>();
  /** Area folders whose real path was checked, with when to check again. */
  private readonly areaDirsChecked = new Map<string, number>();

  constructor(
    private readonly db: Db,
    readonly layout: StorageLayout,
    private readonly shares: SharesService,
    private readonly audit: AuditService,
    private readonly events: DomainEventBus,
    private readonly clock: () => number = Date.now,
    options: {
      readonly flush?: FlushPolicy;
      /** Whether this process writes every lock of the database (see LockTable). */
      readonly soleLockWriter?: boolean;
    } = {},
  ) {
    this.flush = options.flush ?? 'replace';
    this.quota = new QuotaLedger(db, clock, events);
    this.locks = new LockTable(db, clock, options.soleLockWriter ?? false);
    this.properties = new PropertyTable(db);
    this.sql = new SqlRunner(db);
  }

  /**
   * Tells the core how to know that the process has no other request in progress, which lets a small upload be
   * written on the event loop (QUIET_WRITES in file-io.ts). The HTTP server sets it; without it every write goes
   * through the thread pool.
   */
  setQuietCheck(check: () => boolean): void {
    this.quiet = check;
  }

  /** Files flushed to disk before they took their name, since start (what BALUHOST_FSYNC costs). */
  get flushedFiles(): number {
    return this.flushes;
  }

  // ---------------------------------------------------------------- resolution

  homeDir(username: string): string {
    return path.join(this.layout.homes, username);
  }

  private async homeArea(userId: number, username: string): Promise<Area> {
    const dir = this.homeDir(username);
    // Made when first used, and checked again every few seconds rather than on every request (a mkdir per GET
    // was the largest single syscall cost of small reads): a home removed behind BaluHost's back comes back.
    const now = this.clock();
    if ((this.homesMade.get(dir) ?? 0) <= now) {
      await mkdir(dir, { recursive: true, mode: 0o750 });
      this.homesMade.set(dir, now + HOME_RECHECK_MS);
    }
    return { kind: 'home', userId, username, dir, key: `u:${userId}`, display: `/homes/${username}` };
  }

  /** Maps a namespace path onto the root, /homes, or a place in a home or share. @throws ValidationError, NotFoundError, ForbiddenError */
  private async locate(caller: Caller, rawPath: string): Promise<Location> {
    const segments = parseNamespacePath(rawPath);
    const [first, ...rest] = segments;
    if (first === undefined) return { kind: 'root', nsPath: '/' };
    let area: Area;
    let rel: string[];
    if (first === 'home') {
      area = await this.homeArea(caller.userId, caller.username);
      rel = rest;
    } else if (first === 'homes') {
      if (!caller.isAdmin) throw new ForbiddenError('Only admins may open other users’ homes.');
      const [username, ...below] = rest;
      if (username === undefined) return { kind: 'homes', nsPath: '/homes' };
      const user = await this.db('users').where({ username }).first<{ id: number } | undefined>('id');
      if (!user) throw new NotFoundError(`No user named '${username}'.`);
      area = await this.homeArea(user.id, username);
      rel = below;
    } else {
      const share = await this.shares.findByName(first);
      const access = share ? (caller.isAdmin ? 'write' : accessFromAcl(share.acl, caller)) : null;
      // A share the caller may not read is not in their namespace at all.
      if (!share || !access) throw new NotFoundError(`Nothing at ${joinNamespacePath(segments)}.`);
      area = {
        kind: 'share',
        shareId: share.id,
        name: share.name,
        dir: this.shares.shareDir(share.name),
        key: `s:${share.id}`,
        display: `/shares/${share.name}`,
        access,
      };
      rel = rest;
    }
    return {
      kind: 'area',
      area,
      rel,
      nsPath: joinNamespacePath(segments),
      abs: rel.length === 0 ? area.dir : path.join(area.dir, ...rel),
      key: rel.length === 0 ? area.key : `${area.key}/${rel.join('/')}`,
    };
  }

  private async locateArea(caller: Caller, rawPath: string, what: string): Promise<AreaLocation> {
    const loc = await this.locate(caller, rawPath);
    if (loc.kind !== 'area' || loc.rel.length === 0) {
      throw new ForbiddenError(
        `${what} is not possible at ${loc.nsPath}: it is part of the namespace itself.`,
      );
    }
    return loc;
  }

  /**
   * lstat with containment: no component of the path may be a symlink (links are never followed, so nothing
   * planted in the data root can point outside it). The area's own folder is checked with realpath (and the
   * result kept for a few seconds); every component below it is lstat'ed, one after the other, and none may be a link.
   * Returns null when the path does not exist.
   * @throws ForbiddenError
   */
  private async safeStat(loc: AreaLocation): Promise<Stats | null> {
    return (await this.walk(loc)).stat;
  }

  /**
   * {@link safeStat}, and what the same lstats say of the parent folder: `'dir'`, `'missing'` (it or a folder
   * above it is not there) or `'file'` (a file where the folder should be). Creating a file or folder needs both,
   * and one walk costs one round of lstats instead of two.
   */
  private async walk(loc: AreaLocation): Promise<{ stat: Stats | null; parent: 'dir' | 'missing' | 'file' }> {
    await this.assertRealAreaDir(loc.area);
    if (loc.rel.length === 0) return { stat: this.plainEntryStat(lstatInline(loc.area.dir)), parent: 'dir' };
    // Inline, one component after the other (file-io.ts says why); the walk stops at the first one missing.
    const last = loc.rel.length - 1;
    let at = loc.area.dir;
    for (const [i, name] of loc.rel.entries()) {
      at = path.join(at, name);
      const st = lstatInline(at);
      // Missing (or a file where a folder should be): nothing further down can exist either.
      if (!st) return { stat: null, parent: i === last ? 'dir' : 'missing' };
      if (st.isSymbolicLink()) throw new ForbiddenError(SYMLINK_REFUSED);
      if (i === last) return { stat: this.plainEntryStat(st), parent: 'dir' };
      if (!st.isDirectory()) return { stat: null, parent: i === last - 1 ? 'file' : 'missing' };
    }
    return { stat: null, parent: 'dir' }; // not reached: rel is not empty
  }

  private plainEntryStat(st: Stats | null): Stats | null {
    if (st && !st.isFile() && !st.isDirectory())
      throw new ForbiddenError('Only files and folders can be used.');
    return st;
  }

  /** A home or share folder must be where it seems (no link to it or on its way); checked every few seconds. */
  private async assertRealAreaDir(area: Area): Promise<void> {
    const now = this.clock();
    if ((this.areaDirsChecked.get(area.dir) ?? 0) > now) return;
    const real = await realpath(area.dir).catch((e: unknown) => {
      if (isEnoent(e)) return area.dir; // not made yet: nothing to follow
      throw e;
    });
    if (real !== area.dir) throw new ForbiddenError(SYMLINK_REFUSED);
    this.areaDirsChecked.set(area.dir, now + HOME_RECHECK_MS);
  }

  private async mustStat(loc: AreaLocation): Promise<Stats> {
    const st = await this.safeStat(loc);
    if (!st) throw new NotFoundError(`Nothing at ${loc.nsPath}.`);
    return st;
  }

  /**
   * Opens a path for reading with the same containment as {@link safeStat}, in fewer system calls: the last
   * component is opened without following a link, and the kernel's name for the opened file must be the path
   * asked for (any link on the way makes them differ). Checking the file actually opened also closes the gap
   * between a check and the open. Non-blocking, so that a FIFO planted in the tree cannot hang a thread.
   * @throws NotFoundError, ForbiddenError
   */
  private async openContained(loc: AreaLocation): Promise<number> {
    let fd: number;
    try {
      fd = openInline(loc.abs, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new ForbiddenError(SYMLINK_REFUSED);
      // Missing: the full check tells a dangling link or a link on the way (forbidden) from nothing there.
      if (code === 'ENOENT' || code === 'ENOTDIR') await this.mustStat(loc);
      throw e;
    }
    try {
      // procfs answers from memory: read synchronously, as the fstat that follows.
      let opened: string | null = null;
      try {
        opened = readlinkSync(`/proc/self/fd/${String(fd)}`);
      } catch {
        opened = null;
      }
      if (opened === null)
        await this.mustStat(loc); // no /proc: the path-based check
      else if (opened !== loc.abs) throw new ForbiddenError(SYMLINK_REFUSED);
    } catch (e) {
      closeFd(fd);
      throw e;
    }
    return fd;
  }

  // ---------------------------------------------------------------- ownership and rights

  private async ownerOf(area: Area, key: string, trx: Db = this.db): Promise<number | null> {
    if (area.kind === 'home') return area.userId;
    const row = await trx('file_owners')
      .where({ resourceKey: key })
      .first<{ ownerId: number | null } | undefined>('owner_id');
    return row?.ownerId ?? null;
  }

  private canWrite(area: Area): boolean {
    return area.kind === 'home' || area.access === 'write';
  }

  private canModify(caller: Caller, area: Area, ownerId: number | null): boolean {
    if (caller.isAdmin) return true;
    if (area.kind === 'home') return area.userId === caller.userId;
    return area.access === 'write' && ownerId === caller.userId;
  }

  private async deny(caller: Caller, action: string, loc: AreaLocation, message: string): Promise<never> {
    await this.record(caller, action, loc, 'denied');
    throw new ForbiddenError(message);
  }

  private async assertCreate(caller: Caller, action: string, loc: AreaLocation): Promise<void> {
    if (!this.canWrite(loc.area))
      await this.deny(
        caller,
        action,
        loc,
        `You have read-only access to ${loc.area.kind === 'share' ? `the share ${loc.area.name}` : 'this place'}.`,
      );
  }

  private async assertModify(
    caller: Caller,
    action: string,
    loc: AreaLocation,
    ownerId: number | null,
  ): Promise<void> {
    await this.assertCreate(caller, action, loc);
    if (!this.canModify(caller, loc.area, ownerId))
      await this.deny(caller, action, loc, 'Only its owner or an admin may change or delete this.');
  }

  private async assertTree(
    caller: Caller,
    action: string,
    loc: AreaLocation,
    items: readonly TreeItem[],
  ): Promise<void> {
    if (caller.isAdmin || loc.area.kind === 'home')
      return this.assertModify(caller, action, loc, await this.ownerOf(loc.area, loc.key));
    await this.assertCreate(caller, action, loc);
    const owners = await this.ownersOf(items.map((i) => i.key));
    const foreign = items.some((i) => owners.get(i.key) !== caller.userId);
    if (foreign)
      await this.deny(
        caller,
        action,
        loc,
        'The folder holds files of other users; only they or an admin may delete them.',
      );
  }

  private async ownersOf(keys: readonly string[]): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await this.db('file_owners')
        .whereIn('resourceKey', keys.slice(i, i + 500))
        .select<{ resourceKey: string; ownerId: number | null }[]>('resource_key', 'owner_id');
      for (const r of rows) out.set(r.resourceKey, r.ownerId);
    }
    return out;
  }

  // ---------------------------------------------------------------- entries

  private etag(st: Stats): string {
    return `"${st.ino.toString(36)}-${st.size.toString(36)}-${Math.round(st.mtimeMs * 1000).toString(36)}"`;
  }

  private entry(
    loc: AreaLocation,
    st: Stats,
    owner: string | null,
    ownerId: number | null,
    caller: Caller,
  ): StorageEntry {
    const name =
      loc.rel.at(-1) ??
      (loc.area.kind === 'home'
        ? loc.nsPath.startsWith('/home')
          ? 'home'
          : loc.area.username
        : loc.area.name);
    const isDir = st.isDirectory();
    return {
      path: loc.nsPath,
      name,
      type: isDir ? 'directory' : 'file',
      size: isDir ? 0 : st.size,
      mtimeMs: st.mtimeMs,
      birthtimeMs: st.birthtimeMs > 0 ? st.birthtimeMs : st.ctimeMs,
      etag: this.etag(st),
      contentType: isDir ? DIR_TYPE : mime.lookup(name) || 'application/octet-stream',
      owner,
      resourceKey: loc.key,
      isVirtual: false,
      canModify: loc.rel.length > 0 && this.canWrite(loc.area) && this.canModify(caller, loc.area, ownerId),
    };
  }

  private async usernames(ids: Iterable<number | null>): Promise<Map<number, string>> {
    const wanted = [...new Set([...ids].filter((i): i is number => i !== null))];
    const out = new Map<number, string>();
    if (wanted.length === 0) return out;
    const rows = await this.db('users')
      .whereIn('id', wanted)
      .select<{ id: number; username: string }[]>('id', 'username');
    for (const r of rows) out.set(r.id, r.username);
    return out;
  }

  private async virtualEntry(nsPath: string, name: string, key: string): Promise<StorageEntry> {
    const st = await stat(this.layout.root);
    return {
      path: nsPath,
      name,
      type: 'directory',
      size: 0,
      mtimeMs: st.mtimeMs,
      birthtimeMs: st.birthtimeMs > 0 ? st.birthtimeMs : st.ctimeMs,
      etag: `"v-${Math.round(st.mtimeMs).toString(36)}"`,
      contentType: DIR_TYPE,
      owner: null,
      resourceKey: key,
      isVirtual: true,
      canModify: false,
    };
  }

  private async entryOf(caller: Caller, loc: AreaLocation, known?: Stats): Promise<StorageEntry> {
    const st = known ?? (await this.mustStat(loc));
    // A home's owner is its user: no query on the hot path of every GET and PUT.
    if (loc.area.kind === 'home') return this.entry(loc, st, loc.area.username, loc.area.userId, caller);
    const row = await this.db('file_owners')
      .leftJoin('users', 'users.id', 'file_owners.owner_id')
      .where('file_owners.resource_key', loc.key)
      .first<{ ownerId: number | null; username: string | null } | undefined>(
        'file_owners.owner_id',
        'users.username',
      );
    return this.entry(loc, st, row?.username ?? null, row?.ownerId ?? null, caller);
  }

  // ---------------------------------------------------------------- reads

  async stat(caller: Caller, rawPath: string): Promise<StorageEntry> {
    const loc = await this.locate(caller, rawPath);
    if (loc.kind === 'root') return this.virtualEntry('/', '', 'v:/');
    if (loc.kind === 'homes') return this.virtualEntry('/homes', 'homes', 'v:/homes');
    return this.entryOf(caller, loc);
  }

  async list(
    caller: Caller,
    rawPath: string,
    options: { readonly hideMacMetadata?: boolean } = {},
  ): Promise<StorageEntry[]> {
    const out: StorageEntry[] = [];
    for await (const page of this.listPages(caller, rawPath, options)) out.push(...page);
    return out;
  }

  async *listPages(
    caller: Caller,
    rawPath: string,
    options: { readonly hideMacMetadata?: boolean; readonly pageSize?: number } = {},
  ): AsyncIterable<StorageEntry[]> {
    const loc = await this.locate(caller, rawPath);
    if (loc.kind === 'root') {
      const out = [await this.stat(caller, '/home')];
      if (caller.isAdmin) out.push(await this.virtualEntry('/homes', 'homes', 'v:/homes'));
      for (const share of await this.shares.listFor({ ...caller, role: caller.isAdmin ? 'admin' : 'user' })) {
        out.push(
          await this.stat(caller, `/${share.name}`)
            .catch(() => null)
            .then((e) => e ?? this.virtualEntry(`/${share.name}`, share.name, `s:${share.id}`)),
        );
      }
      yield out;
      return;
    }
    if (loc.kind === 'homes') {
      const users = await this.db('users').orderBy('username').select<{ username: string }[]>('username');
      yield await Promise.all(users.map((u) => this.stat(caller, `/homes/${u.username}`)));
      return;
    }
    const st = await this.mustStat(loc);
    if (!st.isDirectory()) throw err('CONFLICT', `${loc.nsPath} is a file, not a folder.`);
    const dirents = await readdir(loc.abs, { withFileTypes: true });
    const children = dirents.filter(
      (d) => (d.isFile() || d.isDirectory()) && !(options.hideMacMetadata && isMacMetadata(d.name)),
    );
    const pageSize = Math.max(1, options.pageSize ?? LIST_PAGE_ENTRIES);
    const homeOwner = loc.area.kind === 'home' ? loc.area.userId : null;
    const names = new Map<number, string>();
    for (let start = 0; start < children.length; start += pageSize) {
      const page = children.slice(start, start + pageSize);
      // Inline, a slice per turn of the event loop, other requests served in between: through the thread pool a
      // 10,000-entry listing took 180-300 ms against 52 ms inline here, and its pool threads competed with the
      // event loop for the CPU (file-io.ts).
      const stats: (Stats | null)[] = [];
      for (let i = 0; i < page.length; i += LSTATS_PER_TURN) {
        if (i > 0 || start > 0) await nextTurn();
        for (const d of page.slice(i, i + LSTATS_PER_TURN)) {
          let st: Stats | null;
          try {
            st = lstatInline(`${loc.abs}/${d.name}`); // a name from readdir: no separator, nothing to normalise
          } catch {
            st = null; // unreadable: left out, as if gone
          }
          stats.push(st);
        }
      }
      const keys = page.map((d) => `${loc.key}/${d.name}`);
      const owners = loc.area.kind === 'share' ? await this.ownersOf(keys) : new Map<string, number | null>();
      const unknown = [...(loc.area.kind === 'share' ? owners.values() : [homeOwner])].filter(
        (id): id is number => id !== null && !names.has(id),
      );
      for (const [id, name] of await this.usernames(unknown)) names.set(id, name);
      const out: StorageEntry[] = [];
      for (let i = 0; i < page.length; i++) {
        const d = page[i];
        const s = stats[i];
        if (!d || !s || (!s.isFile() && !s.isDirectory())) continue;
        const childLoc: AreaLocation = {
          kind: 'area',
          area: loc.area,
          rel: [...loc.rel, d.name],
          nsPath: loc.nsPath === '/' ? `/${d.name}` : `${loc.nsPath}/${d.name}`,
          abs: path.join(loc.abs, d.name),
          key: keys[i] ?? '',
        };
        const ownerId = loc.area.kind === 'share' ? (owners.get(childLoc.key) ?? null) : homeOwner;
        out.push(
          this.entry(childLoc, s, ownerId === null ? null : (names.get(ownerId) ?? null), ownerId, caller),
        );
      }
      yield out;
      // Other requests get their turn between two pages (a page takes a few milliseconds to build).
      await nextTurn();
    }
  }

  async read(caller: Caller, rawPath: string): Promise<{ entry: StorageEntry; body: FileBody }> {
    const loc = await this.locate(caller, rawPath);
    if (loc.kind !== 'area') throw err('CONFLICT', `${loc.nsPath} is a folder.`);
    const fd = await this.openContained(loc);
    let entry: StorageEntry;
    try {
      const st = statFd(fd);
      if (st.isDirectory()) throw err('CONFLICT', `${loc.nsPath} is a folder.`);
      if (!st.isFile()) throw new ForbiddenError('Only files and folders can be used.');
      // The entry describes exactly the file that was opened.
      entry = await this.entryOf(caller, loc, st);
    } catch (e) {
      closeFd(fd);
      throw e;
    }
    const length = entry.size;
    if (length > SMALL_READ_BYTES) return { entry, body: new FileRangeBody(fd, 0, length) };
    // Small files (most requests) in one read, sent with the headers in one write.
    try {
      const buffer = Buffer.allocUnsafe(length);
      const bytesRead = length > 0 ? await readAt(fd, buffer, 0, length, 0) : 0;
      return { entry, body: new BufferBody(buffer.subarray(0, bytesRead)) };
    } finally {
      closeFd(fd);
    }
  }

  async usage(
    caller: Caller,
  ): Promise<{ usedBytes: number; quotaBytes: number | null; availableBytes: number }> {
    const [usedBytes, quotaBytes, fs] = await Promise.all([
      this.quota.used('user', caller.userId),
      this.quota.userQuota(caller.userId),
      statfs(this.layout.root),
    ]);
    const diskFree = fs.bavail * fs.bsize;
    return {
      usedBytes,
      quotaBytes,
      availableBytes: Math.max(
        0,
        Math.min(diskFree, quotaBytes === null ? diskFree : quotaBytes - usedBytes),
      ),
    };
  }

  // ---------------------------------------------------------------- writes

  /** Runs fn alone for a resource key within this process (commit steps that read-then-write accounting). */
  private async serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.keyQueues.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.keyQueues.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.keyQueues.get(key) === tail) this.keyQueues.delete(key);
    }
  }

  private chargedUser(loc: AreaLocation, existingOwner: number | null, caller: Caller): number | null {
    if (loc.area.kind === 'home') return loc.area.userId;
    return existingOwner ?? caller.userId;
  }

  /** Refuses to create at `loc` unless its parent folder is there, as {@link walk} found it. @throws CONFLICT */
  private parentMustBeDir(loc: AreaLocation, parent: 'dir' | 'missing' | 'file'): void {
    if (parent === 'dir') return;
    const parentPath = path.posix.dirname(loc.nsPath);
    if (parent === 'missing') throw err('CONFLICT', `The folder ${parentPath} does not exist.`);
    throw err('CONFLICT', `${parentPath} is a file, not a folder.`);
  }

  /**
   * Moves a file or tree into tmp/ (one atomic rename), then deletes it there: a crash in between leaves it in
   * tmp/, which start-up cleans, never half-deleted in place.
   */
  private async discard(abs: string): Promise<void> {
    const aside = this.tmpPath();
    await rename(abs, aside);
    await rm(aside, { recursive: true, force: true });
  }

  /** Records who created a resource in a share (a creator owns what they create there). */
  private ownerStatement(key: string, ownerId: number): Sql {
    return sql(
      'insert into file_owners (resource_key, owner_id) values (?, ?)' +
        ' on conflict (resource_key) do update set owner_id = excluded.owner_id',
      [key, ownerId],
    );
  }

  private tmpPath(): string {
    return path.join(this.layout.tmp, tmpFileName());
  }

  async write(
    caller: Caller,
    rawPath: string,
    body: Readable,
    options: WriteOptions,
  ): Promise<{ entry: StorageEntry; created: boolean }> {
    const loc = await this.locateArea(caller, rawPath, 'Writing a file');
    const { stat: existing, parent } = await this.walk(loc);
    if (existing?.isDirectory()) throw err('CONFLICT', `${loc.nsPath} is a folder.`);
    this.parentMustBeDir(loc, parent);
    const existingOwner = existing ? await this.ownerOf(loc.area, loc.key) : null;
    if (existing) await this.assertModify(caller, 'file.write', loc, existingOwner);
    else await this.assertCreate(caller, 'file.write', loc);
    this.checkPreconditions(existing, options);
    await this.locks.assertMayMutate(
      loc.key,
      existing ? 'modify' : 'create',
      caller.userId,
      options.lockTokens ?? [],
    );

    const chargeUser = this.chargedUser(loc, existingOwner, caller);
    const shareId = loc.area.kind === 'share' ? loc.area.shareId : null;
    const oldSize = existing?.size ?? 0;
    const limited = await this.quota.applies(chargeUser, shareId);
    let reservation: Reservation | null = null;
    if (limited)
      reservation = await this.quota.reserve(
        chargeUser,
        shareId,
        Math.max(0, (options.expectedBytes ?? 0) - oldSize),
      );
    const tmp = this.tmpPath();
    try {
      const r = reservation;
      // Chunked bodies (and bodies larger than announced) grow the reservation as they arrive, in steps.
      const admit = r
        ? async (total: number): Promise<void> => {
            const need = total - oldSize;
            if (need > r.bytes) await this.quota.extend(r, Math.max(need, r.bytes + 4 * 1024 * 1024));
          }
        : null;
      options.onBodyWanted?.();
      // Flushed as it is written when it will replace a file (or always, by the setting; BALUHOST_FSYNC).
      const flushed = this.flush === 'always' || (this.flush === 'replace' && existing !== null);
      // A body cut short (client gone, Content-Length not reached) rejects here: nothing is committed. The stat
      // describes the entry: renaming the file into place changes neither its inode, size nor mtime.
      const { written, stat: asWritten } = await writeNewFile(
        tmp,
        body,
        options.expectedBytes ?? null,
        admit,
        flushed,
        this.quiet,
      );
      if (flushed) this.flushes++;
      let writtenStat = asWritten;
      const created = await this.serial(loc.key, async () => {
        const current = await this.safeStat(loc);
        if (current?.isDirectory()) throw err('CONFLICT', `${loc.nsPath} is a folder.`);
        // A file arrived at the name while this one was written: it is replaced, so flush first after all.
        if (current && !flushed && this.flush === 'replace') {
          await flushFile(tmp);
          this.flushes++;
        }
        const delta = written - (current?.size ?? 0);
        const event = {
          action: 'file.write',
          result: 'success',
          target: this.display(loc),
          details: { bytes: written, created: !current },
        } as const;
        const statements: (Sql | null)[] = [
          reservation ? this.quota.releaseStatement(reservation) : null,
          this.quota.addStatement('user', chargeUser, delta),
          this.quota.addStatement('share', shareId, delta),
          loc.area.kind === 'share' && !current ? this.ownerStatement(loc.key, caller.userId) : null,
          this.audit.statement(caller, event),
        ];
        // The rename is the commit: it runs inside the transaction, after its statements, so that accounting
        // and audit row are committed with it and not without it. It is one metadata call, made directly
        // rather than through the thread pool, whose round trip costs more than the call.
        await this.sql.transaction(
          statements.filter((x): x is Sql => x !== null),
          () => {
            renameSync(tmp, loc.abs);
          },
        );
        this.audit.recorded(event, caller.protocol);
        return !current;
      });
      reservation = null;
      if (options.mtimeMs !== undefined) {
        await utimes(loc.abs, new Date(), new Date(options.mtimeMs));
        // The file was checked for containment a moment ago and is ours: a plain lstat describes it.
        writtenStat = lstatSync(loc.abs);
      }
      this.events.emit('storage.changed', { key: loc.key, bytesWritten: written });
      return { entry: await this.entryOf(caller, loc, writtenStat), created };
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    } finally {
      if (reservation) await this.quota.release(reservation).catch(() => undefined);
    }
  }

  private checkPreconditions(existing: Stats | null, options: WriteOptions): void {
    const tag = existing ? this.etag(existing) : null;
    if (options.ifMatch && options.ifMatch.length > 0) {
      const ok = tag !== null && (options.ifMatch.includes('*') || options.ifMatch.includes(tag));
      if (!ok) throw err('PRECONDITION_FAILED', 'The file has changed since you read it (If-Match).');
    }
    if (options.ifNoneMatch && options.ifNoneMatch.length > 0) {
      const fails = tag !== null && (options.ifNoneMatch.includes('*') || options.ifNoneMatch.includes(tag));
      if (fails) throw err('PRECONDITION_FAILED', 'The file already exists (If-None-Match).');
    }
  }

  async mkdir(caller: Caller, rawPath: string, options: MutationOptions = {}): Promise<StorageEntry> {
    const loc = await this.locateArea(caller, rawPath, 'Creating a folder');
    const { stat, parent } = await this.walk(loc);
    if (stat) throw err('ALREADY_EXISTS', `${loc.nsPath} already exists.`);
    this.parentMustBeDir(loc, parent);
    await this.assertCreate(caller, 'file.mkdir', loc);
    await this.locks.assertMayMutate(loc.key, 'create', caller.userId, options.lockTokens ?? []);
    await this.db.transaction(async (trx) => {
      if (loc.area.kind === 'share') await runSql(trx, this.ownerStatement(loc.key, caller.userId));
      await this.audit.record(
        caller,
        { action: 'file.mkdir', result: 'success', target: this.display(loc) },
        trx,
      );
      try {
        await mkdir(loc.abs, { mode: 0o750 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST')
          throw err('ALREADY_EXISTS', `${loc.nsPath} already exists.`);
        throw e;
      }
    });
    this.events.emit('storage.changed', { key: loc.key, bytesWritten: 0 });
    return this.entryOf(caller, loc);
  }

  /** Every file and folder at and below loc, with sizes (the root first). */
  private async tree(loc: AreaLocation, st: Stats): Promise<TreeItem[]> {
    const out: TreeItem[] = [
      { rel: loc.rel, isDir: st.isDirectory(), size: st.isDirectory() ? 0 : st.size, key: loc.key },
    ];
    if (!st.isDirectory()) return out;
    const walk = async (abs: string, rel: readonly string[], key: string): Promise<void> => {
      for (const d of await readdir(abs, { withFileTypes: true })) {
        if (d.isSymbolicLink()) continue;
        const childAbs = path.join(abs, d.name);
        const childKey = `${key}/${d.name}`;
        if (d.isDirectory()) {
          out.push({ rel: [...rel, d.name], isDir: true, size: 0, key: childKey });
          await walk(childAbs, [...rel, d.name], childKey);
        } else if (d.isFile()) {
          const s = await lstat(childAbs).catch(() => null);
          out.push({ rel: [...rel, d.name], isDir: false, size: s?.size ?? 0, key: childKey });
        }
      }
    };
    await walk(loc.abs, loc.rel, loc.key);
    return out;
  }

  /** Bytes per charged user in a tree: the home's user, or each file's owner in a share. */
  private async bytesByOwner(
    loc: AreaLocation,
    items: readonly TreeItem[],
  ): Promise<Map<number | null, number>> {
    const out = new Map<number | null, number>();
    const files = items.filter((i) => !i.isDir);
    const owners = loc.area.kind === 'share' ? await this.ownersOf(files.map((f) => f.key)) : null;
    for (const f of files) {
      const owner = loc.area.kind === 'home' ? loc.area.userId : (owners?.get(f.key) ?? null);
      out.set(owner, (out.get(owner) ?? 0) + f.size);
    }
    return out;
  }

  async remove(caller: Caller, rawPath: string, options: MutationOptions = {}): Promise<void> {
    const loc = await this.locateArea(caller, rawPath, 'Deleting');
    const st = await this.mustStat(loc);
    const items = await this.tree(loc, st);
    await this.assertTree(caller, 'file.delete', loc, items);
    await this.locks.assertMayMutate(loc.key, 'delete', caller.userId, options.lockTokens ?? []);
    const byOwner = await this.bytesByOwner(loc, items);
    await this.serial(loc.key, () =>
      this.db.transaction(async (trx) => {
        await this.unaccount(trx, loc, byOwner);
        await this.forgetKeys(trx, loc.key);
        await this.audit.record(
          caller,
          {
            action: 'file.delete',
            result: 'success',
            target: this.display(loc),
            details: { files: items.filter((i) => !i.isDir).length },
          },
          trx,
        );
        await this.discard(loc.abs);
      }),
    );
    this.events.emit('storage.changed', { key: loc.key, bytesWritten: 0 });
  }

  private async unaccount(trx: Db, loc: AreaLocation, byOwner: Map<number | null, number>): Promise<void> {
    let total = 0;
    for (const [owner, bytes] of byOwner) {
      await this.quota.add(trx, 'user', owner, -bytes);
      total += bytes;
    }
    if (loc.area.kind === 'share') await this.quota.add(trx, 'share', loc.area.shareId, -total);
  }

  private async forgetKeys(trx: Db, key: string): Promise<void> {
    await atOrBelow(trx('file_owners'), key).delete();
    await this.properties.removeAtOrBelow(trx, key);
    await this.locks.removeAtOrBelow(trx, key);
  }

  async move(
    caller: Caller,
    from: string,
    to: string,
    options: MutationOptions & { readonly overwrite: boolean },
  ): Promise<{ created: boolean }> {
    return this.transfer('move', caller, from, to, { ...options, depth: 'infinity' });
  }

  async copy(
    caller: Caller,
    from: string,
    to: string,
    options: MutationOptions & { readonly overwrite: boolean; readonly depth: 0 | 'infinity' },
  ): Promise<{ created: boolean }> {
    return this.transfer('copy', caller, from, to, options);
  }

  private async transfer(
    kind: 'move' | 'copy',
    caller: Caller,
    from: string,
    to: string,
    options: MutationOptions & { readonly overwrite: boolean; readonly depth: 0 | 'infinity' },
  ): Promise<{ created: boolean }> {
    const action = `file.${kind}`;
    const src = await this.locateArea(caller, from, kind === 'move' ? 'Moving' : 'Copying');
    const dst = await this.locateArea(caller, to, kind === 'move' ? 'Moving' : 'Copying');
    if (src.key === dst.key) throw new ForbiddenError('The source and the destination are the same.');
    if (dst.key.startsWith(`${src.key}/`))
      throw new ValidationError('A folder cannot be moved or copied into itself.');
    const srcStat = await this.mustStat(src);
    const items = await this.tree(src, srcStat);
    const selected = kind === 'copy' && options.depth === 0 ? items.slice(0, 1) : items;
    if (kind === 'move') await this.assertTree(caller, action, src, items);
    const { stat: dstStat, parent: dstParent } = await this.walk(dst);
    this.parentMustBeDir(dst, dstParent);
    if (dstStat && !options.overwrite) throw err('ALREADY_EXISTS', `${dst.nsPath} already exists.`);
    const dstItems = dstStat ? await this.tree(dst, dstStat) : [];
    if (dstStat) await this.assertTree(caller, action, dst, dstItems);
    else await this.assertCreate(caller, action, dst);
    const tokens = options.lockTokens ?? [];
    if (kind === 'move') await this.locks.assertMayMutate(src.key, 'delete', caller.userId, tokens);
    await this.locks.assertMayMutate(dst.key, dstStat ? 'delete' : 'create', caller.userId, tokens);

    // Who is charged at the destination: the home's user; in a share, the mover keeps each file's owner, a copy is the copier's.
    const srcOwners = await this.bytesByOwner(src, selected);
    const total = [...srcOwners.values()].reduce((a, b) => a + b, 0);
    const sameArea = src.area.key === dst.area.key;
    const dstShare = dst.area.kind === 'share' ? dst.area.shareId : null;
    const newOwner = (owner: number | null): number | null =>
      dst.area.kind === 'home'
        ? dst.area.userId
        : kind === 'copy'
          ? caller.userId
          : src.area.kind === 'home'
            ? src.area.userId
            : owner;
    const incoming = new Map<number | null, number>();
    for (const [owner, bytes] of srcOwners)
      incoming.set(newOwner(owner), (incoming.get(newOwner(owner)) ?? 0) + bytes);
    const dstBytes = dstStat ? await this.bytesByOwner(dst, dstItems) : new Map<number | null, number>();
    const reservations: Reservation[] = [];
    try {
      if (kind === 'copy' || !sameArea) {
        for (const [owner, bytes] of incoming) {
          const freed = dstBytes.get(owner) ?? 0;
          if ((owner !== null || dstShare !== null) && (await this.quota.applies(owner, dstShare))) {
            reservations.push(await this.quota.reserve(owner, dstShare, Math.max(0, bytes - freed)));
          }
        }
      }
      let staged: string | null = null;
      if (kind === 'copy') staged = await this.stageCopy(src, selected);
      // What arrives is flushed before it replaces a file or folder (BALUHOST_FSYNC): a moved file too, which was
      // written without a flush if it was new then. By `always`, every copy as well (a move writes no data).
      const flushIn =
        this.flush !== 'never' && (dstStat !== null || (kind === 'copy' && this.flush === 'always'));
      if (flushIn) await this.flushTree(staged ?? src.abs, src, kind === 'copy' ? selected : items);
      await this.serial(dst.key, () =>
        this.db.transaction(async (trx) => {
          for (const r of reservations) await this.quota.release(r, trx);
          if (dstStat) {
            await this.unaccount(trx, dst, dstBytes);
            await this.forgetKeys(trx, dst.key);
          }
          if (kind === 'move') {
            if (!sameArea) {
              await this.unaccount(trx, src, srcOwners);
              for (const [owner, bytes] of incoming) await this.quota.add(trx, 'user', owner, bytes);
              if (dstShare !== null) await this.quota.add(trx, 'share', dstShare, total);
            }
            await this.locks.removeAtOrBelow(trx, src.key);
            await this.properties.move(trx, src.key, dst.key);
            if (dst.area.kind === 'share') {
              if (src.area.kind === 'share') await moveKeys(trx, 'file_owners', src.key, dst.key);
              else
                await this.setOwners(
                  trx,
                  items.map((i) => dst.key + i.key.slice(src.key.length)),
                  newOwner(null),
                );
            } else {
              await atOrBelow(trx('file_owners'), src.key).delete();
            }
          } else {
            for (const [owner, bytes] of incoming) await this.quota.add(trx, 'user', owner, bytes);
            if (dstShare !== null) await this.quota.add(trx, 'share', dstShare, total);
            await this.properties.copy(trx, src.key, dst.key);
            if (dst.area.kind === 'share')
              await this.setOwners(
                trx,
                selected.map((i) => dst.key + i.key.slice(src.key.length)),
                caller.userId,
              );
          }
          await this.audit.record(
            caller,
            {
              action,
              result: 'success',
              target: this.display(src),
              details: { to: this.display(dst), overwrote: dstStat !== null },
            },
            trx,
          );
          if (dstStat) {
            await this.discard(dst.abs);
          }
          await rename(staged ?? src.abs, dst.abs);
          staged = null;
        }),
      ).finally(async () => {
        if (staged) await rm(staged, { recursive: true, force: true });
      });
    } finally {
      for (const r of reservations) await this.quota.release(r).catch(() => undefined);
    }
    this.events.emit('storage.changed', { key: dst.key, bytesWritten: kind === 'copy' ? total : 0 });
    return { created: dstStat === null };
  }

  /** Records one owner for every key (a tree arriving in a share). */
  private async setOwners(trx: Db, keys: readonly string[], ownerId: number | null): Promise<void> {
    for (let i = 0; i < keys.length; i += 200) {
      const chunk = keys.slice(i, i + 200).map((k) => ({ resourceKey: k, ownerId }));
      if (chunk.length > 0) await trx('file_owners').insert(chunk).onConflict('resource_key').merge();
    }
  }

  /** Flushes the files of a tree (items of `src`, found at `root`) to disk, one after the other. */
  private async flushTree(root: string, src: AreaLocation, items: readonly TreeItem[]): Promise<void> {
    for (const item of items) {
      if (item.isDir) continue;
      await flushFile(placeIn(root, src, item));
      this.flushes++;
    }
  }

  /** Copies a tree into tmp/ (copy_file_range where the filesystem has it), to be renamed into place in the commit. */
  private async stageCopy(src: AreaLocation, items: readonly TreeItem[]): Promise<string> {
    const staged = this.tmpPath();
    try {
      for (const item of items) {
        const target = placeIn(staged, src, item);
        const source = placeIn(src.abs, src, item);
        if (item.isDir) await mkdir(target, { mode: 0o750 });
        else await copyFile(source, target);
      }
      return staged;
    } catch (e) {
      await rm(staged, { recursive: true, force: true });
      throw e;
    }
  }

  async setModifiedTime(
    caller: Caller,
    rawPath: string,
    mtimeMs: number,
    options: MutationOptions = {},
  ): Promise<void> {
    const loc = await this.locateArea(caller, rawPath, 'Changing the time');
    await this.mustStat(loc);
    await this.assertModify(caller, 'file.touch', loc, await this.ownerOf(loc.area, loc.key));
    await this.locks.assertMayMutate(loc.key, 'modify', caller.userId, options.lockTokens ?? []);
    const when = new Date(mtimeMs);
    await utimes(loc.abs, when, when);
  }

  // ---------------------------------------------------------------- properties

  async getProperties(caller: Caller, rawPath: string): Promise<DeadProperty[]> {
    const entry = await this.stat(caller, rawPath);
    return this.properties.get(entry.resourceKey);
  }

  async getPropertiesMany(
    _caller: Caller,
    resourceKeys: readonly string[],
  ): Promise<Map<string, DeadProperty[]>> {
    return this.properties.getMany(resourceKeys);
  }

  async patchProperties(
    caller: Caller,
    rawPath: string,
    set: readonly DeadProperty[],
    remove: readonly { readonly namespace: string; readonly name: string }[],
    options: MutationOptions = {},
  ): Promise<void> {
    const loc = await this.locateArea(caller, rawPath, 'Changing properties');
    await this.mustStat(loc);
    await this.assertModify(caller, 'file.proppatch', loc, await this.ownerOf(loc.area, loc.key));
    await this.locks.assertMayMutate(loc.key, 'modify', caller.userId, options.lockTokens ?? []);
    await this.db.transaction((trx) => this.properties.patch(trx, loc.key, set, remove));
  }

  // ---------------------------------------------------------------- locks

  async lock(
    caller: Caller,
    rawPath: string,
    request: LockRequest,
  ): Promise<{ lock: LockInfo; created: boolean }> {
    const loc = await this.locateArea(caller, rawPath, 'Locking');
    const walked = await this.walk(loc);
    let st = walked.stat;
    const ownerId = st ? await this.ownerOf(loc.area, loc.key) : null;
    if (st) await this.assertModify(caller, 'file.lock', loc, ownerId);
    else {
      this.parentMustBeDir(loc, walked.parent);
      await this.assertCreate(caller, 'file.lock', loc);
    }
    let created = false;
    const lock = await this.serial(loc.key, () =>
      this.db.transaction(async (trx) => {
        const info = await this.locks.create(trx, {
          key: loc.key,
          rootPath: loc.nsPath,
          scope: request.scope,
          depth: st?.isDirectory() ? request.depth : 0,
          ownerXml: request.ownerXml,
          holderId: caller.userId,
          holderName: caller.username,
          timeoutSeconds: request.timeoutSeconds,
        });
        if (!st) {
          // RFC 4918 7.3: locking an unmapped URL creates an empty resource.
          await this.locks.assertMayMutate(
            loc.key,
            'create',
            caller.userId,
            [...(request.lockTokens ?? []), info.token],
            trx,
          );
          if (loc.area.kind === 'share') await runSql(trx, this.ownerStatement(loc.key, caller.userId));
          const fh = await open(loc.abs, 'wx', 0o640);
          await fh.close();
          created = true;
          st = await lstat(loc.abs);
        }
        await this.audit.record(
          caller,
          {
            action: 'file.lock',
            result: 'success',
            target: this.display(loc),
            details: { scope: request.scope, depth: info.depth },
          },
          trx,
        );
        return info;
      }),
    );
    return { lock, created };
  }

  async refreshLock(
    caller: Caller,
    rawPath: string,
    token: string,
    timeoutSeconds: number,
  ): Promise<LockInfo> {
    const loc = await this.locateArea(caller, rawPath, 'Refreshing a lock');
    const lock = await this.locks.find(token, loc.key);
    if (!lock) throw err('PRECONDITION_FAILED', 'No such lock on this resource.');
    if (lock.holderId !== caller.userId) throw new ForbiddenError('This lock belongs to someone else.');
    return this.locks.refresh(token, timeoutSeconds);
  }

  async unlock(caller: Caller, rawPath: string, token: string): Promise<void> {
    const loc = await this.locateArea(caller, rawPath, 'Unlocking');
    const lock = await this.locks.find(token, loc.key);
    if (!lock) throw err('CONFLICT', 'No such lock on this resource.');
    if (lock.holderId !== caller.userId && !caller.isAdmin)
      throw new ForbiddenError('This lock belongs to someone else.');
    await this.locks.remove(token);
    await this.record(caller, 'file.unlock', loc, 'success');
  }

  async locksFor(caller: Caller, rawPath: string): Promise<LockInfo[]> {
    const loc = await this.locate(caller, rawPath);
    if (loc.kind !== 'area') return [];
    return this.locks.covering(loc.key);
  }

  // ---------------------------------------------------------------- upkeep

  /**
   * Recounts every user's and share's usage from the files on disk, drops ownership rows of files that are gone,
   * and expired reservations and locks. Corrects drift from changes made outside BaluHost.
   */
  async reconcile(): Promise<{ users: number; shares: number; usedBytes: number; removedOwners: number }> {
    const perUser = new Map<number, number>();
    const perShare = new Map<number, number>();
    const users = await this.db('users').select<{ id: number; username: string }[]>('id', 'username');
    let usedBytes = 0;
    for (const u of users) {
      const area = await this.homeArea(u.id, u.username);
      const loc: AreaLocation = {
        kind: 'area',
        area,
        rel: [],
        nsPath: '/home',
        abs: area.dir,
        key: area.key,
      };
      const items = await this.tree(loc, await stat(area.dir));
      const bytes = items.reduce((a, i) => a + i.size, 0);
      perUser.set(u.id, (perUser.get(u.id) ?? 0) + bytes);
      usedBytes += bytes;
    }
    let removedOwners = 0;
    for (const share of await this.shares.list()) {
      const dir = this.shares.shareDir(share.name);
      await mkdir(dir, { recursive: true });
      const area: Area = {
        kind: 'share',
        shareId: share.id,
        name: share.name,
        dir,
        key: `s:${share.id}`,
        display: `/shares/${share.name}`,
        access: 'write',
      };
      const loc: AreaLocation = {
        kind: 'area',
        area,
        rel: [],
        nsPath: `/${share.name}`,
        abs: dir,
        key: area.key,
      };
      const items = await this.tree(loc, await stat(dir));
      const owners = await this.ownersOf(items.map((i) => i.key));
      let shareBytes = 0;
      for (const item of items) {
        if (item.isDir) continue;
        shareBytes += item.size;
        const owner = owners.get(item.key);
        if (owner !== undefined && owner !== null) perUser.set(owner, (perUser.get(owner) ?? 0) + item.size);
      }
      perShare.set(share.id, shareBytes);
      usedBytes += shareBytes;
      const present = new Set(items.map((i) => i.key));
      const known: { resourceKey: string }[] = await atOrBelow(this.db('file_owners'), area.key).select(
        'resource_key',
      );
      const gone = known.map((k) => k.resourceKey).filter((k) => !present.has(k));
      for (let i = 0; i < gone.length; i += 500)
        removedOwners += await this.db('file_owners')
          .whereIn('resourceKey', gone.slice(i, i + 500))
          .delete();
    }
    await this.db.transaction(async (trx) => {
      await trx('storage_usage').delete();
      for (const u of users) await this.quota.set(trx, 'user', u.id, perUser.get(u.id) ?? 0);
      for (const [id, bytes] of perShare) await this.quota.set(trx, 'share', id, bytes);
    });
    await this.quota.removeExpired();
    await this.locks.removeExpired();
    return { users: users.length, shares: perShare.size, usedBytes, removedOwners };
  }

  /** Moves a deleted user's home aside to orphaned/ (kept for an admin to remove) and forgets its keys. */
  async retireHome(userId: number, username: string): Promise<void> {
    const dir = this.homeDir(username);
    await this.db.transaction(async (trx) => {
      await this.forgetKeys(trx, `u:${userId}`);
      await trx('storage_usage').where({ scope: 'user', subjectId: userId }).delete();
    });
    await rename(
      dir,
      path.join(
        this.layout.orphaned,
        `home-${username}-${new Date(this.clock()).toISOString().replace(/[:.]/g, '-')}`,
      ),
    ).catch((e: unknown) => {
      if (!isEnoent(e)) throw e;
    });
    this.homesMade.delete(dir);
  }

  private display(loc: AreaLocation): string {
    return loc.rel.length === 0 ? loc.area.display : `${loc.area.display}/${loc.rel.join('/')}`;
  }

  private async record(
    caller: Caller,
    action: string,
    loc: AreaLocation,
    result: AuditResult,
  ): Promise<void> {
    await this.audit.record(caller, { action, result, target: this.display(loc) });
  }
}
