import { ChangeDetectionStrategy, Component, effect, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatMenuModule } from '@angular/material/menu';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { NewRaidArray, RaidArray, RaidMember } from '../../core/api-client';
import { toApiProblem } from '../../core/api-error';
import { ByteSizePipe } from '../../shared/byte-size';
import { RaidCreateDialog, type RaidCreateDialogData } from './raid-create-dialog';
import { RaidStore, syncLabel } from './raid-store';

const KIB = 1024;

/** RAID arrays, their members and sync progress, the disks; admins fail, remove and add members and run checks. */
@Component({
  selector: 'bh-raid-page',
  imports: [
    ByteSizePipe,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatMenuModule,
    MatProgressBarModule,
    ReactiveFormsModule,
  ],
  providers: [RaidStore],
  templateUrl: './raid-page.html',
  styleUrl: './raid-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class RaidPage {
  private readonly store = inject(RaidStore);
  private readonly dialog = inject(MatDialog);

  protected readonly overview = this.store.overview;
  protected readonly arrays = this.store.arrays;
  protected readonly disks = this.store.disks;
  protected readonly freeDisks = this.store.freeDisks;
  protected readonly isAdmin = this.store.isAdmin;
  protected readonly isLoading = this.store.isLoading;
  protected readonly problem = this.store.problem;
  protected readonly busy = this.store.busy;
  protected readonly syncLabel = syncLabel;
  protected readonly speedProblem = signal<string | null>(null);
  /** md's speed limits in KiB/s, as /proc/sys/dev/raid/speed_limit_* show them. */
  protected readonly speedForm = inject(NonNullableFormBuilder).group({
    minKib: [1000, [Validators.required, Validators.min(1)]],
    maxKib: [200_000, [Validators.required, Validators.min(1)]],
  });

  constructor() {
    this.store.load();
    effect(() => {
      const limits = this.store.overview()?.speedLimits;
      if (limits !== undefined && !this.speedForm.dirty) {
        this.speedForm.reset({
          minKib: Math.round(limits.minBytesPerSecond / KIB),
          maxKib: Math.round(limits.maxBytesPerSecond / KIB),
        });
      }
    });
  }

  protected openCreateDialog(): void {
    const data: RaidCreateDialogData = { name: this.store.nextArrayName(), freeDisks: this.freeDisks() };
    this.dialog
      .open<RaidCreateDialog, RaidCreateDialogData, NewRaidArray>(RaidCreateDialog, {
        data,
        width: '520px',
        maxWidth: '100vw',
      })
      .afterClosed()
      .subscribe((array) => {
        if (array !== undefined) this.store.createArray(array);
      });
  }

  protected deleteArray(array: RaidArray): void {
    this.store.deleteArray(array);
  }

  protected saveSpeedLimits(): void {
    this.speedProblem.set(null);
    const { minKib, maxKib } = this.speedForm.getRawValue();
    if (this.speedForm.invalid || minKib > maxKib) {
      this.speedForm.markAllAsTouched();
      this.speedProblem.set(
        this.speedForm.invalid ? 'Enter both limits in KiB/s.' : 'The minimum cannot be above the maximum.',
      );
      return;
    }
    this.store
      .setSpeedLimits({
        minBytesPerSecond: Math.round(minKib) * KIB,
        maxBytesPerSecond: Math.round(maxKib) * KIB,
      })
      .subscribe({
        next: () => {
          this.speedForm.markAsPristine();
        },
        error: (err: unknown) => {
          this.speedProblem.set(toApiProblem(err).message);
        },
      });
  }

  protected reload(): void {
    this.store.load();
  }

  protected failMember(array: RaidArray, member: RaidMember): void {
    this.store.failMember(array, member.device);
  }

  protected removeMember(array: RaidArray, member: RaidMember): void {
    this.store.removeMember(array, member.device);
  }

  protected addSpare(array: RaidArray, device: string): void {
    this.store.addSpare(array, device);
  }

  protected startCheck(array: RaidArray): void {
    this.store.startCheck(array);
  }

  protected stopCheck(array: RaidArray): void {
    this.store.stopCheck(array);
  }

  protected hasArray(name: string | null): boolean {
    return this.arrays().some((a) => a.name === name);
  }

  protected isRedundant(array: RaidArray): boolean {
    return array.level !== 'raid0' && array.level !== 'linear';
  }

  protected minutes(seconds: number | null): string {
    if (seconds === null) return '';
    return seconds < 60 ? `${Math.ceil(seconds)} s left` : `${Math.ceil(seconds / 60)} min left`;
  }
}
