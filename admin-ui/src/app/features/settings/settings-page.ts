import { ChangeDetectionStrategy, Component, Injector, effect, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import type { ComponentType } from '@angular/cdk/portal';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { type Observable, filter, switchMap } from 'rxjs';
import { applyFieldProblems, toApiProblem } from '../../core/api-error';
import { Notifier } from '../../core/notifier';
import { ConfirmDialog, type ConfirmDialogData } from '../../shared/confirm-dialog';
import { EmailDialog, type EmailDialogData } from './email-dialog';
import { SettingsStore } from './settings-store';
import { WebhookDialog, type WebhookDialogData } from './webhook-dialog';

const NETBIOS = /^[A-Za-z0-9_.-]{1,15}$/;
const TEXT = /^[^\r\n[\]"\\]+$/;
const INTERFACE = /^[A-Za-z0-9_.:/-]{1,64}$/;

/** Settings: SMB (on/off, workgroup, server string, port, interfaces) and status, notification channels. */
@Component({
  selector: 'bh-settings-page',
  imports: [
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressBarModule,
    MatSlideToggleModule,
    ReactiveFormsModule,
  ],
  providers: [SettingsStore],
  templateUrl: './settings-page.html',
  styleUrl: './settings-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class SettingsPage {
  private readonly store = inject(SettingsStore);
  private readonly dialog = inject(MatDialog);
  private readonly injector = inject(Injector);
  private readonly notifier = inject(Notifier);

  protected readonly smbProblem = this.store.smbProblem;
  protected readonly status = this.store.status;
  protected readonly statusProblem = this.store.statusProblem;
  protected readonly channels = this.store.channels;
  protected readonly channelsProblem = this.store.channelsProblem;
  protected readonly testResults = this.store.testResults;
  protected readonly isTesting = this.store.isTesting;
  protected readonly isSaving = signal(false);
  protected readonly saveProblem = signal<string | null>(null);
  protected readonly form = inject(NonNullableFormBuilder).group({
    enabled: [false],
    workgroup: ['', [Validators.required, Validators.pattern(NETBIOS)]],
    serverString: ['', [Validators.required, Validators.maxLength(64), Validators.pattern(TEXT)]],
    port: [445, [Validators.required, Validators.min(1), Validators.max(65535)]],
    interfaces: ['', [Validators.required, (c: { value: string }) => interfacesError(c.value)]],
  });

  constructor() {
    this.store.load();
    effect(() => {
      const s = this.store.smb();
      if (s !== null) this.form.reset({ ...s, interfaces: s.interfaces.join(', ') });
    });
  }

  protected saveSmb(): void {
    this.saveProblem.set(null);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const v = this.form.getRawValue();
    this.isSaving.set(true);
    this.store.saveSmb({ ...v, interfaces: splitInterfaces(v.interfaces) }).subscribe({
      next: () => {
        this.isSaving.set(false);
      },
      error: (err: unknown) => {
        this.isSaving.set(false);
        const problem = toApiProblem(err);
        applyFieldProblems(this.form, problem);
        this.saveProblem.set(problem.message);
      },
    });
  }

  protected addWebhook(): void {
    const data: WebhookDialogData = {
      webhook: null,
      save: (value) => this.store.saveChannels((c) => ({ ...c, webhooks: [...c.webhooks, value] })),
    };
    this.openDialog(WebhookDialog, data);
  }

  protected editWebhook(index: number): void {
    const webhook = this.channels()?.webhooks[index];
    if (webhook === undefined) return;
    const data: WebhookDialogData = {
      webhook,
      save: (value) =>
        this.store.saveChannels((c) => ({
          ...c,
          webhooks: c.webhooks.map((w, i) => (i === index ? value : w)),
        })),
    };
    this.openDialog(WebhookDialog, data);
  }

  protected removeWebhook(index: number): void {
    const webhook = this.channels()?.webhooks[index];
    if (webhook === undefined) return;
    this.confirm(`Remove the webhook?`, `${webhook.url} gets no more notifications.`, () =>
      this.store.saveChannels((c) => ({ ...c, webhooks: c.webhooks.filter((_, i) => i !== index) })),
    );
  }

  protected editEmail(): void {
    const data: EmailDialogData = {
      email: this.channels()?.email,
      save: (value) => this.store.saveChannels((c) => ({ ...c, email: value })),
    };
    this.openDialog(EmailDialog, data);
  }

  protected removeEmail(): void {
    this.confirm('Stop email notifications?', 'The SMTP settings and the stored password are removed.', () =>
      this.store.saveChannels((c) => ({ ...c, email: null })),
    );
  }

  protected testChannels(): void {
    this.store.testChannels();
  }

  protected refreshStatus(): void {
    this.store.loadStatus();
  }

  private openDialog<C>(component: ComponentType<C>, data: WebhookDialogData | EmailDialogData): void {
    this.dialog.open(component, { data, injector: this.injector, width: '520px', maxWidth: '100vw' });
  }

  private confirm(title: string, message: string, change: () => Observable<unknown>): void {
    const data: ConfirmDialogData = { title, message, confirmLabel: 'Remove' };
    this.dialog
      .open<ConfirmDialog, ConfirmDialogData, boolean>(ConfirmDialog, { data, maxWidth: '100vw' })
      .afterClosed()
      .pipe(
        filter((isConfirmed) => isConfirmed === true),
        switchMap(change),
      )
      .subscribe({
        error: (err: unknown) => {
          this.notifier.error(err);
        },
      });
  }
}

function splitInterfaces(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function interfacesError(text: string): Record<string, true> | null {
  const list = splitInterfaces(text);
  if (list.length === 0) return { required: true };
  if (list.length > 32 || list.some((i) => !INTERFACE.test(i))) return { interfaces: true };
  return null;
}
