import { Injectable, computed, inject, signal } from '@angular/core';
import { type Observable, finalize, tap } from 'rxjs';
import {
  ApiClient,
  type SchedulerExecution,
  type SchedulerJob,
  type SchedulerJobUpdated,
} from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { Notifier } from '../../core/notifier';

export const HISTORY_PAGE_SIZE = 20;

/**
 * The scheduler page: the maintenance jobs (next run, last result, run now, enable/disable, schedule) and the
 * run history, newest first, paged by the server's cursor.
 */
@Injectable()
export class SchedulerStore {
  private readonly api = inject(ApiClient);
  private readonly notifier = inject(Notifier);

  private readonly jobsState = signal<readonly SchedulerJob[]>([]);
  private readonly jobsLoadingState = signal(false);
  private readonly jobsProblemState = signal<ApiProblem | null>(null);
  private readonly historyState = signal<readonly SchedulerExecution[]>([]);
  private readonly historyLoadingState = signal(false);
  private readonly historyProblemState = signal<ApiProblem | null>(null);
  private readonly nextCursorState = signal<number | null>(null);
  /** Cursors of the pages before the current one; the first page has none. */
  private readonly cursorsState = signal<readonly (number | undefined)[]>([]);
  private readonly currentCursorState = signal<number | undefined>(undefined);
  private readonly jobFilterState = signal<string>('');
  private readonly busyJobState = signal<string | null>(null);

  readonly jobs = this.jobsState.asReadonly();
  readonly jobsLoading = this.jobsLoadingState.asReadonly();
  readonly jobsProblem = this.jobsProblemState.asReadonly();
  readonly history = this.historyState.asReadonly();
  readonly historyLoading = this.historyLoadingState.asReadonly();
  readonly historyProblem = this.historyProblemState.asReadonly();
  readonly jobFilter = this.jobFilterState.asReadonly();
  readonly busyJob = this.busyJobState.asReadonly();
  readonly hasOlder = computed(() => this.nextCursorState() !== null);
  readonly hasNewer = computed(() => this.cursorsState().length > 0);
  readonly pageNumber = computed(() => this.cursorsState().length + 1);

  loadJobs(): void {
    this.jobsLoadingState.set(true);
    this.api
      .schedulerJobs()
      .pipe(
        finalize(() => {
          this.jobsLoadingState.set(false);
        }),
      )
      .subscribe({
        next: (page) => {
          this.jobsState.set(page.items);
          this.jobsProblemState.set(null);
        },
        error: (err: unknown) => {
          this.jobsProblemState.set(toApiProblem(err));
        },
      });
  }

  /** Loads the current page of the history. */
  loadHistory(): void {
    this.historyLoadingState.set(true);
    const job = this.jobFilterState();
    this.api
      .schedulerExecutions({
        job: job === '' ? undefined : job,
        cursor: this.currentCursorState(),
        limit: HISTORY_PAGE_SIZE,
      })
      .pipe(
        finalize(() => {
          this.historyLoadingState.set(false);
        }),
      )
      .subscribe({
        next: (page) => {
          this.historyState.set(page.items);
          this.nextCursorState.set(page.nextCursor);
          this.historyProblemState.set(null);
        },
        error: (err: unknown) => {
          this.historyProblemState.set(toApiProblem(err));
        },
      });
  }

  filterHistory(job: string): void {
    this.jobFilterState.set(job);
    this.firstPage();
  }

  olderPage(): void {
    const next = this.nextCursorState();
    if (next === null) return;
    this.cursorsState.update((c) => [...c, this.currentCursorState()]);
    this.currentCursorState.set(next);
    this.loadHistory();
  }

  newerPage(): void {
    const cursors = this.cursorsState();
    if (cursors.length === 0) return;
    this.currentCursorState.set(cursors[cursors.length - 1]);
    this.cursorsState.set(cursors.slice(0, -1));
    this.loadHistory();
  }

  firstPage(): void {
    this.cursorsState.set([]);
    this.currentCursorState.set(undefined);
    this.loadHistory();
  }

  runNow(job: SchedulerJob): void {
    this.busyJobState.set(job.job);
    this.api
      .runSchedulerJob(job.job)
      .pipe(
        finalize(() => {
          this.busyJobState.set(null);
        }),
      )
      .subscribe({
        next: ({ executionId }) => {
          this.notifier.info(`${job.job} started (run ${executionId}).`);
          this.refreshAll();
        },
        error: (err: unknown) => {
          this.notifier.error(err);
        },
      });
  }

  setEnabled(job: SchedulerJob, isEnabled: boolean): void {
    this.api.updateSchedulerJob(job.job, { enabled: isEnabled }).subscribe({
      next: (updated) => {
        this.replace(updated);
        this.notifier.info(`${job.job} ${isEnabled ? 'enabled' : 'disabled'}.`);
      },
      error: (err: unknown) => {
        this.notifier.error(err);
        this.loadJobs();
      },
    });
  }

  /** Saves a schedule; answers with the job and its next five runs. The caller shows errors on its form. */
  saveSchedule(job: string, schedule: string): Observable<SchedulerJobUpdated> {
    return this.api.updateSchedulerJob(job, { schedule }).pipe(
      tap((updated) => {
        this.replace(updated);
      }),
    );
  }

  cancel(execution: SchedulerExecution): void {
    this.api.cancelExecution(execution.id).subscribe({
      next: () => {
        this.notifier.info(`Run ${execution.id} cancelled.`);
        this.refreshAll();
      },
      error: (err: unknown) => {
        this.notifier.error(err);
      },
    });
  }

  retry(execution: SchedulerExecution): void {
    this.api.retryExecution(execution.id).subscribe({
      next: ({ executionId }) => {
        this.notifier.info(`${execution.job} started again (run ${executionId}).`);
        this.refreshAll();
      },
      error: (err: unknown) => {
        this.notifier.error(err);
      },
    });
  }

  private refreshAll(): void {
    this.loadJobs();
    this.firstPage();
  }

  private replace(updated: SchedulerJob): void {
    const { job, description, schedule, defaultSchedule, enabled, options, nextRunAt, lastExecution } =
      updated;
    const plain: SchedulerJob = {
      job,
      description,
      schedule,
      defaultSchedule,
      enabled,
      options,
      nextRunAt,
      lastExecution,
    };
    this.jobsState.update((jobs) => jobs.map((j) => (j.job === job ? plain : j)));
  }
}

/** Milliseconds a run took, or null while it runs. */
export function durationMs(execution: SchedulerExecution): number | null {
  if (execution.finishedAt === null) return null;
  return Date.parse(execution.finishedAt) - Date.parse(execution.startedAt);
}

/** One bar of the timeline: where a run starts and how wide it is, in percent of the shown span. */
export interface TimelineBar {
  readonly execution: SchedulerExecution;
  readonly leftPercent: number;
  readonly widthPercent: number;
}

/** Lays the runs of one page out on a time axis from the oldest start to the latest end. */
export function timeline(executions: readonly SchedulerExecution[], now: number): readonly TimelineBar[] {
  if (executions.length === 0) return [];
  const spans = executions.map((execution) => ({
    execution,
    start: Date.parse(execution.startedAt),
    end: execution.finishedAt === null ? now : Date.parse(execution.finishedAt),
  }));
  const from = Math.min(...spans.map((s) => s.start));
  const to = Math.max(...spans.map((s) => s.end), from + 1000);
  const span = to - from;
  return spans.map(({ execution, start, end }) => ({
    execution,
    leftPercent: ((start - from) / span) * 100,
    widthPercent: Math.max(0.5, ((end - start) / span) * 100),
  }));
}
