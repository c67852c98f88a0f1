import {
  closeSync,
  constants as fsConstants,
  fdatasync as fdatasyncCallback,
  fstatSync,
  fsync as fsyncCallback,
  lstatSync,
  open as openCallback,
  openSync,
  read as readCallback,
  writev as writevCallback,
  writevSync,
  type Stats,
} from 'node:fs';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { FileBody } from '@baluhost/protocols';
import { collectYoungGarbage } from '../heap.js';

/*
 * Descriptors here are plain numbers used through fs's functions, by one rule: calls that move file data (read,
 * write, fsync) or create a file go to libuv's thread pool, and a request's lookups on one path (lstat, open of an
 * existing file, fstat, close) run inline on the event loop. On a small virtual machine a thread-pool round trip
 * costs the event loop 40-70 microseconds (two cross-CPU wake-ups) and the request as much again in latency, more
 * than a lookup of cached inodes and directory entries, as the files being served are. nginx makes the same choice
 * (open and stat block its event loop; data can go to its thread pool). Creating an inode can wait for the file
 * system (0.8 ms per create was measured while other uploads' fsyncs ran), so it stays on the pool, unless nothing
 * else is in progress (QUIET_WRITES, below). The price of the rule: a disk that stalls on a lookup stalls the
 * worker for that call (run several workers, `--workers`). A folder listing's lstats run inline too, a slice per
 * turn of the event loop, so that other requests are served in between.
 */

/** Opens (creates) a file on the thread pool; resolves with its descriptor. */
export function openFd(file: string, flags: number, mode = 0o640): Promise<number> {
  return new Promise((resolve, reject) => {
    openCallback(file, flags, mode, (err, fd) => {
      if (err) reject(err);
      else resolve(fd);
    });
  });
}

/** Opens an existing file inline (see above); returns its descriptor. */
export function openInline(file: string, flags: number): number {
  return openSync(file, flags);
}

/**
 * lstat inline (see above); null when nothing is there (ENOENT, or ENOTDIR: a file where a folder would be). No
 * exception is made for a missing entry, which is the common case of every upload.
 */
export function lstatInline(file: string): Stats | null {
  try {
    return lstatSync(file, { throwIfNoEntry: false }) ?? null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw e;
  }
}

/** Reads up to `length` bytes at `position` into `buffer`; resolves with the number read. */
export function readAt(
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    readCallback(fd, buffer, offset, length, position, (err, bytesRead) => {
      if (err) reject(err);
      else resolve(bytesRead);
    });
  });
}

function writevFd(fd: number, buffers: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    writevCallback(fd, buffers, (err, bytesWritten) => {
      if (err) reject(err);
      else resolve(bytesWritten);
    });
  });
}

const fsyncFd = promisify(fsyncCallback);
const fdatasyncFd = promisify(fdatasyncCallback);

/**
 * Closes a descriptor. It is called from `finally` blocks, where a throw would hide the error being handled, and
 * an error from close (EIO on a descriptor whose data was already read, or fsync'ed before) changes nothing the
 * request could still act on: it is ignored.
 */
export function closeFd(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // see above
  }
}

/**
 * Flushes an existing file's data to disk (fdatasync on the thread pool; the open is inline, as for any existing
 * file). For a file written earlier without a flush that is about to replace another (BALUHOST_FSYNC=replace).
 */
