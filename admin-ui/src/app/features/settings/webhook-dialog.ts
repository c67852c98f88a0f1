import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { Observable } from 'rxjs';
import { REDACTED_SECRET } from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';

export interface WebhookValue {
  readonly url: string;
  /** REDACTED_SECRET keeps the stored one; absent: unsigned. */
  readonly secret?: string;
}

/** A webhook to add (webhook null) or edit; `save` sends the channels and the dialog closes when it succeeds. */
export interface WebhookDialogData {
  readonly webhook: { readonly url: string; readonly hasSecret: boolean } | null;
  readonly save: (value: WebhookValue) => Observable<unknown>;
}

const HTTP_URL = /^https?:\/\/[^\s/?#]+[^\s]*$/i;

@Component({
  selector: 'bh-webhook-dialog',
  imports: [
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    ReactiveFormsModule,
  ],
  template: `
    <h2 mat-dialog-title>{{ data.webhook === null ? 'New webhook' : 'Edit webhook' }}</h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <mat-dialog-content class="bh-form-stack">
        @if (isSaving()) {
          <mat-progress-bar mode="indeterminate" aria-label="Saving the webhook" />
        }
        @if (problem(); as p) {
          <p class="bh-problem" role="alert">{{ p.message }}</p>
        }
        <p>Each notification is sent as a JSON POST to this address.</p>
        <mat-form-field>
          <mat-label>Webhook URL</mat-label>
          <input matInput formControlName="url" type="url" autocomplete="off" required />
          @if (form.controls.url.hasError('required')) {
            <mat-error>Enter the address.</mat-error>
          } @else {
            <mat-error>An http:// or https:// address of at most 2000 characters.</mat-error>
          }
        </mat-form-field>
        <mat-form-field>
          <mat-label>Signing secret</mat-label>
          <input matInput formControlName="secret" type="password" autocomplete="new-password" />
          <mat-hint>{{ secretHint }}</mat-hint>
          <mat-error>8 to 200 characters.</mat-error>
        </mat-form-field>
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="isSaving()">Save webhook</button>
      </mat-dialog-actions>
    </form>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WebhookDialog {
  protected readonly data = inject<WebhookDialogData>(MAT_DIALOG_DATA);
  private readonly dialogRef = inject<MatDialogRef<WebhookDialog, boolean>>(MatDialogRef);

  protected readonly isSaving = signal(false);
  protected readonly problem = signal<ApiProblem | null>(null);
  protected readonly secretHint =
    this.data.webhook?.hasSecret === true
      ? 'Empty keeps the stored secret while the URL stays the same.'
      : 'Optional: the HMAC key of the X-BaluHost-Signature header.';
  protected readonly form = inject(NonNullableFormBuilder).group({
    url: [
      this.data.webhook?.url ?? '',
      [Validators.required, Validators.maxLength(2000), Validators.pattern(HTTP_URL)],
    ],
    secret: ['', [Validators.minLength(8), Validators.maxLength(200)]],
  });

  protected save(): void {
    this.problem.set(null);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const url = this.form.controls.url.value.trim();
    const secret = this.form.controls.secret.value;
    const keepsSecret = this.data.webhook?.hasSecret === true && this.data.webhook.url === url;
    const value: WebhookValue =
      secret !== '' ? { url, secret } : keepsSecret ? { url, secret: REDACTED_SECRET } : { url };
    this.isSaving.set(true);
    this.data.save(value).subscribe({
      next: () => {
        this.isSaving.set(false);
        this.dialogRef.close(true);
      },
      error: (err: unknown) => {
        this.isSaving.set(false);
        this.problem.set(toApiProblem(err));
      },
    });
  }
}
