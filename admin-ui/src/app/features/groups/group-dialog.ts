import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { Observable } from 'rxjs';
import type { Group, GroupChanges } from '../../core/api-client';
import { type ApiProblem, applyFieldProblems, toApiProblem } from '../../core/api-error';
import { NAME_MAX_LENGTH, NAME_PATTERN } from '../../shared/account-rules';
import { GroupsStore } from './groups-store';

/** Opens for a new group (group null) or to edit one. Closes with the saved group. */
export interface GroupDialogData {
  readonly group: Group | null;
}

@Component({
  selector: 'bh-group-dialog',
  imports: [
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    ReactiveFormsModule,
  ],
  templateUrl: './group-dialog.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class GroupDialog {
  private readonly store = inject(GroupsStore);
  private readonly dialogRef = inject<MatDialogRef<GroupDialog, Group>>(MatDialogRef);
  private readonly group = inject<GroupDialogData>(MAT_DIALOG_DATA).group;

  protected readonly isNew = this.group === null;
  protected readonly title = this.group === null ? 'New group' : `Edit ${this.group.name}`;
  protected readonly nameMaxLength = NAME_MAX_LENGTH;
  protected readonly isSaving = signal(false);
  protected readonly problem = signal<ApiProblem | null>(null);
  protected readonly memberOptions = computed(() =>
    [...new Set([...this.store.usernames(), ...(this.group?.members ?? [])])].sort(),
  );
  protected readonly form = inject(NonNullableFormBuilder).group({
    name: [
      this.group?.name ?? '',
      [Validators.required, Validators.maxLength(NAME_MAX_LENGTH), Validators.pattern(NAME_PATTERN)],
    ],
    description: [this.group?.description ?? '', Validators.maxLength(500)],
    members: [[...(this.group?.members ?? [])]],
  });

  constructor() {
    this.store.loadUsernames();
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
        applyFieldProblems(this.form, problem);
        this.problem.set(problem);
      },
    });
  }

  private request(): Observable<Group> {
    const value = this.form.getRawValue();
    const fields = { name: value.name, description: value.description.trim(), members: value.members };
    if (this.group === null) return this.store.create(fields);
    const changes: { -readonly [K in keyof GroupChanges]: GroupChanges[K] } = {};
    if (fields.name !== this.group.name) changes.name = fields.name;
    if (fields.description !== this.group.description) changes.description = fields.description;
    if ([...fields.members].sort().join('\n') !== [...this.group.members].sort().join('\n')) {
      changes.members = fields.members;
    }
    return this.store.update(this.group.id, changes);
  }
}