export async function flushFile(file: string): Promise<void> {
  const fd = openInline(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  try {
    await fdatasyncFd(fd);
  } finally {
    closeFd(fd);
  }
}

/** fstat of an open descriptor: its inode is in memory, so this never waits for the disk. */
export function statFd(fd: number): Stats {
  return fstatSync(fd);
}

/** Block size for large reads: few syscalls, and a fixed, small amount of memory per transfer. */
export const IO_BLOCK_BYTES = 1024 * 1024;

/**
 * Runs one write or end on `dest` and resolves when its callback runs (for a socket: the bytes are in the kernel
 * and a buffer written may be reused), rejects when the callback reports an error or `dest` closes first. A closed
 * HTTP response never calls a write callback, so waiting on the callback alone could hang a transfer forever.
 */
function accepted(dest: Writable, op: (done: (err?: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = (): void => {
      reject(new Error('the receiver went away'));
    };
    dest.once('close', onClose);
    op((err) => {
      dest.off('close', onClose);
      if (err) reject(err);
      else resolve();
    });
  });
}

/** A body already in memory (small files: one read, one write with the headers). */
export class BufferBody implements FileBody {
  constructor(private readonly buffer: Buffer) {}

  get length(): number {
    return this.buffer.length;
  }

  async sendTo(dest: Writable, onBytes?: (bytes: number) => void): Promise<void> {
    if (dest.destroyed) throw new Error('the receiver went away');
    // Counted as the bytes are handed over (as FileRangeBody does): a response's 'close', where request
    // metrics are taken, can come before this function resumes.
    onBytes?.(this.buffer.length);
    await accepted(dest, (done) => dest.end(this.buffer, done));
  }

  slice(start: number, end: number): FileBody {
    return new BufferBody(this.buffer.subarray(start, end + 1));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A byte range of an open file, sent with two reusable 1 MiB buffers: one is read from the file while the other
 * is being written to the socket. Nothing proportional to the file's size is ever held, and no per-chunk
 * garbage is made (a stream of fresh buffers costs a GC-driven RSS climb of tens of MiB per transfer).
 */
export class FileRangeBody implements FileBody {
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly start: number,
    readonly length: number,
  ) {}

  async sendTo(dest: Writable, onBytes?: (bytes: number) => void): Promise<void> {
    const size = Math.min(IO_BLOCK_BYTES, this.length);
    const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)] as const;
    const inFlight: [Promise<void> | null, Promise<void> | null] = [null, null];
    let sent = 0;
    let turn: 0 | 1 = 0;
    try {
      while (sent < this.length) {
        const previous = inFlight[turn];
        if (previous) await previous;
        const buffer = buffers[turn];
        const want = Math.min(size, this.length - sent);
        const bytesRead = await readAt(this.fd, buffer, 0, want, this.start + sent);
        if (bytesRead === 0) throw new Error('the file became shorter while it was being sent');
        if (dest.destroyed) throw new Error('the receiver went away');
        const chunk = bytesRead === size ? buffer : buffer.subarray(0, bytesRead);
        const written = accepted(dest, (done) => dest.write(chunk, done));
        // A rejection is seen when this buffer's turn comes again or at the end; until then it must not count
        // as unhandled.
        written.catch(() => undefined);
        inFlight[turn] = written;
        sent += bytesRead;
        onBytes?.(bytesRead);
        turn = turn === 0 ? 1 : 0;
      }
      for (const write of inFlight) if (write) await write;
      await accepted(dest, (done) => dest.end(done));
    } catch (e) {
      // The receiver sees a truncated body rather than a hang.
      dest.destroy();
      throw e;
    } finally {
      await this.close();
    }
  }

  slice(start: number, end: number): FileBody {
    // The slice takes the file over: closing or sending it closes the file once.
    this.closed = true;
    return new FileRangeBody(
      this.fd,
      this.start + start,
      Math.max(0, Math.min(end, this.length - 1) - start + 1),
    );
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      closeFd(this.fd);
    }
    return Promise.resolve();
  }
}

/** How an upload's file is opened: write-only, created here and now (never an existing file). */
const CREATE_NEW = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL;

/** A body announced at up to this size is gathered and written with one call (most small uploads arrive whole). */
export const SMALL_WRITE_BYTES = 64 * 1024;

/** Buffer of the sink that large bodies go through: few write calls per GiB. */
const WRITE_BUFFER_BYTES = 1024 * 1024;

/** How much of a large body is written between two flushes to disk started while it still arrives (see FileSink). */
const FLUSH_EVERY_BYTES = 32 * 1024 * 1024;

