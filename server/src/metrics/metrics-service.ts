import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, Response } from 'express';
import {
  AggregatorRegistry,
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';
import type { HardwareSnapshot } from './hardware-snapshot.js';
import type { StorageUsageReader } from './storage-usage-reader.js';

/** Every md array state, so that `baluhost_raid_array_state` is 1 for the current one and 0 for the others. */
const RAID_STATES = [
  'clean',
  'degraded',
  'recovering',
  'resyncing',
  'checking',
  'reshaping',
  'inactive',
] as const;
/** A user counts as near their quota from this share of it on (the alert rule uses the same). */
const NEAR_QUOTA_RATIO = 0.9;

const START = Symbol('baluhost.metrics.start');
const SOCKET_IN = Symbol('baluhost.metrics.socketIn');
const SOCKET_OUT = Symbol('baluhost.metrics.socketOut');

interface TimedResponse extends ServerResponse {
  [START]?: number;
  [SOCKET_IN]?: number;
  [SOCKET_OUT]?: number;
}

export interface MetricsServiceOptions {
  readonly snapshot: HardwareSnapshot;
  readonly usage: StorageUsageReader;
  /** The energy plug's latest reading (null when there is none); no energy gauges when absent. */
  readonly energy?: () => Promise<{
    powerWatts: number | null;
    todayKwh: number | null;
    monthKwh: number | null;
  } | null>;
  /** How long storage readings are reused between scrapes, ms (default 5 s). */
  readonly cacheMs?: number;
}

/** One process's own series (see {@link MetricsService.processRegistry}), as prom-client's JSON. */
export type ProcessMetrics = MetricObjectWithValues<MetricValue<string>>[];

/** Asks the other workers of `serve --workers N` for their own series: each worker's slot and metrics. */
export type WorkerMetricsSource = () => Promise<{ slot: number; metrics: ProcessMetrics }[]>;

/**
 * BaluHost's Prometheus metrics. Two registries: {@link processRegistry} holds what each process counts for itself
 * (the process and Node.js defaults, HTTP and WebDAV requests, bytes, failed logins); {@link registry} holds what
 * the server has once (storage, hardware, energy, scheduler runs), collected in the process that runs those parts.
 * Request counters are updated as requests finish; hardware and storage gauges are read when scraped (through
 * {@link HardwareSnapshot}'s short cache). Labels never carry a user or a path.
 *
 * With several workers, the control worker's exposition includes every worker's own series, each with a `worker`
 * label (its slot): counters are never summed across processes before Prometheus sees them, so a worker that
 * restarts (its counters back at zero) reads as that one series' reset, which `rate()` handles, and not as a drop
 * of the whole server's total.
 */
export class MetricsService {
  /** The server-wide series. */
  readonly registry = new Registry();
  /** This process's own series. */
  readonly processRegistry = new Registry();
  private otherWorkers: { slot: number; ask: WorkerMetricsSource } | null = null;
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route'>;
  private readonly webdavRequests: Counter<'method' | 'status'>;
  private readonly webdavDuration: Histogram<'method'>;
  private readonly bytesRead: Counter<'protocol'>;
  private readonly bytesWritten: Counter<'protocol'>;
  private readonly schedulerRuns: Counter<'job' | 'status'>;
  private readonly failedLogins: Counter<'protocol'>;
  private readonly usage: StorageUsageReader;
  private readonly snapshot: HardwareSnapshot;
  private readonly cacheMs: number;
  private storageCache: { atMs: number; value: Promise<StorageReading> } | null = null;

  constructor(options: MetricsServiceOptions) {
    this.usage = options.usage;
    this.snapshot = options.snapshot;
    this.cacheMs = options.cacheMs ?? 5_000;
    const finish = (res: ServerResponse): void => {
      this.finishHttp(res);
    };
    this.onHttpFinish = function (this: ServerResponse) {
      finish(this);
    };
    const registers = [this.registry];
    const own = [this.processRegistry];
    collectDefaultMetrics({ register: this.processRegistry });
    // prom-client's handle and request totals are gauges named `_total`, which Prometheus reserves for counters
    // (`promtool check metrics` refuses them); the per-type series stay.
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ]) {
      this.processRegistry.removeSingleMetric(name);
    }

    this.httpRequests = new Counter({
      name: 'baluhost_http_requests_total',
      help: 'API and console HTTP requests by method, Express route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers: own,
    });
    this.httpDuration = new Histogram({
      name: 'baluhost_http_request_duration_seconds',
      help: 'Time from request to response end, by method and Express route pattern.',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: own,
    });
    this.webdavRequests = new Counter({
      name: 'baluhost_webdav_requests_total',
      help: 'WebDAV requests by method and status (499: the client went away).',
      labelNames: ['method', 'status'],
      registers: own,
    });
    this.webdavDuration = new Histogram({
      name: 'baluhost_webdav_request_duration_seconds',
      help: 'WebDAV request duration by method.',
      labelNames: ['method'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
      registers: own,
    });
    this.bytesRead = new Counter({
      name: 'baluhost_bytes_read_total',
      help: 'Bytes sent to clients: WebDAV response bodies; file API traffic (headers included).',
      labelNames: ['protocol'],
      registers: own,
    });
    this.bytesWritten = new Counter({
      name: 'baluhost_bytes_written_total',
      help: 'Bytes received from clients: WebDAV request bodies; file API traffic (headers included).',
      labelNames: ['protocol'],
      registers: own,
    });
    this.schedulerRuns = new Counter({
      name: 'baluhost_scheduler_runs_total',
      help: 'Finished scheduler runs by job and status (succeeded, failed, cancelled).',
      labelNames: ['job', 'status'],
      registers,
    });
    this.failedLogins = new Counter({
      name: 'baluhost_failed_logins_total',
      help: 'Failed logins by protocol.',
      labelNames: ['protocol'],
      registers: own,
    });

    const readEnergy = options.energy;
    if (readEnergy !== undefined) {
      new Gauge({
        name: 'baluhost_energy_power_watts',
        help: 'What the NAS draws at the wall, from the energy plug (absent when it cannot be read).',
        registers,
        async collect() {
          this.reset();
          const e = await readEnergy();
          if (e?.powerWatts != null) this.set(e.powerWatts);
        },
      });
      // Gauges, not counters: the plug restarts both at midnight and on the first of the month.
      new Gauge({
        name: 'baluhost_energy_today_joules',
        help: 'Energy drawn since local midnight, from the energy plug (1 kWh = 3.6e6 J).',
        registers,
        async collect() {
          this.reset();
          const e = await readEnergy();
          if (e?.todayKwh != null) this.set(e.todayKwh * 3.6e6);
        },
      });
      new Gauge({
        name: 'baluhost_energy_month_joules',
        help: 'Energy drawn since the first of the month, from the energy plug (1 kWh = 3.6e6 J).',
        registers,
        async collect() {
          this.reset();
          const e = await readEnergy();
          if (e?.monthKwh != null) this.set(e.monthKwh * 3.6e6);
        },
      });
    }
    const storage = (): Promise<StorageReading> => this.storageReading();
    new Gauge({
      name: 'baluhost_uploads_in_flight',
      help: 'Uploads being received into this data dir (all processes).',
      registers,
      async collect() {
        this.set((await storage()).uploadsInFlight);
      },
    });
    new Gauge({
      name: 'baluhost_storage_used_bytes',
      help: 'Bytes stored in a share.',
      labelNames: ['share'],
      registers,
      async collect() {
        this.reset();
        for (const s of (await storage()).shares) this.set({ share: s.name }, s.usedBytes);
      },
    });
    new Gauge({
      name: 'baluhost_storage_quota_bytes',
      help: 'Quota of a share (shares without a quota are absent).',
      labelNames: ['share'],
      registers,
      async collect() {
        this.reset();
        for (const s of (await storage()).shares) {
          if (s.quotaBytes !== null) this.set({ share: s.name }, s.quotaBytes);
        }
      },
    });
    new Gauge({
      name: 'baluhost_storage_shares_used_bytes',
      help: 'Bytes stored in all shares together.',
      registers,
      async collect() {
        this.set((await storage()).shares.reduce((a, s) => a + s.usedBytes, 0));
      },
    });
    new Gauge({
      name: 'baluhost_storage_users_quota_bytes',
      help: 'Sum of the quotas of all users that have one.',
      registers,
      async collect() {
        this.set((await storage()).users.reduce((a, u) => a + (u.quotaBytes ?? 0), 0));
      },
    });
    new Gauge({
      name: 'baluhost_storage_users_used_bytes',
      help: 'Bytes owned by the users that have a quota, together.',
      registers,
      async collect() {
        this.set((await storage()).users.reduce((a, u) => a + u.usedBytes, 0));
      },
    });
    new Gauge({
      name: 'baluhost_storage_users_near_quota',
      help: `Users using ${NEAR_QUOTA_RATIO * 100}% or more of their quota.`,
      registers,
      async collect() {
        this.set(
          (await storage()).users.filter(
            (u) =>
              u.quotaBytes !== null && u.quotaBytes > 0 && u.usedBytes >= u.quotaBytes * NEAR_QUOTA_RATIO,
          ).length,
        );
      },
    });
    new Gauge({
      name: 'baluhost_filesystem_size_bytes',
      help: 'Size of the filesystem that holds the data dir.',
      registers,
      async collect() {
        const fs = (await storage()).filesystem;
        if (fs) this.set(fs.sizeBytes);
      },
    });
    new Gauge({
      name: 'baluhost_filesystem_free_bytes',
      help: 'Space available to BaluHost on the filesystem that holds the data dir.',
      registers,
      async collect() {
        const fs = (await storage()).filesystem;
        if (fs) this.set(fs.freeBytes);
      },
    });

    const snapshot = this.snapshot;
    new Gauge({
      name: 'baluhost_raid_array_state',
      help: 'md array state: 1 for the current state, 0 for the others.',
      labelNames: ['array', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const a of (await snapshot.raidArrays()) ?? []) {
          for (const state of RAID_STATES) this.set({ array: a.name, state }, a.state === state ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'baluhost_raid_degraded',
      help: 'Whether an md array lacks redundancy (1) or not (0), rebuilding included.',
      labelNames: ['array'],
      registers,
      async collect() {
        this.reset();
        for (const a of (await snapshot.raidArrays()) ?? [])
          this.set({ array: a.name }, a.isDegraded ? 1 : 0);
      },
    });
    new Gauge({
      name: 'baluhost_raid_sync_progress_ratio',
      help: 'Progress of the running sync (resync, recovery, check), 0-1; 1 when none runs.',
      labelNames: ['array'],
      registers,
      async collect() {
        this.reset();
        for (const a of (await snapshot.raidArrays()) ?? []) {
          this.set({ array: a.name }, a.sync === null ? 1 : a.sync.progressPercent / 100);
        }
      },
    });
    new Gauge({
      name: 'baluhost_smart_healthy',
      help: 'S.M.A.R.T. overall health: 1 passed, 0 failing (drives whose health is unknown are absent).',
      labelNames: ['device'],
      registers,
      async collect() {
        this.reset();
        for (const d of (await snapshot.smartDevices()) ?? []) {
          if (d.health !== 'UNKNOWN')
            this.set({ device: deviceName(d.device) }, d.health === 'PASSED' ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'baluhost_disk_temperature_celsius',
      help: 'Drive temperature reported by S.M.A.R.T.',
      labelNames: ['device'],
      registers,
      async collect() {
        this.reset();
        for (const d of (await snapshot.smartDevices()) ?? []) {
          if (d.temperatureCelsius !== null) this.set({ device: deviceName(d.device) }, d.temperatureCelsius);
        }
      },
    });
    new Gauge({
      name: 'baluhost_fan_speed_rpm',
      help: 'Fan speed (fans without a tachometer are absent).',
      labelNames: ['fan'],
      registers,
      async collect() {
        this.reset();
        for (const f of (await snapshot.fans()) ?? []) if (f.rpm !== null) this.set({ fan: f.id }, f.rpm);
      },
    });
    new Gauge({
      name: 'baluhost_fan_pwm_ratio',
      help: 'Fan duty cycle, 0-1 (fans without PWM are absent).',
      labelNames: ['fan'],
      registers,
      async collect() {
        this.reset();
        for (const f of (await snapshot.fans()) ?? [])
          if (f.pwm !== null) this.set({ fan: f.id }, f.pwm / 255);
      },
    });
    new Gauge({
      name: 'baluhost_cpu_frequency_hertz',
      help: 'Current CPU frequency (cpufreq).',
      labelNames: ['cpu'],
      registers,
      async collect() {
        this.reset();
        for (const c of (await snapshot.power())?.cpus ?? []) {
          if (c.currentHz !== null) this.set({ cpu: String(c.cpu) }, c.currentHz);
        }
      },
    });
  }

  /**
   * Express middleware counting every request that reaches it: the route label is the Express route pattern
   * (`/api/users/:id`), `unmatched` for /api paths no route took, `console` for the rest. It adds one listener
   * (a shared function) and a few numbers to the response; labels are built once, at the end.
   */
  readonly httpMiddleware = (req: Request, res: Response, next: NextFunction): void => {
    const timed = res as unknown as TimedResponse;
    timed[START] = performance.now();
    if (req.url.startsWith('/api/files')) {
      timed[SOCKET_IN] = req.socket.bytesRead;
      timed[SOCKET_OUT] = req.socket.bytesWritten;
    }
    res.once('finish', this.onHttpFinish);
    next();
  };

  /** The response's 'finish' listener: one function for every request (`this` is the response). */
  private readonly onHttpFinish: (this: ServerResponse) => void;

  /** The WebDAV handler's `onRequestDone` hook. */
  readonly onWebdavRequest = (info: {
    method: string;
    status: number;
    durationMs: number;
    bytesIn: number;
    bytesOut: number;
  }): void => {
    this.webdavRequests.inc({ method: info.method, status: String(info.status) });
    this.webdavDuration.observe({ method: info.method }, info.durationMs / 1000);
    if (info.bytesOut > 0) this.bytesRead.inc({ protocol: 'webdav' }, info.bytesOut);
    if (info.bytesIn > 0) this.bytesWritten.inc({ protocol: 'webdav' }, info.bytesIn);
  };

  /** Counts a finished scheduler run. */
  countSchedulerRun(job: string, status: string): void {
    this.schedulerRuns.inc({ job, status });
  }

  /** Counts a failed login. */
  countFailedLogin(protocol: string): void {
    this.failedLogins.inc({ protocol });
  }

  /** Bytes moved by a protocol that reports them itself (the SMB gateway, from its audit records). */
  countBytes(protocol: string, read: number, written: number): void {
    if (read > 0) this.bytesRead.inc({ protocol }, read);
    if (written > 0) this.bytesWritten.inc({ protocol }, written);
  }

  /** Drops the cached storage reading (shares or files changed): the next scrape reads afresh. */
  invalidateStorage(): void {
    this.storageCache = null;
  }

  /** This process's own series, for the control worker's exposition. */
  processMetrics(): Promise<ProcessMetrics> {
    return this.processRegistry.getMetricsAsJSON();
  }

  /**
   * Makes {@link exposition} include the other workers' own series (asked for at each scrape), and label every
   * worker's, this one's (`slot`) included, with `worker`.
   */
  includeWorkers(slot: number, ask: WorkerMetricsSource): void {
    this.otherWorkers = { slot, ask };
  }

  /** The text exposition of every metric. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    let own: Registry = this.processRegistry;
    if (this.otherWorkers) {
      const { slot, ask } = this.otherWorkers;
      const [mine, others] = await Promise.all([this.processMetrics(), ask()]);
      own = AggregatorRegistry.aggregate(
        [{ slot, metrics: mine }, ...others].map((w) => withWorkerLabel(w.slot, w.metrics)),
      );
    }
    const merged = Registry.merge([own, this.registry]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }

  private finishHttp(res: ServerResponse): void {
    const timed = res as TimedResponse;
    const req = res.req as IncomingMessage & { route?: { path?: unknown }; originalUrl?: string };
    const started = timed[START];
    if (started === undefined) return;
    const pattern = req.route?.path;
    const route =
      typeof pattern === 'string'
        ? pattern
        : (req.originalUrl ?? req.url ?? '').startsWith('/api')
          ? 'unmatched'
          : 'console';
    const method = req.method ?? 'GET';
    this.httpRequests.inc({ method, route, status: String(res.statusCode) });
    this.httpDuration.observe({ method, route }, (performance.now() - started) / 1000);
    const socketIn = timed[SOCKET_IN];
    const socketOut = timed[SOCKET_OUT];
    if (socketIn !== undefined && socketOut !== undefined) {
      const read = req.socket.bytesWritten - socketOut;
      const written = req.socket.bytesRead - socketIn;
      if (read > 0) this.bytesRead.inc({ protocol: 'api' }, read);
      if (written > 0) this.bytesWritten.inc({ protocol: 'api' }, written);
    }
  }

  private storageReading(): Promise<StorageReading> {
    // Real elapsed time, not the server clock: the cache bounds the work scrapes cause.
    const now = performance.now();
    if (
      this.storageCache !== null &&
      now - this.storageCache.atMs < this.cacheMs &&
      now >= this.storageCache.atMs
    ) {
      return this.storageCache.value;
    }
    const value = (async (): Promise<StorageReading> => {
      const [shares, users, filesystem, uploadsInFlight] = await Promise.all([
        this.usage.shares().catch(() => []),
        this.usage.usersWithQuota().catch(() => []),
        this.usage.filesystem().catch(() => null),
        this.usage.uploadsInFlight(),
      ]);
      return { shares, users, filesystem, uploadsInFlight };
    })();
    this.storageCache = { atMs: now, value };
    return value;
  }
}

interface StorageReading {
  readonly shares: readonly { name: string; usedBytes: number; quotaBytes: number | null }[];
  readonly users: readonly { usedBytes: number; quotaBytes: number | null }[];
  readonly filesystem: { sizeBytes: number; freeBytes: number } | null;
  readonly uploadsInFlight: number;
}

/** `/dev/sda` → `sda`. */
function deviceName(device: string): string {
  return device.startsWith('/dev/') ? device.slice(5) : device;
}

/**
 * One worker's series with its slot as the `worker` label. Each value is then unique to its worker, so that
 * prom-client's aggregation (the `first` aggregator) only gathers the workers' series under one name each; none is
 * summed, averaged or left out.
 */
function withWorkerLabel(slot: number, metrics: ProcessMetrics): ProcessMetrics {
  const worker = String(slot);
  return metrics.map((m) => ({
    ...m,
    aggregator: 'first',
    values: m.values.map((v) => ({ ...v, labels: { ...v.labels, worker } })),
  }));
}
