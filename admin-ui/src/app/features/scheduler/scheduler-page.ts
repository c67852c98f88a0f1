import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, Injector, computed, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { SchedulerExecution, SchedulerJob } from '../../core/api-client';
import { ScheduleDialog } from './schedule-dialog';
import { SchedulerStore, durationMs, timeline } from './scheduler-store';

/** Maintenance jobs: next run, last result, run now, enable/disable, schedules; the run history and a timeline. */
@Component({
  selector: 'bh-scheduler-page',
  imports: [
    DatePipe,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatProgressBarModule,
    MatSelectModule,
    MatSlideToggleModule,
    MatTooltipModule,
  ],
  providers: [SchedulerStore],
  templateUrl: './scheduler-page.html',
  styleUrl: './scheduler-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class SchedulerPage {
  private readonly store = inject(SchedulerStore);
  private readonly dialog = inject(MatDialog);
  private readonly injector = inject(Injector);

  protected readonly jobs = this.store.jobs;
  protected readonly jobsLoading = this.store.jobsLoading;
  protected readonly jobsProblem = this.store.jobsProblem;
  protected readonly history = this.store.history;
  protected readonly historyLoading = this.store.historyLoading;
  protected readonly historyProblem = this.store.historyProblem;
  protected readonly jobFilter = this.store.jobFilter;
  protected readonly busyJob = this.store.busyJob;
  protected readonly hasOlder = this.store.hasOlder;
  protected readonly hasNewer = this.store.hasNewer;
  protected readonly pageNumber = this.store.pageNumber;
  protected readonly bars = computed(() => timeline(this.history(), Date.now()));

  constructor() {
    this.store.loadJobs();
    this.store.loadHistory();
  }

  protected reload(): void {
    this.store.loadJobs();
    this.store.loadHistory();
  }

  protected runNow(job: SchedulerJob): void {
    this.store.runNow(job);
  }

  protected toggleEnabled(job: SchedulerJob, isEnabled: boolean): void {
    this.store.setEnabled(job, isEnabled);
  }

  protected openScheduleDialog(job: SchedulerJob): void {
    this.dialog.open(ScheduleDialog, {
      data: job,
      injector: this.injector,
      width: '520px',
      maxWidth: '100vw',
    });
  }

  protected filterHistory(job: string): void {
    this.store.filterHistory(job);
  }

  protected olderPage(): void {
    this.store.olderPage();
  }

  protected newerPage(): void {
    this.store.newerPage();
  }

  protected cancel(execution: SchedulerExecution): void {
    this.store.cancel(execution);
  }

  protected retry(execution: SchedulerExecution): void {
    this.store.retry(execution);
  }

  protected duration(execution: SchedulerExecution): string {
    const ms = durationMs(execution);
    if (ms === null) return 'running';
    return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
  }
}