/** How much of a large body arrives between two collections of its dead read buffers (see collectYoungGarbage). */
const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;

/** The part of `buffers` that a write of `bytesWritten` bytes left. */
function unwritten(buffers: Buffer[], bytesWritten: number): Buffer[] {
  if (bytesWritten === 0) throw new Error('the file system accepted no bytes');
  const left: Buffer[] = [];
  for (const b of buffers) {
    if (bytesWritten >= b.length) bytesWritten -= b.length;
    else {
      left.push(bytesWritten > 0 ? b.subarray(bytesWritten) : b);
      bytesWritten = 0;
    }
  }
  return left;
}

/** Writes the buffers at the file's current offset on the thread pool, again where the kernel took only part. */
async function writeAll(fd: number, buffers: Buffer[]): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) rest = unwritten(rest, await writevFd(fd, rest));
}

/*
 * QUIET_WRITES. The exception to the rule above: a small upload's file is created and written on the event loop
 * when the process has nothing else to serve (no other response open once the event loop has polled its sockets).
 * The pool's two hand-overs (create, write) each wake another CPU and then the event loop again; with a single
 * client uploading one file after another, as a file manager copying a folder does, they are most of the
 * latency that is not the disk's. Sequential 4 KiB uploads, interleaved on one machine: 663 -> 792 req/s. The
 * flushing write then holds the event loop for the disk's flush (0.1-0.5 ms here); a request that arrives
 * meanwhile waits that long. While anything else is in progress (several clients, a download to a slow reader)
 * the calls stay on the pool and a slow disk stalls only its own upload.
 */

/** writeAll on the event loop (see QUIET_WRITES). */
function writeAllInline(fd: number, buffers: Buffer[]): void {
  let rest = buffers;
  while (rest.length > 0) rest = unwritten(rest, writevSync(fd, rest));
}

/** Calls a stream method's callback when `work` settles: with nothing, or with its error. */
function callbackWhen(work: Promise<void>, callback: (error?: Error | null) => void): void {
  work.then(
    () => {
      callback();
    },
    (err: unknown) => {
      callback(err as Error);
    },
  );
}

/**
 * The writable end of a large upload: writes what has arrived at the file's end on the thread pool (several
 * buffered chunks per call), and with `sync`, flushes the file to disk (fsync) before it finishes.
 *
 * Linux starts writing dirty pages back only when they are 30 s old or a tenth of memory is dirty, so without help
 * a 1 GiB upload sits in the page cache until the final fsync, which then writes all of it while the client
 * waits (0.5-0.6 s per GiB here). The sink starts an fdatasync every 32 MiB written, at most one at a time and
 * never waited for by the writes, so the disk works while the body still arrives and the final fsync finds little
 * left (PostgreSQL's backend_flush_after does the same with sync_file_range, which Node does not offer). Measured
 * on a minimal server, 1 GiB over loopback with the final fsync: 520-620 MB/s without, 820-940 MB/s with. A flush
 * that fails fails the upload.
 *
 * It owns the descriptor and closes it on destroy, once the write and the flush in flight have settled: closing
 * earlier would let a late call land on a descriptor number the process has reused.
 */
class FileSink extends Writable {
  private sinceFlush = 0;
  private writing: Promise<void> | null = null;
  private flushing: Promise<void> | null = null;
  private flushError: Error | null = null;

