import { createTelemetryDriver, type TelemetryDriver } from '@baluhost/drivers';
import { createLogger, type Logger } from '../logging/logger.js';
import { SYSTEM_TIMER, type IntervalTimer } from '../scheduler/timer.js';
import type { TelemetryStore, Resolution, Sample } from './telemetry-store.js';

/** The series the history keeps, with their units in the name. */
export const TELEMETRY_METRICS = [
  'cpu.percent',
  'memory.used_bytes',
  'network.rx_bytes_per_second',
  'network.tx_bytes_per_second',
  'disk.read_bytes_per_second',
  'disk.write_bytes_per_second',
  'energy.power_watts',
] as const;
export type TelemetryMetric = (typeof TELEMETRY_METRICS)[number];

/** The ranges the history API answers, with the resolution each is served at. */
export const TELEMETRY_RANGES = {
  '1h': { ms: 3_600_000, resolution: 'raw' },
  '24h': { ms: 86_400_000, resolution: 'minute' },
  '7d': { ms: 7 * 86_400_000, resolution: 'hour' },
  '30d': { ms: 30 * 86_400_000, resolution: 'hour' },
} as const satisfies Record<string, { ms: number; resolution: Resolution }>;
export type TelemetryRange = keyof typeof TELEMETRY_RANGES;

/** How long each resolution is kept (the telemetry_retention job's options). */
export interface RetentionPolicy {
  readonly rawHours: number;
  readonly minuteDays: number;
  readonly hourDays: number;
}

/** More series to sample beside the host's (the energy plug's draw): null values are skipped. */
export type TelemetrySeriesSource = () => Promise<Partial<Record<TelemetryMetric, number | null>>>;

export interface TelemetryServiceOptions {
  readonly store: TelemetryStore;
  /** Seconds between samples; 0 disables sampling (history then stays empty). */
  readonly intervalSeconds: number;
  /** The source; by default a telemetry driver of its own (its rates are then over exactly one interval). */
  readonly driver?: TelemetryDriver;
  readonly clock?: () => number;
  readonly timer?: IntervalTimer;
  readonly logger?: Logger;
}

/**
 * Telemetry history: samples CPU, memory, network and disk I/O (and the series of added sources: the energy
 * plug's draw) every interval into `telemetry_samples`, rolls
 * them up into minute and hour averages as those end, and answers history queries at the resolution that fits the
 * range. Samples are stored at the interval's boundary, so that several processes sampling the same instant
 * store it once.
 */
export class TelemetryService {
  private readonly store: TelemetryStore;
  private readonly intervalMs: number;
  private readonly clock: () => number;
  private readonly timer: IntervalTimer;
  private readonly logger: Logger;
  private source: TelemetryDriver | undefined;
  private readonly extraSources: TelemetrySeriesSource[] = [];
  private handle: unknown = null;
  private sampling: Promise<number> | null = null;
  private lastMinuteRolled: number | null = null;
  private lastHourRolled: number | null = null;

  constructor(options: TelemetryServiceOptions) {
    this.store = options.store;
    this.intervalMs = options.intervalSeconds * 1000;
    this.clock = options.clock ?? Date.now;
    this.timer = options.timer ?? SYSTEM_TIMER;
    this.logger = options.logger ?? createLogger('fatal');
    this.source = options.driver;
  }

  /**
   * Samples these series too, every interval. A source that fails is skipped for that sample (logged at debug:
   * GET /api/services reports the part that failed).
   */
  addSource(source: TelemetrySeriesSource): void {
    this.extraSources.push(source);
  }

  /** Starts sampling (nothing when the interval is 0). */
  start(): void {
    if (this.intervalMs <= 0 || this.handle !== null) return;
    this.handle = this.timer.setInterval(() => {
      this.sample().catch((err: unknown) => {
        this.logger.warn({ err }, 'telemetry sample failed');
      });
    }, this.intervalMs);
  }

  async close(): Promise<void> {
    if (this.handle !== null) this.timer.clearInterval(this.handle);
    this.handle = null;
    await this.sampling?.catch(() => undefined);
  }

  /**
   * Takes one sample of every series and rolls up the minute and hour that have just ended.
   * Returns how many values it stored (rates are missing on the very first sample).
   */
  sample(): Promise<number> {
    this.sampling ??= this.sampleOnce().finally(() => {
      this.sampling = null;
    });
    return this.sampling;
  }

