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
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Router } from '@angular/router';
import { type ApiProblem, applyFieldProblems, toApiProblem } from '../../core/api-error';
import { Notifier } from '../../core/notifier';
import { PASSWORD_MIN_LENGTH } from '../../shared/account-rules';
import { AccountStore } from './account-store';

function sameAsNewPassword(control: AbstractControl): ValidationErrors | null {
  const form = control.parent;
  return form && control.value !== form.get('newPassword')?.value ? { mismatch: true } : null;
}

@Component({
  selector: 'bh-account-page',
  imports: [MatButtonModule, MatCardModule, MatFormFieldModule, MatInputModule, ReactiveFormsModule],
  providers: [AccountStore],
  templateUrl: './account-page.html',
  styleUrl: './account-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class AccountPage {
  private readonly store = inject(AccountStore);
  private readonly router = inject(Router);
  private readonly notifier = inject(Notifier);

  protected readonly user = this.store.user;
  protected readonly isSaving = this.store.isSaving;
  protected readonly addresses = this.store.addresses;
  protected readonly passwordMinLength = PASSWORD_MIN_LENGTH;
  protected readonly problem = signal<ApiProblem | null>(null);
  protected readonly form = inject(NonNullableFormBuilder).group({
    oldPassword: ['', Validators.required],
    newPassword: ['', [Validators.required, Validators.minLength(PASSWORD_MIN_LENGTH)]],
    confirmPassword: ['', [Validators.required, sameAsNewPassword]],
  });

  constructor() {
    this.form.controls.newPassword.valueChanges.subscribe(() => {
      this.form.controls.confirmPassword.updateValueAndValidity({ emitEvent: false });
    });
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
}
