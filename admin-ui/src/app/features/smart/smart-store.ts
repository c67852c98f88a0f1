import { Injectable, inject, signal } from '@angular/core';
import { finalize } from 'rxjs';
import { ApiClient, type SmartReport, type SmartSummary } from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { AuthStore } from '../../core/auth-store';
import { Notifier } from '../../core/notifier';

/** Disk health: every drive's S.M.A.R.T. summary, one drive's report (attributes, self-tests), self-test starts. */
@Injectable()
export class SmartStore {
  private readonly api = inject(ApiClient);
  private readonly notifier = inject(Notifier);

  private readonly devicesState = signal<readonly SmartSummary[] | null>(null);
  private readonly isLoadingState = signal(false);
  private readonly problemState = signal<ApiProblem | null>(null);
  private readonly reportState = signal<SmartReport | null>(null);
  private readonly reportLoadingState = signal(false);
  private readonly reportProblemState = signal<ApiProblem | null>(null);

  readonly isAdmin = inject(AuthStore).isAdmin;
  readonly devices = this.devicesState.asReadonly();
  readonly isLoading = this.isLoadingState.asReadonly();
  readonly problem = this.problemState.asReadonly();
  readonly report = this.reportState.asReadonly();
  readonly reportLoading = this.reportLoadingState.asReadonly();
  readonly reportProblem = this.reportProblemState.asReadonly();

  load(): void {
    this.isLoadingState.set(true);
    this.api
      .smartDevices()
      .pipe(
        finalize(() => {
          this.isLoadingState.set(false);
        }),
      )
      .subscribe({
        next: (page) => {
          this.devicesState.set(page.devices);
          this.problemState.set(null);
        },
        error: (err: unknown) => {
          this.problemState.set(toApiProblem(err));
        },
      });
  }

  select(device: string): void {
    this.reportLoadingState.set(true);
    this.api
      .smartReport(device)
      .pipe(
        finalize(() => {
          this.reportLoadingState.set(false);
        }),
      )
      .subscribe({
        next: (report) => {
          this.reportState.set(report);
          this.reportProblemState.set(null);
        },
        error: (err: unknown) => {
          this.reportProblemState.set(toApiProblem(err));
        },
      });
  }

  startSelfTest(device: string, type: 'short' | 'long'): void {
    this.api.startSelfTest(device, type).subscribe({
      next: () => {
        this.notifier.info(`A ${type} self-test of ${device} started.`);
        this.load();
        this.select(device);
      },
      error: (err: unknown) => {
        this.notifier.error(err);
      },
    });
  }
}

/** Hours of a power-on time in seconds, for people. */
export function powerOnHours(seconds: number | null): string {
  return seconds === null ? '—' : `${Math.round(seconds / 3600).toLocaleString('en')} h`;
}
