import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatIconModule } from '@angular/material/icon';
import { MatMenuModule } from '@angular/material/menu';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { RaidArray, RaidMember } from '../../core/api-client';
import { ByteSizePipe } from '../../shared/byte-size';
import { RaidStore, syncLabel } from './raid-store';

/** RAID arrays, their members and sync progress, the disks; admins fail, remove and add members and run checks. */
@Component({
  selector: 'bh-raid-page',
  imports: [ByteSizePipe, MatButtonModule, MatCardModule, MatIconModule, MatMenuModule, MatProgressBarModule],
  providers: [RaidStore],
  templateUrl: './raid-page.html',
  styleUrl: './raid-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class RaidPage {
  private readonly store = inject(RaidStore);

  protected readonly overview = this.store.overview;
  protected readonly arrays = this.store.arrays;
  protected readonly disks = this.store.disks;
  protected readonly freeDisks = this.store.freeDisks;
  protected readonly isAdmin = this.store.isAdmin;
  protected readonly isLoading = this.store.isLoading;
  protected readonly problem = this.store.problem;
  protected readonly busy = this.store.busy;
  protected readonly syncLabel = syncLabel;

  constructor() {
    this.store.load();
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

  protected isRedundant(array: RaidArray): boolean {
    return array.level !== 'raid0' && array.level !== 'linear';
  }

  protected minutes(seconds: number | null): string {
    if (seconds === null) return '';
    return seconds < 60 ? `${Math.ceil(seconds)} s left` : `${Math.ceil(seconds / 60)} min left`;
  }
}
