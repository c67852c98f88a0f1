import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import type { Db } from '../db/index.js';

interface HitsRow {
  readonly hits: number | string;
  readonly resetAtMs: number | string;
}

/**
 * express-rate-limit's counters in the database (`rate_limit_hits`), so that a limit holds across every worker
 * and every host on one database: 60 requests a minute means 60 in all, not 60 per worker. One upsert per
 * request, atomic on SQLite and PostgreSQL alike; a window that has ended starts again at 1. Ended windows are
 * swept at most once a window.
 */
export class KnexRateLimitStore implements Store {
  /** Counts are shared: express-rate-limit's double-count check must not treat them as this instance's. */
  readonly localKeys = false;
  private windowMs = 60_000;
  private lastSweepMs = 0;

  /**
   * @param prefix names the limiter, so that two limiters on one database keep separate counts.
   */
  constructor(
    private readonly db: Db,
    readonly prefix: string,
    private readonly clock: () => number = Date.now,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = await this.db<HitsRow>('rate_limit_hits')
      .where('clientKey', this.prefix + key)
      .first('hits', 'resetAtMs');
    if (!row || Number(row.resetAtMs) <= this.clock()) return undefined;
    return { totalHits: Number(row.hits), resetTime: new Date(Number(row.resetAtMs)) };
  }

  async increment(key: string): Promise<IncrementResponse> {
    const now = this.clock();
    const resetAt = now + this.windowMs;
    const result = await this.db.raw<{ rows?: HitsRow[] } | HitsRow[]>(
      `insert into rate_limit_hits (client_key, hits, reset_at_ms) values (?, 1, ?)
       on conflict (client_key) do update set
         hits = case when rate_limit_hits.reset_at_ms <= ? then 1 else rate_limit_hits.hits + 1 end,
         reset_at_ms = case when rate_limit_hits.reset_at_ms <= ? then ? else rate_limit_hits.reset_at_ms end
       returning hits, reset_at_ms as "resetAtMs"`,
      [this.prefix + key, resetAt, now, now, resetAt],
    );
    const rows = Array.isArray(result) ? result : (result.rows ?? []);
    const row = rows[0];
    if (now - this.lastSweepMs >= this.windowMs) {
      this.lastSweepMs = now;
      await this.db('rate_limit_hits').where('resetAtMs', '<', now).delete();
    }
    if (!row) return { totalHits: 1, resetTime: new Date(resetAt) };
    return { totalHits: Number(row.hits), resetTime: new Date(Number(row.resetAtMs)) };
  }

  async decrement(key: string): Promise<void> {
    await this.db('rate_limit_hits')
      .where('clientKey', this.prefix + key)
      .where('hits', '>', 0)
      .decrement('hits', 1);
  }

  async resetKey(key: string): Promise<void> {
    await this.db('rate_limit_hits')
      .where('clientKey', this.prefix + key)
      .delete();
  }

  async resetAll(): Promise<void> {
    await this.db('rate_limit_hits').where('clientKey', 'like', `${this.prefix}%`).delete();
  }
}
