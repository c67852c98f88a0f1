import type { Readable, Writable } from 'node:stream';

/**
 * The ports the protocol adapters need, implemented by server/ with the storage core.
 * Protocols import nothing from server/: these interfaces are the whole contract.
 *
 * Errors: every method throws errors carrying a stable `code` (an UPPER_SNAKE string, see {@link StorageErrorCode}),
 * a user-safe `message`, and for TOO_MANY_REQUESTS a `retryAfterSeconds`. Adapters map errors by `code`, never
 * by class, and anything without a known code is a 500.
 */
export type StorageErrorCode =
  | 'VALIDATION_FAILED' // a malformed or hostile path, a bad argument
  | 'UNAUTHENTICATED'
  | 'TOO_MANY_REQUESTS'
  | 'FORBIDDEN' // no right to do this (never "not enough privilege, try other credentials")
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS' // the target exists and overwriting was not allowed (MKCOL 405, COPY/MOVE Overwrite:F 412)
  | 'CONFLICT' // a parent collection is missing, or a file is where a collection is needed (409)
  | 'LOCKED' // a lock held by someone else, or whose token was not submitted (423)
  | 'PRECONDITION_FAILED' // an If-Match / lock-token condition given to the core did not hold (412)
  | 'QUOTA_EXCEEDED' // nothing was stored (507)
  | 'PAYLOAD_TOO_LARGE';

/** Who is calling. Server's Principal satisfies this. */
export interface Caller {
  readonly userId: number;
  readonly username: string;
  readonly isAdmin: boolean;
  readonly groups: readonly string[];
  readonly protocol: 'api' | 'webdav' | 'smb' | 'cli' | 'system';
  readonly address: string | null;
  readonly reqId: string | null;
}

export interface RequestInfo {
  readonly address: string | null;
  readonly reqId: string | null;
  readonly userAgent: string | null;
}

/**
 * One file or collection as a caller sees it. Paths are namespace paths: `/` is the caller's root, holding `home`
 * (their own home), one collection per share they may read, and for admins `homes` (every user's home).
 * A path starts with `/`, has no trailing `/` (except the root itself), and is NFC-normalised.
 */
export interface StorageEntry {
  readonly path: string;
  /** Last segment of the path; '' for the root. */
  readonly name: string;
  readonly type: 'file' | 'directory';
  /** Bytes; 0 for collections. */
  readonly size: number;
  readonly mtimeMs: number;
  readonly birthtimeMs: number;
  /** Strong entity tag, quoted: `"…"`. Changes whenever the content may have changed. */
  readonly etag: string;
  /** By file extension; `httpd/unix-directory` for collections. */
  readonly contentType: string;
  /** Username of the owner, or null where unknown (virtual collections, files created outside BaluHost). */
  readonly owner: string | null;
  /**
   * The physical resource's stable key: the same file seen by two users (alice's `/home/a` and an admin's
   * `/homes/alice/a`) has one key. Keys are hierarchical with `/`: a key's descendants start with `key + '/'`.
   */
  readonly resourceKey: string;
  /** The root and `/homes`: listed, never written. */
  readonly isVirtual: boolean;
  /** Whether this caller may change or delete it (ownership, ACL, admin). */
  readonly canModify: boolean;
}

export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

/** Lock tokens the client submitted (WebDAV If header, or an API field); a mutation of a locked resource needs one. */
export interface MutationOptions {
  readonly lockTokens?: readonly string[];
}

export interface WriteOptions extends MutationOptions {
  /** Bytes announced (Content-Length, X-Expected-Entity-Length); reserved against quota before the first byte. Null: chunked, counted as it comes. */
  readonly expectedBytes: number | null;
  /** Modification time to set after the commit (clients that preserve times). */
  readonly mtimeMs?: number;
  /** When given, the write happens only if the current entity tag is one of these (or '*' = exists). */
  readonly ifMatch?: readonly string[];
  /** When given, the write happens only if the resource does not exist ('*') or its tag is none of these. */
  readonly ifNoneMatch?: readonly string[];
  /**
   * Called once every check has passed (rights, locks, preconditions, quota), just before the first byte of the
   * body is read: a protocol that holds a client's body back (HTTP's `Expect: 100-continue`) lets it come now.
   */
  readonly onBodyWanted?: () => void;
}

