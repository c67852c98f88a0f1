import type { Db } from '../db/index.js';

export type Resolution = 'raw' | 'minute' | 'hour';

export interface Sample {
  readonly metric: string;
  readonly atMs: number;
  readonly value: number;
}

const BUCKET_MS: Readonly<Record<Exclude<Resolution, 'raw'>, number>> = { minute: 60_000, hour: 3_600_000 };

/** The `telemetry_samples` table: raw samples and their minute and hour averages. */
export class TelemetryStore {
  constructor(private readonly db: Db) {}

  /** Stores samples at one resolution; a (metric, resolution, time) already stored is kept as it is. */
  async insert(resolution: Resolution, samples: readonly Sample[]): Promise<void> {
    for (let i = 0; i < samples.length; i += 200) {
      await this.db('telemetry_samples')
        .insert(
          samples
            .slice(i, i + 200)
            .map((s) => ({ metric: s.metric, resolution, atMs: s.atMs, value: s.value })),
        )
        .onConflict(['metric', 'resolution', 'at_ms'])
        .ignore();
    }
  }

  /**
   * Averages the finer resolution (raw for minutes, minutes for hours) into `resolution` buckets that start in
   * [fromMs, toMs) and have ended by `toMs`. Idempotent: buckets already stored are left alone.
   * Returns how many buckets it wrote (or found written).
   */
  async rollup(resolution: Exclude<Resolution, 'raw'>, fromMs: number, toMs: number): Promise<number> {
    const bucketMs = BUCKET_MS[resolution];
    const start = Math.floor(fromMs / bucketMs) * bucketMs;
    const end = Math.floor(toMs / bucketMs) * bucketMs;
    if (end <= start) return 0;
    const source: Resolution = resolution === 'minute' ? 'raw' : 'minute';
    const rows = await this.db('telemetry_samples')
      .where({ resolution: source })
      .andWhere('atMs', '>=', start)
      .andWhere('atMs', '<', end)
      .select<{ metric: string; atMs: number | string; value: number | string }[]>(
        'metric',
        'at_ms',
        'value',
      );
    const sums = new Map<string, { metric: string; atMs: number; sum: number; n: number }>();
    for (const r of rows) {
      const atMs = Math.floor(Number(r.atMs) / bucketMs) * bucketMs;
      const key = `${r.metric}\u0000${atMs}`;
      const acc = sums.get(key) ?? { metric: r.metric, atMs, sum: 0, n: 0 };
      acc.sum += Number(r.value);
      acc.n += 1;
      sums.set(key, acc);
    }
    await this.insert(
      resolution,
      [...sums.values()].map((a) => ({ metric: a.metric, atMs: a.atMs, value: a.sum / a.n })),
    );
    return sums.size;
  }

  /** Deletes samples of a resolution older than `beforeMs`; returns how many. */
  deleteOlder(resolution: Resolution, beforeMs: number): Promise<number> {
    return this.db('telemetry_samples').where({ resolution }).andWhere('atMs', '<', beforeMs).delete();
  }

  async points(metric: string, resolution: Resolution, fromMs: number, toMs: number): Promise<Sample[]> {
    const rows = await this.db('telemetry_samples')
      .where({ metric, resolution })
      .andWhere('atMs', '>=', fromMs)
      .andWhere('atMs', '<=', toMs)
      .orderBy('atMs')
      .select<{ atMs: number | string; value: number | string }[]>('at_ms', 'value');
    return rows.map((r) => ({ metric, atMs: Number(r.atMs), value: Number(r.value) }));
  }
}
