import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
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
import { MatSelectModule } from '@angular/material/select';
import type { NewRaidArray, RaidDisk, RaidLevel } from '../../core/api-client';
import { ByteSizePipe } from '../../shared/byte-size';

/** The disks to choose from and a free name; closes with the array to create (the server then asks to confirm). */
export interface RaidCreateDialogData {
  readonly name: string;
  readonly freeDisks: readonly RaidDisk[];
}

/** How many active members each level needs at least (mdadm's rules). */
export const MIN_DEVICES: Readonly<Record<RaidLevel, number>> = {
  raid0: 2,
  raid1: 2,
  raid5: 3,
  raid6: 4,
  raid10: 4,
};

const LEVELS: readonly { readonly value: RaidLevel; readonly label: string }[] = [
  { value: 'raid1', label: 'RAID 1 (mirror)' },
  { value: 'raid5', label: 'RAID 5 (one disk may fail)' },
  { value: 'raid6', label: 'RAID 6 (two disks may fail)' },
  { value: 'raid10', label: 'RAID 10 (striped mirrors)' },
  { value: 'raid0', label: 'RAID 0 (no redundancy)' },
];

function enoughDevices(group: AbstractControl): ValidationErrors | null {
  const { level, devices } = group.value as { level: RaidLevel; devices: string[] };
  return devices.length < MIN_DEVICES[level] ? { tooFewDevices: MIN_DEVICES[level] } : null;
}

@Component({
  selector: 'bh-raid-create-dialog',
  imports: [
    ByteSizePipe,
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    ReactiveFormsModule,
  ],
  template: `
    <h2 mat-dialog-title>New RAID array</h2>
    <form [formGroup]="form" (ngSubmit)="create()" novalidate>
      <mat-dialog-content class="bh-form-stack">
        <p>The chosen disks are erased. The server says what will happen and asks once more.</p>
        <div class="bh-form-row">
          <mat-form-field>
            <mat-label>Name</mat-label>
            <input matInput formControlName="name" autocomplete="off" required />
            <mat-error>md and a number, such as md1.</mat-error>
          </mat-form-field>
          <mat-form-field>
            <mat-label>Level</mat-label>
            <mat-select formControlName="level">
              @for (l of levels; track l.value) {
                <mat-option [value]="l.value">{{ l.label }}</mat-option>
              }
            </mat-select>
          </mat-form-field>
        </div>
        <mat-form-field>
          <mat-label>Disks</mat-label>
          <mat-select formControlName="devices" multiple>
            @for (d of data.freeDisks; track d.device) {
              <mat-option [value]="d.device" [disabled]="spares().includes(d.device)"
                >{{ d.device }} ({{ d.sizeBytes | byteSize }})</mat-option
              >
            }
          </mat-select>
          <mat-hint>At least {{ minDevices() }} for this level.</mat-hint>
        </mat-form-field>
        <mat-form-field>
          <mat-label>Hot spares</mat-label>
          <mat-select formControlName="spares" multiple>
            @for (d of data.freeDisks; track d.device) {
              <mat-option [value]="d.device" [disabled]="devices().includes(d.device)"
                >{{ d.device }} ({{ d.sizeBytes | byteSize }})</mat-option
              >
            }
          </mat-select>
          <mat-hint>Optional: take over when a disk fails.</mat-hint>
        </mat-form-field>
        @if (form.touched && form.hasError('tooFewDevices')) {
          <p class="bh-problem" role="alert">Choose at least {{ minDevices() }} disks for this level.</p>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit">Create</button>
      </mat-dialog-actions>
    </form>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RaidCreateDialog {
  protected readonly data = inject<RaidCreateDialogData>(MAT_DIALOG_DATA);
  private readonly dialogRef = inject<MatDialogRef<RaidCreateDialog, NewRaidArray>>(MatDialogRef);

  protected readonly levels = LEVELS;
  private readonly fb = inject(NonNullableFormBuilder);
  protected readonly form = this.fb.group(
    {
      name: [this.data.name, [Validators.required, Validators.pattern(/^md\d{1,3}$/)]],
      level: this.fb.control<RaidLevel>('raid1'),
      devices: this.fb.control<string[]>([]),
      spares: this.fb.control<string[]>([]),
    },
    { validators: enoughDevices },
  );
  protected readonly devices = toSignal(this.form.controls.devices.valueChanges, { initialValue: [] });
  protected readonly spares = toSignal(this.form.controls.spares.valueChanges, { initialValue: [] });
  private readonly level = toSignal(this.form.controls.level.valueChanges, {
    initialValue: this.form.controls.level.value,
  });
  protected readonly minDevices = computed(() => MIN_DEVICES[this.level()]);

  protected create(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const v = this.form.getRawValue();
    this.dialogRef.close({
      name: v.name,
      level: v.level,
      devices: v.devices,
      ...(v.spares.length > 0 ? { spares: v.spares } : {}),
    });
  }
}