export interface LockRequest extends MutationOptions {
  readonly scope: 'exclusive' | 'shared';
  readonly depth: 0 | 'infinity';
  /** The client's <D:owner> element, verbatim XML, or null. */
  readonly ownerXml: string | null;
  /** Requested timeout; the core may shorten it. */
  readonly timeoutSeconds: number;
}

export interface LockInfo {
  /** `urn:uuid:…` (or `opaquelocktoken:…`). */
  readonly token: string;
  /** The namespace path the lock was taken on, as the caller sees it. */
  readonly root: string;
  readonly resourceKey: string;
  readonly scope: 'exclusive' | 'shared';
  readonly depth: 0 | 'infinity';
  readonly ownerXml: string | null;
  /** Username of the principal who holds it. */
  readonly holder: string;
  readonly timeoutSeconds: number;
  readonly expiresAtMs: number;
}

/** A dead property: its namespace URI, local name, and the element's inner XML, verbatim. */
export interface DeadProperty {
  readonly namespace: string;
  readonly name: string;
  /** Inner XML of the property element, with the namespace declarations it needs kept on its child elements. */
  readonly valueXml: string;
}

/** The bytes of a file (or of a range of it) opened by {@link StoragePort.read}. */
export interface FileBody {
  /** How many bytes {@link FileBody.sendTo} delivers. */
  readonly length: number;
  /**
   * Writes the bytes to `dest` and ends it, holding a fixed amount of memory however large the file; closes
   * the file. Rejects (and destroys `dest`) when `dest` closes early or the file cannot be read.
   */
  sendTo(dest: Writable, onBytes?: (bytes: number) => void): Promise<void>;
  /** The bytes from `start` to `end` inclusive (a satisfiable range of this body); replaces this body. */
  slice(start: number, end: number): FileBody;
  /** Releases the file without sending it (HEAD, an error before sending). */
  close(): Promise<void>;
}

/**
 * The storage core as the protocols see it. Every method resolves the path inside the caller's namespace
 * (normalised, symlinks refused), authorises (ownership, share ACLs, admin), enforces locks and quota, and audits
 * every mutation with the caller's protocol.
 */
export interface StoragePort {
  /** @throws NOT_FOUND, FORBIDDEN, VALIDATION_FAILED */
  stat(caller: Caller, path: string): Promise<StorageEntry>;

  /**
   * The children of a collection (not the collection itself), unsorted. macOS metadata (`._*`, `.DS_Store`) is left
   * out when `hideMacMetadata` is set.
   * @throws NOT_FOUND, FORBIDDEN, CONFLICT (path is a file)
   */
  list(
    caller: Caller,
    path: string,
    options?: { readonly hideMacMetadata?: boolean },
  ): Promise<StorageEntry[]>;

  /**
   * {@link list} in pages of at most `pageSize` entries (default 500), each page built when the previous one has
   * been taken: a listing of a large folder never holds all its entries at once, and a caller that renders each
   * page before taking the next keeps its memory (and its garbage collector's pauses) small.
   * @throws NOT_FOUND, FORBIDDEN, CONFLICT (path is a file), before the first page
   */
  listPages(
    caller: Caller,
    path: string,
    options?: { readonly hideMacMetadata?: boolean; readonly pageSize?: number },
  ): AsyncIterable<StorageEntry[]>;

  /**
   * Opens a file for reading; the entry describes the file opened, and a byte range is taken with
   * {@link FileBody.slice}, which seeks to its start (never reading from byte 0).
   * @throws NOT_FOUND, FORBIDDEN, CONFLICT (a collection)
   */
  read(caller: Caller, path: string): Promise<{ entry: StorageEntry; body: FileBody }>;

  /**
   * Streams `body` into a temporary file, fsyncs it, and renames it over the target: readers see the old version
   * or the new one, never a part. Quota is reserved from `expectedBytes` first and counted as bytes arrive;
   * a body that ends early, errors, or exceeds quota leaves the old version intact and nothing in its place.
   * @throws CONFLICT (parent missing, or the target is a collection), FORBIDDEN, LOCKED, QUOTA_EXCEEDED,
   *   PRECONDITION_FAILED (ifMatch / ifNoneMatch)
   */
  write(
    caller: Caller,
    path: string,
    body: Readable,
    options: WriteOptions,
  ): Promise<{ entry: StorageEntry; created: boolean }>;