  constructor(
    private readonly fd: number,
    private readonly sync: boolean,
  ) {
    super({ highWaterMark: WRITE_BUFFER_BYTES });
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void {
    this.writing = this.writeChunks(chunks.map((c) => c.chunk));
    callbackWhen(this.writing, callback);
  }

  private async writeChunks(buffers: Buffer[]): Promise<void> {
    await writeAll(this.fd, buffers);
    if (this.flushError) throw this.flushError;
    for (const b of buffers) this.sinceFlush += b.length;
    if (this.sync && this.sinceFlush >= FLUSH_EVERY_BYTES && !this.flushing && !this.destroyed)
      this.startFlush();
  }

  private startFlush(): void {
    this.sinceFlush = 0;
    this.flushing = fdatasyncFd(this.fd).then(
      () => {
        this.flushing = null;
      },
      (err: unknown) => {
        this.flushing = null;
        this.flushError = err as Error;
      },
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    const finish = async (): Promise<void> => {
      await this.flushing;
      if (this.flushError) throw this.flushError;
      if (this.sync) await fsyncFd(this.fd);
    };
    callbackWhen(finish(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // The write in flight, then the flush in flight (read after the write has settled: a write that ends starts no
    // flush once the sink is destroyed, but reading it late costs nothing).
    const settled = async (): Promise<void> => {
      await this.writing?.catch(() => undefined);
      await this.flushing;
    };
    void settled().then(() => {
      closeFd(this.fd);
      callback(error);
    });
  }
}

/**
 * Writes a request body into a new file at `file` (created exclusively, mode 0640) and closes it; with `sync`,
 * the data is on disk before the close (O_DSYNC writes for a small body, fsync for a large one). Returns the bytes
 * written and the file's stat as closed.
 * `admit(total)` runs before each chunk is written (a quota check that may throw). A body announced as small is
 * gathered and written with one call; a larger one (or one of unknown size) streams through a 1 MiB-buffered
 * FileSink, never held in memory. A body that ends early or fails rejects, with the file closed; removing it
 * is the caller's business. `quiet` says whether the process has nothing else to serve: a small body is then
 * written on the event loop (see QUIET_WRITES).
 */
export async function writeNewFile(
  file: string,
  body: Readable,
  announcedBytes: number | null,
  admit: ((total: number) => Promise<void>) | null,
  sync: boolean,
  quiet: (() => boolean) | null = null,
): Promise<{ written: number; stat: Stats }> {
  let total = 0;
  if (announcedBytes !== null && announcedBytes <= SMALL_WRITE_BYTES) {
    // With `sync`, O_DSYNC makes the write itself wait for the disk (as write + fdatasync would): one trip to the
    // thread pool instead of two.
    const flags = CREATE_NEW | (sync ? fsConstants.O_DSYNC : 0);
    let fd: number | null = null;
    try {
      let pending: Buffer[] = [];
      for await (const chunk of body as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (admit) await admit(total);
        pending.push(chunk);
        // More than announced (a chunked body with a wrong X-Expected-Entity-Length): write as it comes.
        if (total > SMALL_WRITE_BYTES) {
          fd ??= await openFd(file, flags);
          await writeAll(fd, pending);
          pending = [];
        }
      }
      let inline = false;
      if (fd === null && quiet !== null) {
        // Asked once the event loop has polled, so that requests already on their sockets count.
        await nextTurn();
        inline = quiet();
      }
      if (inline) {
        // Nothing else to serve (see QUIET_WRITES): create and write here rather than hand both to the pool.
        fd = openSync(file, flags, 0o640);
        writeAllInline(fd, pending);
      } else {
        fd ??= await openFd(file, flags);
        await writeAll(fd, pending);
      }
      // An empty file had no write to wait for.
      if (sync && total === 0) await fsyncFd(fd);
      return { written: total, stat: statFd(fd) };
    } finally {
      if (fd !== null) closeFd(fd);
    }
  }
  // The sink owns the descriptor from here: it closes it once no call on it is in flight, before pipeline settles,
  // also when the body fails.
  const fd = await openFd(file, CREATE_NEW);
  const out = new FileSink(fd, sync);
  let sinceCollected = 0;
  await pipeline(
    body,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        total += chunk.length;
        if (admit) await admit(total);
        sinceCollected += chunk.length;
        if (sinceCollected >= COLLECT_EVERY_BYTES) {
          sinceCollected = 0;
          collectYoungGarbage();
        }
        yield chunk;
      }
    },
    out,
  );
  return { written: total, stat: lstatSync(file) };
}
