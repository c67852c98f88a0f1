import type { Server } from 'node:net';
import type { Principal } from '../auth/index.js';
import { DRIVER_FAMILIES } from '@baluhost/drivers';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import { nowIso } from '../db/index.js';
import { ConflictError, isAppError, ServiceUnavailableError } from '../errors/index.js';
import type { EnergyService } from '../energy/index.js';
import type { HardwareService } from '../hardware/index.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { SchedulerService } from '../scheduler/scheduler-service.js';
import { SYSTEM_TIMER, type IntervalTimer } from '../scheduler/timer.js';
import type { AuditActor, AuditService } from '../services/audit-service.js';
import type { SmbService } from '../smb/smb-service.js';

/** The driver families /api/services reports and re-probes: the hardware service's and the energy meter. */
export const SERVICE_DRIVER_FAMILIES = [...DRIVER_FAMILIES, 'energy'] as const;
export type ServiceDriverFamily = (typeof SERVICE_DRIVER_FAMILIES)[number];

/** How a part of the server is doing. */
export type ServiceState = 'running' | 'degraded' | 'stopped' | 'disabled';

/** A key figure: a count, a time (ISO), a mode, a flag. */
export type ServiceFigure = string | number | boolean | null;

export interface ServiceEntry {
  /** `http`, `webdav`, `smb`, `scheduler`, `telemetry`, `database`, `hardware.<family>`. */
  readonly name: string;
  readonly state: ServiceState;
  /** When the part entered this state (as far as this process has seen), ISO. */
  readonly since: string;
  /** Why it is not running, or the last error it reported; null when none. */
  readonly lastError: string | null;
  readonly figures: Readonly<Record<string, ServiceFigure>>;
}

/** What one probe found; `since` and the state history are kept by the service. */
interface Probe {
  readonly state: ServiceState;
  readonly lastError: string | null;
  readonly figures: Record<string, ServiceFigure>;
}

export interface ServiceStatusDeps {
  readonly db: Db;
  readonly config: Config;
  readonly audit: AuditService;
  readonly hardware: HardwareService;
  /** The energy plug (`hardware.energy`); absent, it is not reported. */
  readonly energy?: EnergyService;
  readonly smb: SmbService;
  readonly scheduler: SchedulerService;
  readonly clock?: () => number;
  readonly timer?: IntervalTimer;
  readonly logger?: Logger;
  /** How often every part is probed; default 30 s. */
  readonly intervalMs?: number;
  /** How long an SMB restart may take before it counts as failed; default 15 s. */
  readonly smbRestartTimeoutMs?: number;
}

/**
 * The state of every part of the server (HTTP, WebDAV, SMB, scheduler, telemetry sampler, database, each
 * hardware driver family), probed every interval and on demand, with admin actions to restart smbd and to
 * re-probe a driver family.
 *
 * A part that is `degraded` or `stopped` in the latest sample is what the `service_degraded` alert rule reports
 * (see {@link ServiceStatusService.problems}). Before the first sample that rule cannot tell, and says nothing.
 */
export class ServiceStatusService {
  private readonly clock: () => number;
  private readonly timer: IntervalTimer;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly startedAt: string;
  private httpServers: readonly Server[] = [];
  private webdav = { requests: 0, errors: 0, lastError: null as string | null };
  private readonly history = new Map<string, { state: ServiceState; since: string }>();
  private smbSeenPid: number | null = null;
  private smbLastExit: string | null = null;
  private latest: { atMs: number; entries: ServiceEntry[] } | null = null;
  private sampling: Promise<ServiceEntry[]> | null = null;
  private handle: unknown = null;

  constructor(private readonly deps: ServiceStatusDeps) {
    this.clock = deps.clock ?? Date.now;
    this.timer = deps.timer ?? SYSTEM_TIMER;
    this.logger = deps.logger ?? createLogger('fatal');
    this.intervalMs = deps.intervalMs ?? 30_000;
    this.startedAt = nowIso(this.clock);
  }

  /** The HTTP(S) servers whose open connections are counted (the composition root binds them once listening). */
  useHttpServers(servers: readonly Server[]): void {
    this.httpServers = servers;
  }