  /** @throws ALREADY_EXISTS, CONFLICT (parent missing), FORBIDDEN, LOCKED */
  mkdir(caller: Caller, path: string, options?: MutationOptions): Promise<StorageEntry>;

  /** Deletes a file or a collection with everything in it (all of which the caller must be allowed to delete). @throws NOT_FOUND, FORBIDDEN, LOCKED */
  remove(caller: Caller, path: string, options?: MutationOptions): Promise<void>;

  /**
   * Moves or renames. With `overwrite`, an existing target is deleted first (RFC 4918 9.9.3); without, an existing
   * target is ALREADY_EXISTS. Dead properties move with the resource; locks on the source are dropped.
   * @throws NOT_FOUND, ALREADY_EXISTS, CONFLICT (destination parent missing), FORBIDDEN, LOCKED, QUOTA_EXCEEDED, VALIDATION_FAILED (into itself)
   */
  move(
    caller: Caller,
    from: string,
    to: string,
    options: MutationOptions & { readonly overwrite: boolean },
  ): Promise<{ created: boolean }>;

  /**
   * Copies a file, or a collection (depth 0: the collection alone; infinity: everything in it). The caller owns
   * the copy, which counts against their quota. Dead properties are copied.
   * @throws as {@link move}
   */
  copy(
    caller: Caller,
    from: string,
    to: string,
    options: MutationOptions & { readonly overwrite: boolean; readonly depth: 0 | 'infinity' },
  ): Promise<{ created: boolean }>;

  /** Sets a file's or collection's modification time (Windows' Win32LastModifiedTime, clients that preserve times). @throws NOT_FOUND, FORBIDDEN, LOCKED */
  setModifiedTime(caller: Caller, path: string, mtimeMs: number, options?: MutationOptions): Promise<void>;

  /** Bytes the caller owns and their quota (null: none). `availableBytes` also honours the disk's free space. */
  usage(caller: Caller): Promise<{ usedBytes: number; quotaBytes: number | null; availableBytes: number }>;

  /** Dead properties of a resource. @throws NOT_FOUND, FORBIDDEN */
  getProperties(caller: Caller, path: string): Promise<DeadProperty[]>;

  /** Dead properties of many resources at once (PROPFIND Depth 1), by resource key. Missing keys map to []. */
  getPropertiesMany(caller: Caller, resourceKeys: readonly string[]): Promise<Map<string, DeadProperty[]>>;

  /**
   * Sets and removes dead properties in one transaction: all or nothing.
   * @throws NOT_FOUND, FORBIDDEN, LOCKED
   */
  patchProperties(
    caller: Caller,
    path: string,
    set: readonly DeadProperty[],
    remove: readonly { readonly namespace: string; readonly name: string }[],
    options?: MutationOptions,
  ): Promise<void>;

  /**
   * Takes a lock. On a path that does not exist, creates an empty file first (RFC 4918 7.3) and reports
   * `created`. An exclusive lock conflicts with any other lock; a shared one with exclusive ones; a depth-infinity
   * lock on a collection covers everything below it.
   * @throws LOCKED (conflict), FORBIDDEN, CONFLICT (parent missing)
   */
  lock(caller: Caller, path: string, request: LockRequest): Promise<{ lock: LockInfo; created: boolean }>;

  /** Renews a lock the caller holds on the resource at path. @throws PRECONDITION_FAILED (no such lock on it), FORBIDDEN (someone else's) */
  refreshLock(caller: Caller, path: string, token: string, timeoutSeconds: number): Promise<LockInfo>;

  /** Releases a lock the caller holds (admins: anyone's) on the resource at path. @throws CONFLICT (no such lock on it), FORBIDDEN */
  unlock(caller: Caller, path: string, token: string): Promise<void>;

  /** Active locks covering the resource at path: its own and those of ancestors with depth infinity. */
  locksFor(caller: Caller, path: string): Promise<LockInfo[]>;
}

/** Verifies HTTP Basic credentials for a protocol: the account password or an app password. */
export interface AuthPort {
  /**
   * Failures count in the failed-login tracker shared with the API and SMB; successful verifications may be cached
   * briefly (by a hash of the credentials) so that a client's every request does not pay the password hash.
   * @throws UNAUTHENTICATED (wrong credentials, disabled user), TOO_MANY_REQUESTS (blocked; `retryAfterSeconds`)
   */
  authenticateBasic(username: string, password: string, request: RequestInfo): Promise<Caller>;
}
