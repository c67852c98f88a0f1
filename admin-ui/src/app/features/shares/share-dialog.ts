import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import {
  type AbstractControl,
  type FormArray,
  type FormControl,
  type FormGroup,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  type ValidationErrors,
  Validators,
} from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { Observable } from 'rxjs';
import type { Share, ShareAccess, ShareAclEntry, ShareChanges } from '../../core/api-client';
import { type ApiProblem, applyFieldProblems, toApiProblem } from '../../core/api-error';
import { NAME_MAX_LENGTH, NAME_PATTERN } from '../../shared/account-rules';
import { type SizeUnit, fromBytes, toBytes } from '../../shared/byte-size';
import { SharesStore } from './shares-store';

/** Opens for a new share (null) or to edit one; closes with the saved share. */
export interface ShareDialogData {
  readonly share: Share | null;
}

type AclRow = FormGroup<{
  type: FormControl<'user' | 'group'>;
  name: FormControl<string>;
  access: FormControl<ShareAccess>;
}>;

/** One row per user or group: two rows naming the same one contradict each other. */
function noDuplicateRows(control: AbstractControl): ValidationErrors | null {
  const rows = (control as FormArray<AclRow>).getRawValue();
  const seen = new Set<string>();
  for (const row of rows) {
    if (row.name === '') continue;
    const key = `${row.type}:${row.name}`;
    if (seen.has(key))
      return { duplicate: `${row.type === 'group' ? 'Group' : 'User'} ${row.name} is listed twice.` };
    seen.add(key);
  }
  return null;
}

@Component({
  selector: 'bh-share-dialog',
  imports: [
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatSelectModule,
    ReactiveFormsModule,
  ],
  templateUrl: './share-dialog.html',
  styleUrl: './share-dialog.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ShareDialog {
  private readonly store = inject(SharesStore);
  private readonly fb = inject(NonNullableFormBuilder);
  private readonly dialogRef = inject<MatDialogRef<ShareDialog, Share>>(MatDialogRef);
  private readonly share = inject<ShareDialogData | null>(MAT_DIALOG_DATA, { optional: true })?.share ?? null;

  protected readonly isNew = this.share === null;
  protected readonly title = this.share === null ? 'New share' : `Edit share ${this.share.name}`;
  protected readonly nameMaxLength = NAME_MAX_LENGTH;
  protected readonly isSaving = signal(false);
  protected readonly problem = signal<ApiProblem | null>(null);
  protected readonly usernames = this.store.usernames;
  protected readonly groupNames = this.store.groupNames;

  private readonly quota = this.share?.quotaBytes == null ? null : fromBytes(this.share.quotaBytes);
  protected readonly form = this.fb.group({
    name: [
      this.share?.name ?? '',
      [Validators.required, Validators.maxLength(NAME_MAX_LENGTH), Validators.pattern(NAME_PATTERN)],
    ],
    description: [this.share?.description ?? '', [Validators.maxLength(500)]],
    quotaAmount: this.fb.control<number | null>(this.quota?.amount ?? null, [Validators.min(0)]),
    quotaUnit: this.fb.control<SizeUnit>(this.quota?.unit ?? 'GB'),
    acl: this.fb.array<AclRow>(
      (this.share?.acl ?? []).map((e) => this.row(e)),
      [noDuplicateRows],
    ),
  });

  constructor() {
    this.store.loadPrincipals();
  }

  /** The names a row may pick: every user or group, plus the one it already names. */
  protected optionsFor(row: AclRow): readonly string[] {
    const { type, name } = row.getRawValue();
    const names = type === 'group' ? this.groupNames() : this.usernames();
    return name === '' || names.includes(name) ? names : [name, ...names];
  }

  protected addRow(): void {
    this.form.controls.acl.push(this.row({ type: 'user', name: '', access: 'read' }));
  }

  protected removeRow(index: number): void {
    this.form.controls.acl.removeAt(index);
  }

  protected clearName(row: AclRow): void {
    row.controls.name.setValue('');
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

  private row(entry: ShareAclEntry): AclRow {
    return this.fb.group({
      type: this.fb.control<'user' | 'group'>(entry.type),
      name: this.fb.control(entry.name, Validators.required),
      access: this.fb.control<ShareAccess>(entry.access),
    });
  }

  private request(): Observable<Share> {
    const value = this.form.getRawValue();
    const fields = {
      name: value.name,
      description: value.description.trim(),
      quotaBytes: value.quotaAmount === null ? null : toBytes(value.quotaAmount, value.quotaUnit),
      acl: value.acl,
    };
    if (this.share === null) return this.store.create(fields);
    return this.store.update(this.share.id, changedFields(this.share, fields));
  }
}

/** Only what differs from the share as loaded. */
function changedFields(share: Share, fields: Required<ShareChanges>): ShareChanges {
  const changes: { -readonly [K in keyof ShareChanges]: ShareChanges[K] } = {};
  if (fields.name !== share.name) changes.name = fields.name;
  if (fields.description !== share.description) changes.description = fields.description;
  if (fields.quotaBytes !== share.quotaBytes) changes.quotaBytes = fields.quotaBytes;
  const key = (acl: readonly ShareAclEntry[]) =>
    acl
      .map((e) => `${e.type}:${e.name}:${e.access}`)
      .sort()
      .join('\n');
  if (key(fields.acl) !== key(share.acl)) changes.acl = fields.acl;
  return changes;
}
