import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface SmbLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SmbdSupervisorOptions {
  /** The smbd binary (`/usr/sbin/smbd`). */
  readonly smbdPath: string;
  /** Absolute path of the rendered smb.conf (samba-dcerpcd, which smbd starts, resolves it after a chdir). */
  readonly configPath: string;
  /** Environment for smbd and everything it starts (nss_wrapper's variables in tests). */
  readonly env: Readonly<Record<string, string>>;
  readonly logger: SmbLogger;
  /** Resolves true once smbd accepts connections. */
  readonly isReady: () => Promise<boolean>;
  /** Delays before each restart after an unexpected exit; the last one repeats. Default 0.5, 1, 2, 5, 10, 30 s. */
  readonly restartDelaysMs?: readonly number[];
  /** How long a run must last for the backoff to start over. Default 60 s. */
  readonly stableAfterMs?: number;
  /** Called after each (re)start with the new pid, and on each exit. */
  readonly onStarted?: (pid: number) => void;
  readonly onExited?: (info: { code: number | null; signal: string | null; expected: boolean }) => void;
  /** Where to look for processes (tests may point elsewhere). Default /proc. */
  readonly procRoot?: string;
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/**
 * Processes whose command line names this config file: smbd and its children, and samba-dcerpcd and its rpcd_*
 * workers, which smbd starts on demand as daemons outside its own process group (they get
 * `--configfile=<path>`). Zombies (empty command lines) are left to their parent.
 */
export async function findSambaProcesses(configPath: string, procRoot = '/proc'): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir(procRoot).catch(() => [] as string[])) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmdline = await readFile(path.join(procRoot, name, 'cmdline'), 'utf8').catch(() => '');
    const argv = cmdline.split('\0');
    if (argv.some((a) => a === configPath || a === `--configfile=${configPath}`)) out.push(Number(name));
  }
  return out.sort((a, b) => a - b);
}

/**
 * Runs smbd in the foreground as a child, restarts it with backoff when it dies (the first time within a
 * second), and on stop ends it and everything it started: its process group, then samba-dcerpcd and the rpcd
 * workers found by their command line. Stopping leaves no Samba process of this config behind.
 */
export class SmbdSupervisor {
  private child: ChildProcess | null = null;
  private wanted = false;
  private failures = 0;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly delays: readonly number[];

  constructor(private readonly options: SmbdSupervisorOptions) {
    this.delays = options.restartDelaysMs ?? [500, 1000, 2000, 5000, 10_000, 30_000];
  }

  /** smbd's pid while it runs. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get isRunning(): boolean {
    return this.child !== null;
  }

  /**
   * Starts smbd (ending leftovers of an earlier run of this config first) and waits until it accepts
   * connections. @throws Error when it does not within 10 s (it is still supervised: restarts go on)
   */
  async start(): Promise<void> {
    this.wanted = true;
    if (this.child) return;
    await this.killAll();
    await this.spawnOnce();
    const deadline = Date.now() + 10_000;
    // An smbd that dies at once is restarted with backoff meanwhile; start gives up waiting, not supervising.
    while (Date.now() < deadline) {
      if (this.pid !== null && (await this.options.isReady())) return;
      await sleep(50);
    }
    throw new Error('smbd is not accepting connections after 10 s; see its log file.');
  }

  /** Stops smbd and every process of this config; no restart follows. */
  async stop(): Promise<void> {
    this.wanted = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    if (child?.pid !== undefined) {
      this.signalGroup(child.pid, 'SIGTERM');
      const done = this.exited;
      const timedOut = await Promise.race([done.then(() => false), sleep(5000).then(() => true)]);
      if (timedOut) this.signalGroup(child.pid, 'SIGKILL');
      await done;
    }
    await this.killAll();
  }

  private signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }

  /** Ends every process of this config: TERM, then KILL whatever is left after 3 s. */
  private async killAll(): Promise<void> {
    const procRoot = this.options.procRoot ?? '/proc';
    const pids = await findSambaProcesses(this.options.configPath, procRoot);
    if (pids.length === 0) return;
    for (const pid of pids) this.signal(pid, 'SIGTERM');
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      if ((await findSambaProcesses(this.options.configPath, procRoot)).length === 0) return;
      await sleep(50);
    }
    for (const pid of await findSambaProcesses(this.options.configPath, procRoot))
      this.signal(pid, 'SIGKILL');
  }

  private signal(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }

  private async spawnOnce(): Promise<void> {
    // Its own process group (detached), so that stop reaches the per-connection children too; stdin closed.
    const child = spawn(
      this.options.smbdPath,
      ['--foreground', '--no-process-group', `--configfile=${this.options.configPath}`],
      { env: { ...this.options.env }, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-4000);
    });
    const spawned = await new Promise<boolean>((resolve) => {
      child.once('spawn', () => {
        resolve(true);
      });
      child.once('error', (err) => {
        this.options.logger.error({ err }, 'smbd could not be started');
        resolve(false);
      });
    });
    if (!spawned || child.pid === undefined) {
      this.scheduleRestart();
      return;
    }
    this.child = child;
    this.startedAt = Date.now();
    const pid = child.pid;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.child = null;
        const expected = !this.wanted;
        if (!expected)
          this.options.logger.warn({ pid, code, signal, stderr: stderr.trim() || undefined }, 'smbd exited');
        this.options.onExited?.({ code, signal, expected });
        resolve();
        if (!expected) this.scheduleRestart();
      });
    });
    this.options.logger.info({ pid }, 'smbd started');
    this.options.onStarted?.(pid);
  }

  private scheduleRestart(): void {
    if (!this.wanted || this.restartTimer) return;
    if (Date.now() - this.startedAt > (this.options.stableAfterMs ?? 60_000)) this.failures = 0;
    const delay = this.delays[Math.min(this.failures, this.delays.length - 1)] ?? 1000;
    this.failures++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.wanted) return;
      // Workers of the dead smbd (and a samba-dcerpcd it started) would hold the port and the databases.
      void this.killAll()
        .then(() => (this.wanted && !this.child ? this.spawnOnce() : undefined))
        .catch((err: unknown) => {
          this.options.logger.error({ err }, 'smbd restart failed');
          this.scheduleRestart();
        });
    }, delay);
    this.restartTimer.unref();
  }
}