  /** The WebDAV handler's `onRequestDone` hook: counts requests and remembers the last 5xx. */
  readonly onWebdavRequest = (info: { method: string; status: number }): void => {
    this.webdav.requests++;
    if (info.status >= 500) {
      this.webdav.errors++;
      this.webdav.lastError = `${info.method} answered ${info.status} at ${nowIso(this.clock)}`;
    }
  };

  start(): void {
    if (this.handle !== null) return;
    this.handle = this.timer.setInterval(() => {
      this.sample().catch((err: unknown) => {
        this.logger.warn({ err }, 'service status sample failed');
      });
    }, this.intervalMs);
  }

  close(): void {
    if (this.handle !== null) this.timer.clearInterval(this.handle);
    this.handle = null;
  }

  /** The latest sample, taking one when there is none or it is older than the interval. */
  async current(): Promise<ServiceEntry[]> {
    if (this.latest !== null && this.clock() - this.latest.atMs < this.intervalMs) return this.latest.entries;
    return this.sample();
  }

  /** The parts that were degraded or stopped in the latest sample; null before the first sample. */
  problems(): readonly ServiceEntry[] | null {
    if (this.latest === null) return null;
    return this.latest.entries.filter((e) => e.state === 'degraded' || e.state === 'stopped');
  }

  /** Probes every part now (what the timer calls); overlapping calls share one pass. */
  sample(): Promise<ServiceEntry[]> {
    this.sampling ??= this.sampleOnce().finally(() => {
      this.sampling = null;
    });
    return this.sampling;
  }

  private async sampleOnce(): Promise<ServiceEntry[]> {
    const probes: [string, Promise<Probe>][] = [
      ['http', this.probeHttp()],
      ['webdav', Promise.resolve(this.probeWebdav())],
      ['smb', this.probeSmb()],
      ['scheduler', this.probeScheduler()],
      ['telemetry', this.probeTelemetry()],
      ['database', this.probeDatabase()],
      ...this.families().map((f): [string, Promise<Probe>] => [`hardware.${f}`, this.probeHardware(f)]),
    ];
    const entries: ServiceEntry[] = [];
    for (const [name, pending] of probes) {
      const probe = await pending.catch((err: unknown): Probe => ({
        state: 'degraded',
        lastError: messageOf(err),
        figures: {},
      }));
      entries.push(this.entry(name, probe));
    }
    this.latest = { atMs: this.clock(), entries };
    return entries;
  }

  private entry(name: string, probe: Probe): ServiceEntry {
    const before = this.history.get(name);
    const since = before?.state === probe.state ? before.since : before ? nowIso(this.clock) : this.startedAt;
    this.history.set(name, { state: probe.state, since });
    if (before !== undefined && before.state !== probe.state) {
      const level = probe.state === 'degraded' || probe.state === 'stopped' ? 'warn' : 'info';
      this.logger[level](
        { service: name, from: before.state, to: probe.state, reason: probe.lastError },
        'service state changed',
      );
    }
    return { name, state: probe.state, since, lastError: probe.lastError, figures: probe.figures };
  }

  // --- probes ----------------------------------------------------------------------------------------------

  private async probeHttp(): Promise<Probe> {
    const counts = await Promise.all(
      this.httpServers.map(
        (s) =>
          new Promise<number>((resolve) => {
            s.getConnections((err, n) => {
              resolve(err ? 0 : n);
            });
          }),
      ),
    );
    const listening = this.httpServers.filter((s) => s.listening).length;
    return {
      state: this.httpServers.length > 0 && listening === 0 ? 'stopped' : 'running',
      lastError: null,
      figures: { connections: counts.reduce((a, b) => a + b, 0), listeners: listening },
    };
  }

  private probeWebdav(): Probe {
    return {
      state: 'running',
      lastError: this.webdav.lastError,
      figures: { requests: this.webdav.requests, serverErrors: this.webdav.errors },
    };
  }

