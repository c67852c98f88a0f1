import { Injectable, inject, signal } from '@angular/core';
import { type Observable, finalize, tap } from 'rxjs';
import {
  ApiClient,
  type ChannelTestResult,
  type NotificationChannels,
  type NotificationChannelsInput,
  REDACTED_SECRET,
  type SmbSettings,
  type SmbStatus,
} from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { Notifier } from '../../core/notifier';

/** Settings: SMB (settings and Samba's status) and the notification channels with a test send. */
@Injectable()
export class SettingsStore {
  private readonly api = inject(ApiClient);
  private readonly notifier = inject(Notifier);

  private readonly smbState = signal<SmbSettings | null>(null);
  private readonly smbProblemState = signal<ApiProblem | null>(null);
  private readonly statusState = signal<SmbStatus | null>(null);
  private readonly statusProblemState = signal<ApiProblem | null>(null);
  private readonly channelsState = signal<NotificationChannels | null>(null);
  private readonly channelsProblemState = signal<ApiProblem | null>(null);
  private readonly testResultsState = signal<readonly ChannelTestResult[] | null>(null);
  private readonly isTestingState = signal(false);

  readonly smb = this.smbState.asReadonly();
  readonly smbProblem = this.smbProblemState.asReadonly();
  readonly status = this.statusState.asReadonly();
  readonly statusProblem = this.statusProblemState.asReadonly();
  readonly channels = this.channelsState.asReadonly();
  readonly channelsProblem = this.channelsProblemState.asReadonly();
  readonly testResults = this.testResultsState.asReadonly();
  readonly isTesting = this.isTestingState.asReadonly();

  load(): void {
    this.api.smbSettings().subscribe({
      next: (s) => {
        this.smbState.set(s);
        this.smbProblemState.set(null);
      },
      error: (err: unknown) => {
        this.smbProblemState.set(toApiProblem(err));
      },
    });
    this.loadStatus();
    this.api.notificationChannels().subscribe({
      next: (c) => {
        this.channelsState.set(c);
        this.channelsProblemState.set(null);
      },
      error: (err: unknown) => {
        this.channelsProblemState.set(toApiProblem(err));
      },
    });
  }

  loadStatus(): void {
    this.api.smbStatus().subscribe({
      next: (s) => {
        this.statusState.set(s);
        this.statusProblemState.set(null);
      },
      error: (err: unknown) => {
        this.statusProblemState.set(toApiProblem(err));
      },
    });
  }

  /** Saves SMB settings (Samba is restarted or reloaded); the caller shows errors on its form. */
  saveSmb(changes: Partial<SmbSettings>): Observable<SmbSettings> {
    return this.api.updateSmbSettings(changes).pipe(
      tap((s) => {
        this.smbState.set(s);
        this.notifier.info('SMB settings saved and applied.');
        this.loadStatus();
      }),
    );
  }

  /**
   * Replaces the channels with `change` applied to what the server has now; stored secrets travel as
   * REDACTED_SECRET, which the server reads as "keep the one you have". The caller shows errors on its form.
   */
  saveChannels(
    change: (current: NotificationChannelsInput) => NotificationChannelsInput,
  ): Observable<NotificationChannels> {
    const current = this.channelsState() ?? { webhooks: [] };
    return this.api.setNotificationChannels(change(channelsInput(current))).pipe(
      tap((c) => {
        this.channelsState.set(c);
        this.testResultsState.set(null);
        this.notifier.info('Notification channels saved.');
      }),
    );
  }

  testChannels(): void {
    this.isTestingState.set(true);
    this.testResultsState.set(null);
    this.api
      .testNotificationChannels()
      .pipe(
        finalize(() => {
          this.isTestingState.set(false);
        }),
      )
      .subscribe({
        next: ({ results }) => {
          this.testResultsState.set(results);
        },
        error: (err: unknown) => {
          this.notifier.error(err);
        },
      });
  }
}

/** What to send back to keep the channels as the server shows them, stored secrets included. */
export function channelsInput(view: NotificationChannels): NotificationChannelsInput {
  return {
    webhooks: view.webhooks.map((w) =>
      w.hasSecret ? { url: w.url, secret: REDACTED_SECRET } : { url: w.url },
    ),
    email: view.email === undefined ? null : { ...view.email },
  };
}
