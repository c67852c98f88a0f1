import { open, stat } from 'node:fs/promises';

/**
 * Follows a log file by polling: hands every complete new line to `onLines`, in order. Survives the file
 * being created late, truncated, or moved aside and recreated (Samba's `max log size` rotation). Starts at the
 * file's current end: what was written before is not replayed.
 */
export class LogTailer {
  private offset = -1;
  private inode = -1;
  private partial: Buffer = Buffer.alloc(0);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly file: string,
    private readonly onLines: (lines: string[]) => void | Promise<void>,
    private readonly intervalMs = 200,
  ) {}

  /** Starts following from the current end of the file (or its beginning, once it appears). */
  async start(): Promise<void> {
    const st = await stat(this.file).catch(() => null);
    this.offset = st?.size ?? 0;
    this.inode = st?.ino ?? -1;
    this.schedule();
  }

  /** Reads whatever is new now (tests and shutdown call it to drain). */
  async poll(): Promise<void> {
    this.running ??= this.read().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.poll().finally(() => {
        if (this.timer) this.schedule();
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  private async read(): Promise<void> {
    const st = await stat(this.file).catch(() => null);
    if (!st) return;
    if (st.ino !== this.inode || st.size < this.offset) {
      // Rotated or truncated: the new file is read from its start.
      this.inode = st.ino;
      this.offset = 0;
      this.partial = Buffer.alloc(0);
    }
    if (st.size === this.offset) return;
    const fh = await open(this.file, 'r');
    try {
      const chunks: Buffer[] = [];
      const buf = Buffer.alloc(256 * 1024);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
        if (bytesRead === 0) break;
        chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
        this.offset += bytesRead;
      }
      // Split on the last newline byte, so that a character cut by the read stays whole for the next one.
      const data = Buffer.concat([this.partial, ...chunks]);
      const end = data.lastIndexOf(0x0a);
      this.partial = end < 0 ? data : data.subarray(end + 1);
      if (end >= 0) await this.onLines(data.subarray(0, end).toString('utf8').split('\n'));
    } finally {
      await fh.close();
    }
  }
}
