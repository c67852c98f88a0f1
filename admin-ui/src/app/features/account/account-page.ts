import { Clipboard } from '@angular/cdk/clipboard';
import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import {
  type AbstractControl,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  type ValidationErrors,
  Validators,
} from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatListModule } from '@angular/material/list';
import { Router } from '@angular/router';
import type { AppPassword, CreatedAppPassword } from '../../core/api-client';
import { type ApiProblem, applyFieldProblems, toApiProblem } from '../../core/api-error';
import { Notifier } from '../../core/notifier';
import { PASSWORD_MIN_LENGTH } from '../../shared/account-rules';
import { ConfirmDialog, type ConfirmDialogData } from '../../shared/confirm-dialog';
import { AccountStore, DAV_TLS_PORT } from './account-store';
import { TotpCard } from './totp-card';

function sameAsNewPassword(control: AbstractControl): ValidationErrors | null {
  const form = control.parent;
  return form && control.value !== form.get('newPassword')?.value ? { mismatch: true } : null;
}

@Component({
  selector: 'bh-account-page',
  imports: [
    DatePipe,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatListModule,
    ReactiveFormsModule,
    TotpCard,
  ],
  providers: [AccountStore],
  templateUrl: './account-page.html',
  styleUrl: './account-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class AccountPage {
  private readonly store = inject(AccountStore);
  private readonly router = inject(Router);
  private readonly notifier = inject(Notifier);
  private readonly clipboard = inject(Clipboard);
  private readonly dialog = inject(MatDialog);
  private readonly fb = inject(NonNullableFormBuilder);

  protected readonly user = this.store.user;
  protected readonly isSaving = this.store.isSaving;
  protected readonly addresses = this.store.addresses;
  protected readonly isHttps = this.store.isHttps;
  protected readonly davTlsPort = DAV_TLS_PORT;
  protected readonly appPasswords = this.store.appPasswords;
  protected readonly appPasswordsProblem = this.store.appPasswordsProblem;
  protected readonly passwordMinLength = PASSWORD_MIN_LENGTH;
  protected readonly problem = signal<ApiProblem | null>(null);
  protected readonly form = this.fb.group({
    oldPassword: ['', Validators.required],
    newPassword: ['', [Validators.required, Validators.minLength(PASSWORD_MIN_LENGTH)]],
    confirmPassword: ['', [Validators.required, sameAsNewPassword]],
  });

  protected readonly appPasswordForm = this.fb.group({
    name: ['', [Validators.required, Validators.maxLength(100)]],
  });
  protected readonly isCreatingAppPassword = signal(false);
  protected readonly appPasswordProblem = signal<ApiProblem | null>(null);
  /** The password just created: shown until dismissed, never again. */
  protected readonly createdAppPassword = signal<CreatedAppPassword | null>(null);

  constructor() {
    this.form.controls.newPassword.valueChanges.subscribe(() => {
      this.form.controls.confirmPassword.updateValueAndValidity({ emitEvent: false });
    });
    this.store.loadAppPasswords();
  }

  protected changePassword(): void {
    this.problem.set(null);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { oldPassword, newPassword } = this.form.getRawValue();
    this.store.changePassword(oldPassword, newPassword).subscribe({
      next: () => {
        this.notifier.info('Password changed. Log in again with the new password.');
        void this.router.navigate(['/login']);
      },
      error: (err: unknown) => {
        const problem = toApiProblem(err);
        if (problem.code === 'INVALID_CREDENTIALS') {
          this.form.controls.oldPassword.setErrors({ server: problem.message });
        }
        applyFieldProblems(this.form, problem, { password: 'newPassword' });
        this.problem.set(problem);
      },
    });
  }

  protected createAppPassword(): void {
    this.appPasswordProblem.set(null);
    const control = this.appPasswordForm.controls.name;
    if (this.appPasswordForm.invalid) {
      this.appPasswordForm.markAllAsTouched();
      return;
    }
    this.isCreatingAppPassword.set(true);
    this.store.createAppPassword(control.value.trim()).subscribe({
      next: (created) => {
        this.isCreatingAppPassword.set(false);
        this.createdAppPassword.set(created);
        this.appPasswordForm.reset();
      },
      error: (err: unknown) => {
        this.isCreatingAppPassword.set(false);
        const problem = toApiProblem(err);
        applyFieldProblems(this.appPasswordForm, problem);
        this.appPasswordProblem.set(problem);
      },
    });
  }

  protected copy(text: string, what: string): void {
    if (this.clipboard.copy(text)) this.notifier.info(`${what} copied.`);
    else this.notifier.info(`${what} could not be copied; select it and copy it by hand.`);
  }

  protected dismissCreatedAppPassword(): void {
    this.createdAppPassword.set(null);
  }

  protected confirmRevoke(item: AppPassword): void {
    const data: ConfirmDialogData = {
      title: `Revoke ${item.name}?`,
      message: 'Devices that use this app password can no longer connect. This cannot be undone.',
      confirmLabel: 'Revoke',
    };
    this.dialog
      .open<ConfirmDialog, ConfirmDialogData, boolean>(ConfirmDialog, { data })
      .afterClosed()
      .subscribe((isConfirmed) => {
        if (isConfirmed !== true) return;
        if (this.createdAppPassword()?.id === item.id) this.createdAppPassword.set(null);
        this.store.revokeAppPassword(item);
      });
  }
}
