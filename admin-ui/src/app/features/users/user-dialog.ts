import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import type { Observable } from 'rxjs';
import type { Role, User, UserChanges } from '../../core/api-client';
import { type ApiProblem, applyFieldProblems, toApiProblem } from '../../core/api-error';
import { NAME_MAX_LENGTH, NAME_PATTERN, PASSWORD_MIN_LENGTH } from '../../shared/account-rules';
import { type SizeUnit, fromBytes, toBytes } from '../../shared/byte-size';
import { UsersStore } from './users-store';

/** Opens for a new user (no data) or to edit one. Closes with the saved user. */
export interface UserDialogData {
  readonly user: User | null;
}

@Component({
  selector: 'bh-user-dialog',
  imports: [
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatSlideToggleModule,
    ReactiveFormsModule,
  ],
  templateUrl: './user-dialog.html',
  styleUrl: './user-dialog.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class UserDialog {
  private readonly store = inject(UsersStore);
  private readonly fb = inject(NonNullableFormBuilder);
  private readonly dialogRef = inject<MatDialogRef<UserDialog, User>>(MatDialogRef);
  private readonly user = inject<UserDialogData | null>(MAT_DIALOG_DATA, { optional: true })?.user ?? null;

  protected readonly isNew = this.user === null;
  protected readonly title = this.user === null ? 'New user' : `Edit ${this.user.username}`;
  protected readonly passwordMinLength = PASSWORD_MIN_LENGTH;
  protected readonly usernameMaxLength = NAME_MAX_LENGTH;
  protected readonly isSaving = signal(false);
  protected readonly problem = signal<ApiProblem | null>(null);
  protected readonly groupOptions = computed(() =>
    [...new Set([...this.store.groupNames(), ...(this.user?.groups ?? [])])].sort(),
  );

  private readonly quota = this.user?.quotaBytes == null ? null : fromBytes(this.user.quotaBytes);
  protected readonly form = this.fb.group({
    username: [
      this.user?.username ?? '',
      [Validators.required, Validators.maxLength(NAME_MAX_LENGTH), Validators.pattern(NAME_PATTERN)],
    ],
    password: [
      '',
      this.user === null ? [Validators.required, Validators.minLength(PASSWORD_MIN_LENGTH)] : [],
    ],
    email: [this.user?.email ?? '', [Validators.email, Validators.maxLength(254)]],
    role: this.fb.control<Role>(this.user?.role ?? 'user'),
    groups: [[...(this.user?.groups ?? [])]],
    quotaAmount: this.fb.control<number | null>(this.quota?.amount ?? null, [Validators.min(0)]),
    quotaUnit: this.fb.control<SizeUnit>(this.quota?.unit ?? 'GB'),
    smbEnabled: [this.user?.smbEnabled ?? false],
  });

  constructor() {
    this.store.loadGroupNames();
    if (this.user !== null) {
      // The username is the account's identity (also for SMB): it cannot be changed.
      this.form.controls.username.disable();
      this.form.controls.password.disable();
    }
  }

  protected save(): void {
    this.problem.set(null);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.isSaving.set(true);
    this.request().subscribe({
      next: (saved) => {
        this.isSaving.set(false);
        this.dialogRef.close(saved);
      },
      error: (err: unknown) => {
        this.isSaving.set(false);
        const problem = toApiProblem(err);
        applyFieldProblems(this.form, problem, { quotaBytes: 'quotaAmount' });
        this.problem.set(problem);
      },
    });
  }

  private request(): Observable<User> {
    const value = this.form.getRawValue();
    const fields = {
      email: value.email.trim() === '' ? null : value.email.trim(),
      role: value.role,
      groups: value.groups,
      quotaBytes: value.quotaAmount === null ? null : toBytes(value.quotaAmount, value.quotaUnit),
      smbEnabled: value.smbEnabled,
    };
    if (this.user === null) {
      return this.store.create({ username: value.username, password: value.password, ...fields });
    }
    return this.store.update(this.user.id, changedFields(this.user, fields));
  }
}

/** Only what differs from the user as loaded: a PATCH should not restate (or re-audit) untouched fields. */
function changedFields(user: User, fields: Required<Omit<UserChanges, 'disabled'>>): UserChanges {
  const changes: { -readonly [K in keyof UserChanges]: UserChanges[K] } = {};
  if (fields.email !== user.email) changes.email = fields.email;
  if (fields.role !== user.role) changes.role = fields.role;
  if ([...fields.groups].sort().join('\n') !== [...user.groups].sort().join('\n'))
    changes.groups = fields.groups;
  if (fields.quotaBytes !== user.quotaBytes) changes.quotaBytes = fields.quotaBytes;
  if (fields.smbEnabled !== user.smbEnabled) changes.smbEnabled = fields.smbEnabled;
  return changes;
}
