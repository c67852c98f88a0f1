import type { Db } from '../db/index.js';
import type { ExecutionStatus, ExecutionTrigger } from './job.js';

export interface JobConfigRow {
  readonly job: string;
  readonly schedule: string;
  readonly enabled: boolean;
  readonly options: Record<string, unknown>;
  readonly updatedAt: string;
}

export interface ExecutionRow {
  readonly id: number;
  readonly job: string;
  readonly trigger: ExecutionTrigger;
  readonly scheduledFor: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly status: ExecutionStatus;
  readonly summary: Record<string, unknown> | null;
  readonly error: string | null;
  readonly retryOf: number | null;
}

interface RawExecution extends Omit<ExecutionRow, 'summary'> {
  readonly summary: string | null;
}

interface RawConfig extends Omit<JobConfigRow, 'options' | 'enabled'> {
  readonly options: string;
  readonly enabled: boolean | number;
}

export interface ExecutionFilter {
  readonly job?: string | undefined;
  readonly status?: ExecutionStatus | undefined;
  /** Executions older than this id (the previous page's nextCursor). */
  readonly cursor?: number | undefined;
  readonly limit: number;
}

function toExecution(row: RawExecution): ExecutionRow {
  return {
    ...row,
    summary: row.summary === null ? null : (JSON.parse(row.summary) as Record<string, unknown>),
  };
}

function toConfig(row: RawConfig): JobConfigRow {
  return {
    ...row,
    enabled: row.enabled === true || row.enabled === 1,
    options: JSON.parse(row.options) as Record<string, unknown>,
  };
}

/** Every query of the scheduler: job configs, executions and leases. Works the same on SQLite and PostgreSQL. */
export class SchedulerRepository {
  constructor(private readonly db: Db) {}

  async configs(): Promise<Map<string, JobConfigRow>> {
    const rows = await this.db<RawConfig>('scheduler_configs').select('*');
    return new Map(rows.map((r) => [r.job, toConfig(r)]));
  }

  /** Inserts a job's config unless one exists (first start, or a new job). */
  async ensureConfig(job: string, schedule: string, updatedAt: string): Promise<void> {
    await this.db('scheduler_configs')
      .insert({ job, schedule, enabled: true, options: '{}', updatedAt })
      .onConflict('job')
      .ignore();
  }

  async updateConfig(
    job: string,
    patch: { schedule?: string; enabled?: boolean; options?: Record<string, unknown> },
    updatedAt: string,
  ): Promise<void> {
    await this.db('scheduler_configs')
      .where({ job })
      .update({
        ...(patch.schedule === undefined ? {} : { schedule: patch.schedule }),
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
        ...(patch.options === undefined ? {} : { options: JSON.stringify(patch.options) }),
        updatedAt,
      });
  }

  /** The latest occurrence a run was recorded for (ISO), or null. */
  async lastScheduledFor(job: string): Promise<string | null> {
    const row = await this.db('scheduler_executions')
      .where({ job })
      .whereNotNull('scheduledFor')
      .max<{ last: string | null }[]>({ last: 'scheduled_for' })
      .first();
    return row?.last ?? null;
  }

  /**
   * Records the start of a run. For a scheduled run (`scheduledFor` set) it returns null when the occurrence
   * was already recorded, by this or another process.
   */
  async insertExecution(e: {
    job: string;
    trigger: ExecutionTrigger;
    scheduledFor: string | null;
    startedAt: string;
    retryOf: number | null;
  }): Promise<number | null> {
    const rows = await this.db('scheduler_executions')
      .insert({ ...e, status: 'running' })
      .onConflict(['job', 'scheduled_for'])
      .ignore()
      .returning<{ id: number }[]>('id');
    return rows[0]?.id ?? null;
  }

  /** Ends a run unless it has already ended (cancelled by another process): returns whether this call ended it. */
  async finishExecution(
    id: number,
    end: { status: ExecutionStatus; finishedAt: string; summary: unknown; error: string | null },
  ): Promise<boolean> {
    const n = await this.db('scheduler_executions')
      .where({ id, status: 'running' })
      .update({
        status: end.status,
        finishedAt: end.finishedAt,
        summary: end.summary === null ? null : JSON.stringify(end.summary),
        error: end.error,
      });
    return n > 0;
  }

  async execution(id: number): Promise<ExecutionRow | null> {
    const row = await this.db<RawExecution>('scheduler_executions').where({ id }).first();
    return row ? toExecution(row) : null;
  }

  async executions(f: ExecutionFilter): Promise<{ items: ExecutionRow[]; nextCursor: number | null }> {
    const q = this.db<RawExecution>('scheduler_executions')
      .orderBy('id', 'desc')
      .limit(f.limit + 1);
    if (f.job !== undefined) void q.where('job', f.job);
    if (f.status !== undefined) void q.where('status', f.status);
    if (f.cursor !== undefined) void q.where('id', '<', f.cursor);
    const rows = await q;
    const page = rows.slice(0, f.limit).map(toExecution);
    return { items: page, nextCursor: rows.length > f.limit ? (page.at(-1)?.id ?? null) : null };
  }

  /** The newest finished runs of a job, newest first. */
  async lastFinished(job: string, count: number): Promise<ExecutionRow[]> {
    const rows = await this.db<RawExecution>('scheduler_executions')
      .where({ job })
      .whereNot('status', 'running')
      .orderBy('id', 'desc')
      .limit(count);
    return rows.map(toExecution);
  }

  /** The newest run of each job. */
  async latestPerJob(): Promise<Map<string, ExecutionRow>> {
    const ids = this.db('scheduler_executions').max('id').groupBy('job');
    const rows = await this.db<RawExecution>('scheduler_executions').whereIn('id', ids);
    return new Map(rows.map((r) => [r.job, toExecution(r)]));
  }

  async runningExecutions(): Promise<ExecutionRow[]> {
    const rows = await this.db<RawExecution>('scheduler_executions').where({ status: 'running' });
    return rows.map(toExecution);
  }

  // --- leases ----------------------------------------------------------------------------------------------

  /**
   * Takes the lease of `key` for `holder` until `expiresAtMs` when it is free or expired (even if this holder
   * held it: a second run of the same process is refused too). Atomic on both databases: a conditional UPDATE,
   * else an INSERT that does nothing on conflict, then a read of who holds it.
   */
  async acquireLease(key: string, holder: string, nowMs: number, expiresAtMs: number): Promise<boolean> {
    const updated = await this.db('scheduler_leases')
      .where({ job: key })
      .andWhere('expiresAtMs', '<=', nowMs)
      .update({ holder, expiresAtMs });
    if (updated === 0) {
      await this.db('scheduler_leases').insert({ job: key, holder, expiresAtMs }).onConflict('job').ignore();
    }
    const row = await this.db('scheduler_leases')
      .where({ job: key })
      .first<{ holder: string } | undefined>('holder');
    return row?.holder === holder;
  }

  /** Extends a lease this holder has; false when it has lost it. */
  async renewLease(key: string, holder: string, expiresAtMs: number): Promise<boolean> {
    return (await this.db('scheduler_leases').where({ job: key, holder }).update({ expiresAtMs })) > 0;
  }

  async releaseLease(key: string, holder: string): Promise<void> {
    await this.db('scheduler_leases').where({ job: key, holder }).delete();
  }

  /** Whether someone holds an unexpired lease on `key`. */
  async isLeased(key: string, nowMs: number): Promise<boolean> {
    const row = await this.db('scheduler_leases')
      .where({ job: key })
      .andWhere('expiresAtMs', '>', nowMs)
      .first<{ job: string } | undefined>('job');
    return row !== undefined;
  }
}
