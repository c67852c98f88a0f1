import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import {
  type AbstractControl,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  type ValidationErrors,
} from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import type { Observable } from 'rxjs';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { nameProblem, normalizePath } from './file-paths';

/**
 * Asks for a name (new folder, rename) or a target path (move, copy), then runs `submit` with it. Stays open
 * with the server's message when that fails (409 exists, 412, 423 locked, 507 over quota); closes with true.
 */
export interface PathDialogData {
  readonly title: string;
  readonly label: string;
  readonly hint?: string;
  readonly value: string;
  readonly confirmLabel: string;
  /** `name`: one path segment; `path`: a namespace path, normalized before `submit`. */
  readonly kind: 'name' | 'path';
  readonly submit: (value: string) => Observable<unknown>;
}

function validName(control: AbstractControl<string>): ValidationErrors | null {
  const problem = nameProblem(control.value);
  return problem === null ? null : { name: problem };
}

function validPath(control: AbstractControl<string>): ValidationErrors | null {
  return normalizePath(control.value) === '/' ? { name: 'Enter a path such as /home/folder.' } : null;
}

@Component({
  selector: 'bh-path-dialog',
  imports: [MatButtonModule, MatDialogModule, MatFormFieldModule, MatInputModule, ReactiveFormsModule],
  template: `
    <h2 mat-dialog-title>{{ data.title }}</h2>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <mat-dialog-content class="bh-form-stack">
        @if (problem(); as p) {
          <p class="bh-problem" role="alert">{{ p.message }}</p>
        }
        <mat-form-field>
          <mat-label>{{ data.label }}</mat-label>
          <input matInput formControlName="value" autocomplete="off" autocapitalize="none" required />
          @if (data.hint) {
            <mat-hint>{{ data.hint }}</mat-hint>
          }
          @if (form.controls.value.hasError('name')) {
            <mat-error>{{ form.controls.value.getError('name') }}</mat-error>
          }
        </mat-form-field>
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="isSaving()">{{ data.confirmLabel }}</button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    mat-dialog-content {
      min-width: min(400px, 70vw);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PathDialog {
  protected readonly data = inject<PathDialogData>(MAT_DIALOG_DATA);
  private readonly dialogRef = inject<MatDialogRef<PathDialog, boolean>>(MatDialogRef);

  protected readonly isSaving = signal(false);
  protected readonly problem = signal<ApiProblem | null>(null);
  // A form group on the <form>: it is what stops the browser's own submit (a page reload).
  protected readonly form = inject(NonNullableFormBuilder).group({
    value: [this.data.value, [this.data.kind === 'name' ? validName : validPath]],
  });

  protected save(): void {
    this.problem.set(null);
    const control = this.form.controls.value;
    if (control.invalid) {
      control.markAsTouched();
      return;
    }
    const raw = control.value;
    const value = this.data.kind === 'path' ? normalizePath(raw) : raw.trim();
    this.isSaving.set(true);
    this.data.submit(value).subscribe({
      complete: () => {
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
