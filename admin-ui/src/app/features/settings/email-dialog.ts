import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import {
  type AbstractControl,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  type ValidationErrors,
  Validators,
} from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import type { Observable } from 'rxjs';
import {
  type EmailSecurity,
  type NotificationChannels,
  type NotificationChannelsInput,
  REDACTED_SECRET,
} from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';

export type EmailValue = NonNullable<NotificationChannelsInput['email']>;

/** The email channel to set up (email absent) or edit; closes once `save` succeeds. */
export interface EmailDialogData {
  readonly email: NotificationChannels['email'];
  readonly save: (value: EmailValue) => Observable<unknown>;
}

const HOST = /^[^\s/]+$/;

function emailList(control: AbstractControl<string>): ValidationErrors | null {
  const list = splitList(control.value);
  if (list.length === 0) return null; // `required` reports it
  if (list.length > 20) return { tooMany: true };
  return list.every((a) => Validators.email({ value: a } as AbstractControl) === null)
    ? null
    : { email: true };
}

function splitList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

@Component({
  selector: 'bh-email-dialog',
  imports: [
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    ReactiveFormsModule,
  ],
  template: `
    <h2 mat-dialog-title>
      {{ data.email === undefined ? 'Email notifications' : 'Edit email notifications' }}
    </h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <mat-dialog-content class="bh-form-stack">
        @if (isSaving()) {
          <mat-progress-bar mode="indeterminate" aria-label="Saving the email settings" />
        }
        @if (problem(); as p) {
          <p class="bh-problem" role="alert">{{ p.message }}</p>
        }
        <mat-form-field>
          <mat-label>SMTP server</mat-label>
          <input matInput formControlName="host" autocomplete="off" required />
          <mat-error>A host name or an address.</mat-error>
        </mat-form-field>
        <div class="bh-form-row">
          <mat-form-field>
            <mat-label>Port</mat-label>
            <input matInput type="number" formControlName="port" min="1" max="65535" required />
            <mat-error>1 to 65535.</mat-error>
          </mat-form-field>
          <mat-form-field>
            <mat-label>Encryption</mat-label>
            <mat-select formControlName="security">
              <mat-option value="tls">TLS (port 465)</mat-option>
              <mat-option value="starttls">STARTTLS (port 587)</mat-option>
              <mat-option value="none">None (trusted relay only)</mat-option>
            </mat-select>
          </mat-form-field>
        </div>
        <mat-form-field>
          <mat-label>SMTP username</mat-label>
          <input matInput formControlName="username" autocomplete="off" />
          <mat-hint>Empty: no login to the server.</mat-hint>
        </mat-form-field>
        <mat-form-field>
          <mat-label>SMTP password</mat-label>
          <input matInput type="password" formControlName="password" autocomplete="new-password" />
          @if (hasStoredPassword) {
            <mat-hint>Empty keeps the stored password while the username stays the same.</mat-hint>
          }
          @if (form.controls.password.hasError('needsUsername')) {
            <mat-error>A password needs a username.</mat-error>
          }
        </mat-form-field>
        <mat-form-field>
          <mat-label>From</mat-label>
          <input matInput type="email" formControlName="from" autocomplete="off" required />
          <mat-error>An email address.</mat-error>
        </mat-form-field>
        <mat-form-field>
          <mat-label>To</mat-label>
          <input matInput formControlName="to" autocomplete="off" required />
          <mat-hint>One or more addresses, separated by commas.</mat-hint>
          <mat-error>1 to 20 email addresses.</mat-error>
        </mat-form-field>
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="isSaving()">Save email settings</button>
      </mat-dialog-actions>
    </form>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class EmailDialog {
  protected readonly data = inject<EmailDialogData>(MAT_DIALOG_DATA);
  private readonly dialogRef = inject<MatDialogRef<EmailDialog, boolean>>(MatDialogRef);

  protected readonly hasStoredPassword = this.data.email?.password === REDACTED_SECRET;
  protected readonly isSaving = signal(false);
  protected readonly problem = signal<ApiProblem | null>(null);
  private readonly fb = inject(NonNullableFormBuilder);
  protected readonly form = this.fb.group({
    host: [
      this.data.email?.host ?? '',
      [Validators.required, Validators.maxLength(253), Validators.pattern(HOST)],
    ],
    port: [this.data.email?.port ?? 587, [Validators.required, Validators.min(1), Validators.max(65535)]],
    security: this.fb.control<EmailSecurity>(this.data.email?.security ?? 'starttls'),
    username: [this.data.email?.username ?? '', Validators.maxLength(200)],
    password: ['', Validators.maxLength(500)],
    from: [this.data.email?.from ?? '', [Validators.required, Validators.email, Validators.maxLength(254)]],
    to: [(this.data.email?.to ?? []).join(', '), [Validators.required, emailList]],
  });

  protected save(): void {
    this.problem.set(null);
    const v = this.form.getRawValue();
    const username = v.username.trim();
    // Re-run the field's own validators first: they clear a needsUsername left from an earlier attempt.
    this.form.controls.password.updateValueAndValidity();
    if (v.password !== '' && username === '') this.form.controls.password.setErrors({ needsUsername: true });
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const keepsPassword = this.hasStoredPassword && username === (this.data.email?.username ?? '');
    const password = v.password !== '' ? v.password : keepsPassword ? REDACTED_SECRET : undefined;
    const value: EmailValue = {
      host: v.host.trim(),
      port: v.port,
      security: v.security,
      ...(username === '' ? {} : { username }),
      ...(password === undefined ? {} : { password }),
      from: v.from.trim(),
      to: splitList(v.to),
    };
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