  private async probeSmb(): Promise<Probe> {
    const s = await this.deps.smb.probe();
    const figures = { pid: s.pid, port: s.port, version: s.version, sessions: s.sessions };
    if (!s.enabled) return { state: 'disabled', lastError: s.lastError, figures };
    const seen = this.smbSeenPid;
    this.smbSeenPid = s.pid;
    if (s.pid === null) {
      return { state: 'stopped', lastError: s.lastError ?? 'smbd is not running', figures };
    }
    // smbd's supervisor restarts it within a second: a new pid between two samples is how a crash shows.
    if (seen !== null && seen !== s.pid) {
      this.smbLastExit = `smbd (pid ${seen}) exited unexpectedly; its supervisor restarted it as pid ${s.pid}`;
      return { state: 'degraded', lastError: this.smbLastExit, figures };
    }
    return { state: 'running', lastError: s.lastError ?? this.smbLastExit, figures };
  }

  private async probeScheduler(): Promise<Probe> {
    const db = this.deps.db;
    const [succeeded, running, latest] = await Promise.all([
      db('scheduler_executions')
        .where({ status: 'succeeded' })
        .groupBy('job')
        .select<{ job: string; last: string | null }[]>('job', db.raw('max(finished_at) as last')),
      db('scheduler_executions').where({ status: 'running' }).count<{ n: number | string }[]>({ n: '*' }),
      Promise.all(
        this.deps.scheduler.jobNames.map(
          async (job) => [job, await this.deps.scheduler.lastFinished(job, 1)] as const,
        ),
      ),
    ]);
    const figures: Record<string, ServiceFigure> = { queueLength: Number(running[0]?.n ?? 0) };
    const lastSuccess = new Map(succeeded.map((r) => [r.job, r.last]));
    for (const job of this.deps.scheduler.jobNames)
      figures[`lastSuccess.${job}`] = lastSuccess.get(job) ?? null;
    const failed = latest.filter(([, runs]) => runs[0]?.status === 'failed');
    const first = failed[0];
    return first === undefined
      ? { state: 'running', lastError: null, figures }
      : {
          state: 'degraded',
          lastError: `job ${first[0]} failed: ${first[1][0]?.error ?? 'unknown error'}`,
          figures,
        };
  }

  private async probeTelemetry(): Promise<Probe> {
    const intervalSeconds = this.deps.config.telemetryIntervalSeconds;
    const row = await this.deps
      .db('telemetry_samples')
      .where({ resolution: 'raw' })
      .max<{ last: number | string | null }[]>({ last: 'at_ms' });
    const lastMs = row[0]?.last === null || row[0]?.last === undefined ? null : Number(row[0].last);
    const figures = {
      intervalSeconds,
      lastSampleAt: lastMs === null ? null : new Date(lastMs).toISOString(),
    };
    if (intervalSeconds <= 0) return { state: 'disabled', lastError: null, figures };
    // Three missed intervals, once the server has been up that long, is a sampler that has stopped.
    const horizon = this.clock() - 3 * intervalSeconds * 1000;
    const stale = Date.parse(this.startedAt) < horizon && (lastMs === null || lastMs < horizon);
    return stale
      ? { state: 'degraded', lastError: 'no telemetry sample in the last three intervals', figures }
      : { state: 'running', lastError: null, figures };
  }

  private async probeDatabase(): Promise<Probe> {
    const client = this.deps.config.databaseUrl === undefined ? 'sqlite' : 'postgres';
    const started = performance.now();
    try {
      await this.deps.db.raw('select 1');
    } catch (err) {
      return { state: 'stopped', lastError: messageOf(err), figures: { client } };
    }
    return {
      state: 'running',
      lastError: null,
      figures: { client, pingMs: Math.round((performance.now() - started) * 1000) / 1000 },
    };
  }

  private families(): readonly ServiceDriverFamily[] {
    return this.deps.energy === undefined ? DRIVER_FAMILIES : SERVICE_DRIVER_FAMILIES;
  }