  private async sampleOnce(): Promise<number> {
    const driver = (this.source ??= createTelemetryDriver({ mode: 'real', clock: { now: this.clock } }));
    const now = this.clock();
    const step = this.intervalMs > 0 ? this.intervalMs : 1000;
    const atMs = Math.floor(now / step) * step;
    const [cpu, memory, network, diskIo, extra] = await Promise.all([
      driver.getCpuLoad(),
      driver.getMemory(),
      driver.getNetwork(),
      driver.getDiskIo(),
      Promise.all(
        this.extraSources.map((source) =>
          source().catch((err: unknown) => {
            this.logger.debug({ err }, 'telemetry series source failed');
            return {};
          }),
        ),
      ),
    ]);
    const values: [TelemetryMetric, number | null][] = [
      ['cpu.percent', cpu.loadPercent],
      ['memory.used_bytes', memory.usedBytes],
      ['network.rx_bytes_per_second', sumRates(network.map((n) => n.rxBytesPerSecond))],
      ['network.tx_bytes_per_second', sumRates(network.map((n) => n.txBytesPerSecond))],
      ['disk.read_bytes_per_second', diskIo?.readBytesPerSecond ?? null],
      ['disk.write_bytes_per_second', diskIo?.writeBytesPerSecond ?? null],
      ...extra.flatMap((series) =>
        Object.entries(series).map(([metric, value]): [TelemetryMetric, number | null] => [
          metric as TelemetryMetric,
          value ?? null,
        ]),
      ),
    ];
    const samples: Sample[] = [];
    for (const [metric, value] of values) {
      if (value !== null && Number.isFinite(value)) samples.push({ metric, atMs, value });
    }
    await this.store.insert('raw', samples);
    await this.rollupEnded(now);
    return samples.length;
  }

  /** Rolls up the minutes and the hour that ended since the last sample (at most the last hour of them). */
  private async rollupEnded(now: number): Promise<void> {
    const minute = Math.floor(now / 60_000) * 60_000;
    if (this.lastMinuteRolled === null) this.lastMinuteRolled = minute;
    if (minute > this.lastMinuteRolled) {
      await this.store.rollup('minute', Math.max(this.lastMinuteRolled, minute - 3_600_000), minute);
      this.lastMinuteRolled = minute;
    }
    const hour = Math.floor(now / 3_600_000) * 3_600_000;
    if (this.lastHourRolled === null) this.lastHourRolled = hour;
    if (hour > this.lastHourRolled) {
      await this.store.rollup('hour', Math.max(this.lastHourRolled, hour - 86_400_000), hour);
      this.lastHourRolled = hour;
    }
  }

  /** The points of one series over a range, oldest first, at the range's resolution. */
  async history(
    metric: TelemetryMetric,
    range: TelemetryRange,
  ): Promise<{
    metric: TelemetryMetric;
    range: TelemetryRange;
    resolution: Resolution;
    points: { at: string; value: number }[];
  }> {
    const { ms, resolution } = TELEMETRY_RANGES[range];
    const now = this.clock();
    const points = await this.store.points(metric, resolution, now - ms, now);
    return {
      metric,
      range,
      resolution,
      points: points.map((p) => ({ at: new Date(p.atMs).toISOString(), value: p.value })),
    };
  }

  /**
   * Downsampling and retention (the telemetry_retention job): rolls every ended minute of the raw window and
   * every ended hour of the minute window up, then deletes what is older than each resolution keeps.
   */
  async retain(policy: RetentionPolicy, signal?: AbortSignal): Promise<Record<string, number>> {
    const now = this.clock();
    const minutes = await this.store.rollup('minute', now - policy.rawHours * 3_600_000 - 3_600_000, now);
    signal?.throwIfAborted();
    const hours = await this.store.rollup('hour', now - policy.minuteDays * 86_400_000 - 86_400_000, now);
    signal?.throwIfAborted();
    return {
      minuteBuckets: minutes,
      hourBuckets: hours,
      rawRemoved: await this.store.deleteOlder('raw', now - policy.rawHours * 3_600_000),
      minuteRemoved: await this.store.deleteOlder('minute', now - policy.minuteDays * 86_400_000),
      hourRemoved: await this.store.deleteOlder('hour', now - policy.hourDays * 86_400_000),
    };
  }
}

/** Total of the interfaces' rates; null when none has one yet (first sample). */
function sumRates(rates: readonly (number | null)[]): number | null {
  const known = rates.filter((r): r is number => r !== null);
  return known.length === 0 ? null : known.reduce((a, r) => a + r, 0);
}
