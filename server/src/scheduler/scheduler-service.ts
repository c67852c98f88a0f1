import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/index.js';
import { nowIso } from '../db/index.js';
import { ConflictError, NotFoundError, ValidationError, isAppError } from '../errors/index.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { AuditActor, AuditService } from '../services/audit-service.js';
import type { AnyJobDefinition, ExecutionStatus, ExecutionTrigger } from './job.js';
import { parseSchedule, type Schedule } from './schedule.js';
import {
  SchedulerRepository,
  type ExecutionFilter,
  type ExecutionRow,
  type JobConfigRow,
} from './scheduler-repository.js';
import { SYSTEM_TIMER, type IntervalTimer } from './timer.js';

/** Options of {@link SchedulerService}. */
export interface SchedulerServiceOptions {
  readonly db: Db;
  readonly audit: AuditService;
  readonly jobs: readonly AnyJobDefinition[];
  readonly clock?: () => number;
  readonly timer?: IntervalTimer;
  readonly logger?: Logger;
  /** How often due runs are looked for; default 30 s. */
  readonly tickIntervalMs?: number;
  /** How long a job's lease lasts without renewal; renewed every third of it while the run lasts. Default 60 s. */
  readonly leaseMs?: number;
}

/** A job as the API shows it. */
export interface JobView {
  readonly job: string;
  readonly description: string;
  readonly schedule: string;
  readonly defaultSchedule: string;
  readonly enabled: boolean;
  readonly options: Record<string, unknown>;
  /** Next occurrence (ISO), null when disabled. */
  readonly nextRunAt: string | null;
  readonly lastExecution: ExecutionRow | null;
}

export interface JobPatch {
  readonly enabled?: boolean | undefined;
  readonly schedule?: string | undefined;
  readonly options?: Record<string, unknown> | undefined;
}

/** Called once per finished run, in the process that ran it. */
export type ExecutionListener = (execution: ExecutionRow) => void;

interface LocalRun {
  readonly job: string;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/**
 * Runs BaluHost's maintenance jobs on their schedules and on demand, records every run, and makes sure that
 * with several processes or hosts on one database each due run happens once:
 * - a lease per job (`scheduler_leases`) so that one process runs a job at a time;
 * - a unique (job, scheduled_for) on `scheduler_executions`, so that an occurrence is recorded once.
 *
 * A job is due when its schedule's latest occurrence is newer than both its last recorded occurrence and the
 * moment its config last changed. An occurrence missed while the server was down therefore runs once at the
 * next start (trigger `catch-up`); several missed occurrences run once.
 *
 * Runs get an AbortSignal: cancelling (from any process: the run's row turns `cancelled`, and the process
 * running it notices when it renews the lease) and closing the service abort it.
 */
export class SchedulerService {
  private readonly repo: SchedulerRepository;
  private readonly jobs: ReadonlyMap<string, AnyJobDefinition>;
  private readonly audit: AuditService;
  private readonly clock: () => number;
  private readonly timer: IntervalTimer;
  private readonly logger: Logger;
  private readonly tickIntervalMs: number;
  private readonly leaseMs: number;
  /** This process's name in leases: host, pid and a random part (two servers in one process differ). */
  readonly holder = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly running = new Map<number, LocalRun>();
  private readonly listeners = new Set<ExecutionListener>();
  private readonly schedules = new Map<string, Schedule>();
  private handle: unknown = null;
  private ticking: Promise<void> | null = null;
  private startedAtMs = 0;
  private isClosed = false;

  constructor(options: SchedulerServiceOptions) {
    this.repo = new SchedulerRepository(options.db);
    this.jobs = new Map(options.jobs.map((j) => [j.name, j]));
    this.audit = options.audit;
    this.clock = options.clock ?? Date.now;
    this.timer = options.timer ?? SYSTEM_TIMER;
    this.logger = options.logger ?? createLogger('fatal');
    this.tickIntervalMs = options.tickIntervalMs ?? 30_000;
    this.leaseMs = options.leaseMs ?? 60_000;
  }

  /** The names of the jobs, in definition order. */
  get jobNames(): string[] {
    return [...this.jobs.keys()];
  }

