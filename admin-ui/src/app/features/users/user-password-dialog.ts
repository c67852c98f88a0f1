import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { User } from '../../core/api-client';
import { type ApiProblem, applyFieldProblems, toApiProblem } from '../../core/api-error';
import { PASSWORD_MIN_LENGTH } from '../../shared/account-rules';
import { UsersStore } from './users-store';

/** Sets a new password for a user (an admin's reset); their sessions end. */
@Component({
  selector: 'bh-user-password-dialog',
  imports: [MatButtonModule, MatDialogModule, MatFormFieldModule, MatInputModule, ReactiveFormsModule],
  template: `
    <h2 mat-dialog-title>Set the password of {{ user.username }}</h2>
    <form [formGroup]="form" (ngSubmit)="setPassword()" novalidate>
      <mat-dialog-content class="bh-form-stack">
        <p>Their sessions end; they log in again with the new password.</p>
        @if (problem(); as p) {
          <p class="bh-problem" role="alert">{{ p.message }}</p>
        }
        <mat-form-field>
          <mat-label>New password</mat-label>
          <input matInput type="password" formControlName="password" autocomplete="new-password" required />
          <mat-hint>At least {{ passwordMinLength }} characters.</mat-hint>
          @if (form.controls.password.hasError('required')) {
            <mat-error>Enter a password.</mat-error>
          } @else if (form.controls.password.hasError('minlength')) {
            <mat-error>At least {{ passwordMinLength }} characters.</mat-error>
          } @else if (form.controls.password.hasError('server')) {
            <mat-error>{{ form.controls.password.getError('server') }}</mat-error>
          }
        </mat-form-field>
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="isSaving()">Set password</button>
      </mat-dialog-actions>
    </form>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class UserPasswordDialog {
  private readonly store = inject(UsersStore);
  private readonly dialogRef = inject<MatDialogRef<UserPasswordDialog, boolean>>(MatDialogRef);

  protected readonly user = inject<User>(MAT_DIALOG_DATA);
  protected readonly passwordMinLength = PASSWORD_MIN_LENGTH;
  protected readonly isSaving = signal(false);
  protected readonly problem = signal<ApiProblem | null>(null);
  protected readonly form = inject(NonNullableFormBuilder).group({
    password: ['', [Validators.required, Validators.minLength(PASSWORD_MIN_LENGTH)]],
  });

  protected setPassword(): void {
    this.problem.set(null);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.isSaving.set(true);
    this.store.setPassword(this.user, this.form.getRawValue().password).subscribe({
      next: () => {
        this.dialogRef.close(true);
      },
      error: (err: unknown) => {
        this.isSaving.set(false);
        const problem = toApiProblem(err);
        applyFieldProblems(this.form, problem);
        this.problem.set(problem);
      },
    });
  }
}
