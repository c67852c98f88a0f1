import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { SchedulerJob } from '../../core/api-client';
import { toApiProblem } from '../../core/api-error';
import { SchedulerStore } from './scheduler-store';

export const SCHEDULE_MAX_LENGTH = 200;

/** Edits a job's schedule; the server validates it and answers with the next five runs, shown here. */
@Component({
  selector: 'bh-schedule-dialog',
  imports: [
    DatePipe,
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    ReactiveFormsModule,
  ],
  template: `
    <h2 mat-dialog-title>Schedule of {{ job.job }}</h2>
    <form [formGroup]="form" (ngSubmit)="saveSchedule()" novalidate>
      <mat-dialog-content class="bh-form-stack">
        <p>{{ job.description }}</p>
        @if (isSaving()) {
          <mat-progress-bar mode="indeterminate" aria-label="Saving the schedule" />
        }
        <mat-form-field>
          <mat-label>Schedule</mat-label>
          <input matInput formControlName="schedule" autocomplete="off" required />
          <mat-hint
            >"every 1 hour", "at 03:00 on Sunday" or cron (5 or 6 fields). Default:
            {{ job.defaultSchedule }}</mat-hint
          >
          @if (form.controls.schedule.hasError('required') || form.controls.schedule.hasError('blank')) {
            <mat-error>Enter a schedule.</mat-error>
          } @else if (form.controls.schedule.hasError('maxlength')) {
            <mat-error>At most {{ maxLength }} characters.</mat-error>
          } @else if (form.controls.schedule.hasError('server')) {
            <mat-error>{{ form.controls.schedule.getError('server') }}</mat-error>
          }
        </mat-form-field>
        @if (nextRuns(); as runs) {
          <h3>Next runs</h3>
          <ol class="next-runs" aria-label="Next runs">
            @for (run of runs; track run) {
              <li>{{ run | date: 'EEE d MMM y, HH:mm' }}</li>
            } @empty {
              <li>None: the job is disabled or the schedule never fires.</li>
            }
          </ol>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>
          {{ nextRuns() === null ? 'Cancel' : 'Close' }}
        </button>
        <button mat-flat-button type="submit" [disabled]="isSaving()">Save</button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .next-runs {
      margin: 0;
      padding-inline-start: 24px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ScheduleDialog {
  private readonly store = inject(SchedulerStore);

  protected readonly job = inject<SchedulerJob>(MAT_DIALOG_DATA);
  protected readonly maxLength = SCHEDULE_MAX_LENGTH;
  protected readonly isSaving = signal(false);
  protected readonly nextRuns = signal<readonly string[] | null>(null);
  protected readonly form = inject(NonNullableFormBuilder).group({
    schedule: [
      this.job.schedule,
      [
        Validators.required,
        Validators.maxLength(SCHEDULE_MAX_LENGTH),
        (c: { value: string }) => (c.value.trim() === '' ? { blank: true } : null),
      ],
    ],
  });

  protected saveSchedule(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.isSaving.set(true);
    this.nextRuns.set(null);
    this.store.saveSchedule(this.job.job, this.form.getRawValue().schedule.trim()).subscribe({
      next: (updated) => {
        this.isSaving.set(false);
        this.nextRuns.set(updated.nextRuns);
      },
      error: (err: unknown) => {
        this.isSaving.set(false);
        const problem = toApiProblem(err);
        const detail = problem.details.find((d) => d.field === 'schedule' || d.field.endsWith('.schedule'));
        const control = this.form.controls.schedule;
        control.setErrors({ server: detail?.message ?? problem.message });
        control.markAsTouched();
      },
    });
  }
}