  /** Calls `listener` with every run this process finishes. */
  onExecutionFinished(listener: ExecutionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Stores each job's default config where none exists, fails runs left `running` by a process that is gone,
   * runs what was missed while the server was down (once per job), and starts the timer.
   */
  async start(): Promise<void> {
    this.startedAtMs = this.clock();
    const at = nowIso(this.clock);
    for (const job of this.jobs.values()) await this.repo.ensureConfig(job.name, job.defaultSchedule, at);
    await this.tick();
    this.handle = this.timer.setInterval(() => {
      this.tick().catch((err: unknown) => {
        this.logger.error({ err }, 'scheduler tick failed');
      });
    }, this.tickIntervalMs);
  }

  /** Stops the timer, aborts the runs of this process and waits for them to end. */
  async close(): Promise<void> {
    this.isClosed = true;
    if (this.handle !== null) this.timer.clearInterval(this.handle);
    this.handle = null;
    await this.ticking;
    for (const run of this.running.values()) run.controller.abort(new Error('the server is stopping'));
    await this.settled();
  }

  /** Resolves when every run this process has started has ended. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /**
   * Starts every due run (what the timer calls). Overlapping calls share one pass.
   * Resolves once the runs have started, not when they end (see {@link settled}).
   */
  tick(): Promise<void> {
    this.ticking ??= this.tickOnce().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async tickOnce(): Promise<void> {
    if (this.isClosed) return;
    await this.failOrphanedRuns();
    const now = this.clock();
    const configs = await this.repo.configs();
    for (const job of this.jobs.values()) {
      const config = configs.get(job.name);
      if (config === undefined || !config.enabled) continue;
      let schedule: Schedule;
      try {
        schedule = this.schedule(config.schedule);
      } catch (err) {
        this.logger.warn({ job: job.name, schedule: config.schedule, err }, 'stored schedule is invalid');
        continue;
      }
      const occurrence = schedule.previous(now);
      if (occurrence === null) continue;
      const last = await this.repo.lastScheduledFor(job.name);
      const baseline = Math.max(Date.parse(config.updatedAt), last === null ? 0 : Date.parse(last));
      if (occurrence <= baseline) continue;
      const trigger: ExecutionTrigger = occurrence < this.startedAtMs ? 'catch-up' : 'schedule';
      await this.launch(job, config, trigger, new Date(occurrence).toISOString(), null);
    }
  }

  // --- admin actions -----------------------------------------------------------------------------------------

  async listJobs(): Promise<JobView[]> {
    const [configs, latest] = await Promise.all([this.repo.configs(), this.repo.latestPerJob()]);
    return [...this.jobs.values()].map((job) => this.view(job, configs.get(job.name), latest.get(job.name)));
  }

  /** @throws NotFoundError for an unknown job. */
  async getJob(name: string): Promise<JobView> {
    const job = this.job(name);
    const [configs, latest] = await Promise.all([this.repo.configs(), this.repo.latestPerJob()]);
    return this.view(job, configs.get(name), latest.get(name));
  }

  /**
   * Changes a job's schedule, enabled flag or options, audited. Returns the job and its next five run times.
   * @throws ValidationError for a schedule later cannot read or options the job does not accept.
   */
  async updateJob(
    actor: AuditActor,
    name: string,
    patch: JobPatch,
  ): Promise<JobView & { nextRuns: string[] }> {
    const job = this.job(name);
    let schedule: Schedule | undefined;
    if (patch.schedule !== undefined) schedule = parseSchedule(patch.schedule);
    let options: Record<string, unknown> | undefined;
    if (patch.options !== undefined) options = this.checkOptions(job, patch.options);
    await this.repo.ensureConfig(job.name, job.defaultSchedule, nowIso(this.clock));
    await this.repo.updateConfig(
      job.name,
      {
        ...(schedule === undefined ? {} : { schedule: schedule.text }),
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
        ...(options === undefined ? {} : { options }),
      },
      nowIso(this.clock),
    );
    await this.audit.record(actor, {
      action: 'scheduler.update_job',
      result: 'success',
      target: job.name,
      details: {
        ...(schedule === undefined ? {} : { schedule: schedule.text }),
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
        ...(options === undefined ? {} : { options }),
      },
    });
    const view = await this.getJob(job.name);
    const next = view.enabled ? this.schedule(view.schedule).next(5, this.clock()) : [];
    return { ...view, nextRuns: next.map((ms) => new Date(ms).toISOString()) };
  }

  /**
   * Runs a job now, audited; resolves with the execution id once the run has started.
   * @throws NotFoundError; ConflictError when the job is already running (here or in another process).
   */
  async runNow(actor: AuditActor, name: string): Promise<number> {
    const job = this.job(name);
    const config = await this.config(job);
    const id = await this.launch(job, config, 'manual', null, null);
    await this.audit.record(actor, {
      action: 'scheduler.run_job',
      result: id === null ? 'failure' : 'success',
      target: job.name,
      details: id === null ? { reason: 'already running' } : { executionId: id },
    });
    if (id === null) throw new ConflictError(`Job ${job.name} is already running.`);
    return id;
  }

  /**
   * Cancels a running execution, audited: its row turns `cancelled` at once, and its AbortSignal fires (at once
   * in this process, at the next lease renewal in another).
   * @throws NotFoundError; ConflictError when it is not running.
   */
  async cancel(actor: AuditActor, id: number): Promise<ExecutionRow> {
    const execution = await this.repo.execution(id);
    if (execution === null) throw new NotFoundError(`Execution ${id} does not exist.`);
    const ended = await this.repo.finishExecution(id, {
      status: 'cancelled',
      finishedAt: nowIso(this.clock),
      summary: null,
      error: `cancelled by ${actor.username}`,
    });
    await this.audit.record(actor, {
      action: 'scheduler.cancel_execution',
      result: ended ? 'success' : 'failure',
      target: execution.job,
      details: { executionId: id, ...(ended ? {} : { reason: `it is ${execution.status}` }) },
    });
    if (!ended) throw new ConflictError(`Execution ${id} is not running (it is ${execution.status}).`);
    this.running.get(id)?.controller.abort(new Error(`cancelled by ${actor.username}`));
    const after = await this.repo.execution(id);
    if (after === null) throw new NotFoundError(`Execution ${id} does not exist.`);
    return after;
  }

  /**
   * Runs a failed execution's job again (trigger `retry`), audited; resolves with the new execution id.
   * @throws NotFoundError; ConflictError unless it failed, or when the job is running.
   */
  async retry(actor: AuditActor, id: number): Promise<number> {
    const execution = await this.repo.execution(id);
    if (execution === null) throw new NotFoundError(`Execution ${id} does not exist.`);
    if (execution.status !== 'failed') {
      throw new ConflictError(`Only a failed execution can be retried; ${id} is ${execution.status}.`);
    }
    const job = this.jobs.get(execution.job);
    if (job === undefined) throw new NotFoundError(`Job ${execution.job} no longer exists.`);
    const newId = await this.launch(job, await this.config(job), 'retry', null, id);
    await this.audit.record(actor, {
      action: 'scheduler.retry_execution',
      result: newId === null ? 'failure' : 'success',
      target: job.name,
      details: { executionId: id, ...(newId === null ? { reason: 'already running' } : { retryId: newId }) },
    });
    if (newId === null) throw new ConflictError(`Job ${job.name} is already running.`);
    return newId;
  }

  executions(filter: ExecutionFilter): Promise<{ items: ExecutionRow[]; nextCursor: number | null }> {
    return this.repo.executions(filter);
  }

  /** @throws NotFoundError. */
  async execution(id: number): Promise<ExecutionRow> {
    const row = await this.repo.execution(id);
    if (row === null) throw new NotFoundError(`Execution ${id} does not exist.`);
    return row;
  }

  /** The newest finished runs of a job, newest first (for the job-failing alert). */
  lastFinished(job: string, count: number): Promise<ExecutionRow[]> {
    return this.repo.lastFinished(job, count);
  }

  // --- runs --------------------------------------------------------------------------------------------------

  /**
   * Takes the job's lease, records the run and starts it. Returns null when another run holds the lease, or
   * (scheduled runs) when this occurrence is already recorded.
   */
  private async launch(
    job: AnyJobDefinition,
    config: JobConfigRow,
    trigger: ExecutionTrigger,
    scheduledFor: string | null,
    retryOf: number | null,
  ): Promise<number | null> {
    const leaseKey = `job:${job.name}`;
    // One holder name per run, so that a second run of the same job in this process is refused too.
    const holder = `${this.holder}/${randomBytes(4).toString('hex')}`;
    const now = this.clock();
    if (!(await this.repo.acquireLease(leaseKey, holder, now, now + this.leaseMs))) return null;
    let id: number | null;
    try {
      id = await this.repo.insertExecution({
        job: job.name,
        trigger,
        scheduledFor,
        startedAt: nowIso(this.clock),
        retryOf,
      });
    } catch (err) {
      await this.repo.releaseLease(leaseKey, holder);
      throw err;
    }
    if (id === null) {
      await this.repo.releaseLease(leaseKey, holder);
      return null;
    }
    const executionId = id;
    const controller = new AbortController();
    const lease = { key: leaseKey, holder };
    const done = this.execute(job, config, trigger, executionId, controller, lease).finally(() => {
      this.running.delete(executionId);
    });
    this.running.set(executionId, { job: job.name, controller, done });
    return executionId;
  }

  private async execute(
    job: AnyJobDefinition,
    config: JobConfigRow,
    trigger: ExecutionTrigger,
    id: number,
    controller: AbortController,
    lease: { readonly key: string; readonly holder: string },
  ): Promise<void> {
    const logger = this.logger.child({ job: job.name, executionId: id, trigger });
    // Keep the lease while the run lasts; notice a cancel made by another process.
    const renew = this.timer.setInterval(
      () => {
        this.renew(lease, id, controller).catch((err: unknown) => {
          logger.warn({ err }, 'scheduler lease renewal failed');
        });
      },
      Math.max(1000, Math.floor(this.leaseMs / 3)),
    );
    let status: ExecutionStatus = 'succeeded';
    let summary: Record<string, unknown> | null = null;
    let error: string | null = null;
    logger.info('job started');
    try {
      const options = this.checkOptions(job, config.options);
      summary = await job.run({
        signal: controller.signal,
        options,
        trigger,
        executionId: id,
        now: this.clock,
        logger,
      });
      if (controller.signal.aborted) status = 'cancelled';
    } catch (err) {
      if (controller.signal.aborted) {
        status = 'cancelled';
        error = reasonOf(controller.signal);
      } else {
        status = 'failed';
        error = err instanceof Error ? err.message : String(err);
        // An AppError is an expected failure (a tool missing, a disk full); anything else is a bug.
        if (isAppError(err)) logger.warn({ err }, 'job failed');
        else logger.error({ err }, 'job failed');
      }
    } finally {
      this.timer.clearInterval(renew);
    }
    try {
      const ended = await this.repo.finishExecution(id, {
        status,
        finishedAt: nowIso(this.clock),
        summary,
        error,
      });
      if (ended) logger.info({ status }, 'job finished');
      const row = await this.repo.execution(id);
      if (row !== null) {
        for (const listener of this.listeners) {
          try {
            listener(row);
          } catch (err) {
            logger.warn({ err }, 'scheduler listener failed');
          }
        }
      }
    } finally {
      await this.repo.releaseLease(lease.key, lease.holder);
    }
  }

  private async renew(
    lease: { readonly key: string; readonly holder: string },
    id: number,
    controller: AbortController,
  ): Promise<void> {
    await this.repo.renewLease(lease.key, lease.holder, this.clock() + this.leaseMs);
    const row = await this.repo.execution(id);
    if (row !== null && row.status !== 'running' && !controller.signal.aborted) {
      controller.abort(new Error(row.error ?? `the run was ${row.status}`));
    }
  }

  /** Runs left `running` whose job nobody holds a lease on belong to a process that stopped: they failed. */
  private async failOrphanedRuns(): Promise<void> {
    const now = this.clock();
    for (const run of await this.repo.runningExecutions()) {
      if (this.running.has(run.id)) continue;
      if (await this.repo.isLeased(`job:${run.job}`, now)) continue;
      const ended = await this.repo.finishExecution(run.id, {
        status: 'failed',
        finishedAt: nowIso(this.clock),
        summary: null,
        error: 'interrupted: the process running it stopped',
      });
      if (ended) this.logger.warn({ job: run.job, executionId: run.id }, 'job run interrupted');
    }
  }

  // --- helpers -----------------------------------------------------------------------------------------------

  private job(name: string): AnyJobDefinition {
    const job = this.jobs.get(name);
    if (job === undefined) {
      throw new NotFoundError(`No job ${name}; the jobs are ${this.jobNames.join(', ')}.`);
    }
    return job;
  }

  private async config(job: AnyJobDefinition): Promise<JobConfigRow> {
    const configs = await this.repo.configs();
    return (
      configs.get(job.name) ?? {
        job: job.name,
        schedule: job.defaultSchedule,
        enabled: true,
        options: {},
        updatedAt: nowIso(this.clock),
      }
    );
  }

  private checkOptions(job: AnyJobDefinition, options: Record<string, unknown>): Record<string, unknown> {
    const parsed = job.options.safeParse(options);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({
        field: ['options', ...i.path.map(String)].join('.'),
        message: i.message,
      }));
      throw new ValidationError(
        `Invalid options of ${job.name}: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}.`,
        { details },
      );
    }
    return parsed.data as Record<string, unknown>;
  }

  private schedule(text: string): Schedule {
    let s = this.schedules.get(text);
    if (s === undefined) {
      s = parseSchedule(text);
      this.schedules.set(text, s);
    }
    return s;
  }

  private view(
    job: AnyJobDefinition,
    config: JobConfigRow | undefined,
    last: ExecutionRow | undefined,
  ): JobView {
    const schedule = config?.schedule ?? job.defaultSchedule;
    const enabled = config?.enabled ?? true;
    let nextRunAt: string | null = null;
    if (enabled) {
      try {
        const [next] = this.schedule(schedule).next(1, this.clock());
        nextRunAt = next === undefined ? null : new Date(next).toISOString();
      } catch {
        nextRunAt = null;
      }
    }
    return {
      job: job.name,
      description: job.description,
      schedule,
      defaultSchedule: job.defaultSchedule,
      enabled,
      options: this.safeOptions(job, config?.options ?? {}),
      nextRunAt,
      lastExecution: last ?? null,
    };
  }

  private safeOptions(job: AnyJobDefinition, options: Record<string, unknown>): Record<string, unknown> {
    const parsed = job.options.safeParse(options);
    return parsed.success ? (parsed.data as Record<string, unknown>) : options;
  }
}

function reasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : 'cancelled';
}
