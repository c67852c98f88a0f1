import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { FileBody } from '@baluhost/protocols';

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
    private readonly fh: FileHandle,
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
        const { bytesRead } = await this.fh.read(buffer, 0, want, this.start + sent);
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
      this.fh,
      this.start + start,
      Math.max(0, Math.min(end, this.length - 1) - start + 1),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }
}