  private async probeHardware(family: ServiceDriverFamily): Promise<Probe> {
    const hw = this.deps.hardware;
    const energy = this.deps.energy;
    const probedAt = nowIso(this.clock);
    if (family === 'energy') {
      const mode = energy?.mode ?? null;
      if (energy === undefined || !(await energy.isConfigured())) {
        return {
          state: 'disabled',
          lastError: 'no Tapo plug set up: PUT /api/energy/settings with its address and account',
          figures: { mode, probedAt },
        };
      }
      try {
        const status = await energy.status();
        return {
          state: 'running',
          lastError: null,
          figures: { mode, lastProbeOk: true, probedAt, powerWatts: status.powerWatts },
        };
      } catch (err) {
        return {
          state: 'degraded',
          lastError: messageOf(err),
          figures: { mode, lastProbeOk: false, probedAt },
        };
      }
    }
    const mode = hw.modes[family];
    let probe: Probe;
    try {
      switch (family) {
        case 'raid':
          await hw.raidOverview();
          break;
        case 'smart':
          await hw.smartDevices();
          break;
        case 'power':
          await hw.powerOverview();
          break;
        case 'fans':
          await hw.fansOverview();
          break;
        case 'telemetry':
          // The driver's own source (/proc/stat in real mode). Not the whole snapshot: its process list runs
          // `ps` and parses every process, which stalls the event loop for tens of milliseconds every interval.
          await hw.cpuLoadPercent();
          break;
      }
      probe = { state: 'running', lastError: null, figures: { mode, lastProbeOk: true, probedAt } };
    } catch (err) {
      probe = {
        state: 'degraded',
        lastError: messageOf(err),
        figures: { mode, lastProbeOk: false, probedAt },
      };
    }
    return probe;
  }

  // --- admin actions ---------------------------------------------------------------------------------------

  /**
   * Restarts smbd: ends the running one (its supervisor starts a new one) or, when none runs, brings Samba
   * up again. Waits until a new smbd runs. Audited (`services.smb.restart`).
   * @throws ConflictError when SMB is disabled; ServiceUnavailableError when no new smbd runs in time.
   */
  async restartSmb(actor: Principal): Promise<ServiceEntry> {
    const before = await this.deps.smb.liveness();
    if (!before.enabled) throw new ConflictError('SMB is disabled; enable it with PUT /api/smb first.');
    let ok = false;
    try {
      if (before.pid === null) await this.deps.smb.updateSettings(actor, { enabled: true });
      else process.kill(before.pid, 'SIGTERM');
      const deadline = Date.now() + (this.deps.smbRestartTimeoutMs ?? 15_000);
      for (;;) {
        const s = await this.deps.smb.liveness();
        if (s.running && s.pid !== null && s.pid !== before.pid) {
          // An admin's restart is not a crash.
          this.smbSeenPid = s.pid;
          this.smbLastExit = null;
          ok = true;
          break;
        }
        if (Date.now() > deadline)
          throw new ServiceUnavailableError('smbd did not come back after the restart.');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await this.deps.audit.record(actor, {
        action: 'services.smb.restart',
        result: ok ? 'success' : 'failure',
        target: 'smb',
        details: { previousPid: before.pid },
      });
    }
    return this.replace(this.entry('smb', await this.probeSmb()));
  }

  /** Puts a fresh entry into the latest sample. */
  private replace(entry: ServiceEntry): ServiceEntry {
    if (this.latest !== null) {
      this.latest = {
        ...this.latest,
        entries: this.latest.entries.map((e) => (e.name === entry.name ? entry : e)),
      };
    }
    return entry;
  }

  /** Probes one hardware driver family now and returns its entry. Audited (`services.hardware.probe`). */
  async probeHardwareFamily(actor: AuditActor, family: ServiceDriverFamily): Promise<ServiceEntry> {
    const entry = this.entry(`hardware.${family}`, await this.probeHardware(family));
    await this.deps.audit.record(actor, {
      action: 'services.hardware.probe',
      result: entry.state === 'running' ? 'success' : 'failure',
      target: family,
      details: { state: entry.state, error: entry.lastError },
    });
    return this.replace(entry);
  }
}

function messageOf(err: unknown): string {
  if (isAppError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
