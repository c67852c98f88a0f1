import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { type Observable, finalize, tap } from 'rxjs';
import {
  ApiClient,
  type NewRaidArray,
  type RaidArray,
  type RaidDisk,
  type RaidOverview,
  type RaidSpeedLimits,
} from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { AuthStore } from '../../core/auth-store';
import { Notifier } from '../../core/notifier';
import { TwoStep } from '../../shared/two-step';

/** How often the page asks again while an array rebuilds, resyncs or is checked. */
export const RAID_REFRESH_MS = 3000;

/**
 * The RAID page: arrays with their members and sync progress, the disks, and the admin's actions. While any
 * array syncs it refreshes every few seconds; destructive actions go through the server's two-step confirmation.
 */
@Injectable()
export class RaidStore {
  private readonly api = inject(ApiClient);
  private readonly notifier = inject(Notifier);
  private readonly twoStep = inject(TwoStep);

  private readonly overviewState = signal<RaidOverview | null>(null);
  private readonly isLoadingState = signal(false);
  private readonly problemState = signal<ApiProblem | null>(null);
  private readonly busyState = signal<string | null>(null);
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private isDestroyed = false;

  readonly isAdmin = inject(AuthStore).isAdmin;
  readonly overview = this.overviewState.asReadonly();
  readonly arrays = computed(() => this.overviewState()?.arrays ?? []);
  readonly disks = computed(() => this.overviewState()?.disks ?? []);
  readonly isLoading = this.isLoadingState.asReadonly();
  readonly problem = this.problemState.asReadonly();
  /** What is being changed now ("md0"), for a progress bar; null when nothing is. */
  readonly busy = this.busyState.asReadonly();
  /** Disks that belong to no array and are not the system disk: candidates for a spare. */
  readonly freeDisks = computed<readonly RaidDisk[]>(() =>
    this.disks().filter((d) => d.arrayName === null && !d.isSystemDisk),
  );
  readonly isSyncing = computed(() => this.arrays().some((a) => a.sync !== null));

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.isDestroyed = true;
      this.stopRefresh();
    });
  }

  /** Loads the RAID state; while an array syncs, loads again every RAID_REFRESH_MS. */
  load(): void {
    this.stopRefresh();
    this.isLoadingState.set(true);
    this.api
      .raid()
      .pipe(
        finalize(() => {
          this.isLoadingState.set(false);
        }),
      )
      .subscribe({
        next: (overview) => {
          this.overviewState.set(overview);
          this.problemState.set(null);
          this.scheduleRefresh();
        },
        error: (err: unknown) => {
          this.problemState.set(toApiProblem(err));
        },
      });
  }

  failMember(array: RaidArray, device: string): void {
    this.change(
      array.name,
      this.twoStep.run(`Fail ${device}?`, 'Mark faulty', (token) =>
        this.api.failRaidMember(array.name, device, token),
      ),
      `${device} marked faulty in ${array.name}.`,
    );
  }

  removeMember(array: RaidArray, device: string): void {
    this.change(
      array.name,
      this.twoStep.run(`Remove ${device} from ${array.name}?`, 'Remove', (token) =>
        this.api.removeRaidMember(array.name, device, token),
      ),
      `${device} removed from ${array.name}.`,
    );
  }

  addSpare(array: RaidArray, device: string): void {
    this.change(
      array.name,
      this.twoStep.run(`Add ${device} to ${array.name}?`, 'Erase and add', (token) =>
        this.api.addRaidSpare(array.name, device, token),
      ),
      `${device} added to ${array.name}.`,
    );
  }

  /** Creates an array after the server's confirmation (its disks are erased). */
  createArray(array: NewRaidArray): void {
    this.act(
      array.name,
      this.twoStep.run(`Create ${array.name}?`, 'Erase and create', (token) =>
        this.api.createRaidArray(array, token),
      ),
      `${array.name} created.`,
    );
  }

  /** Stops an array and wipes its members after the server's confirmation. */
  deleteArray(array: RaidArray): void {
    this.act(
      array.name,
      this.twoStep.run(`Delete ${array.name}?`, 'Delete array', (token) =>
        this.api.deleteRaidArray(array.name, token),
      ),
      `${array.name} deleted.`,
    );
  }

  /** md's global resync speed limits; the caller shows a failure on its form. */
  setSpeedLimits(limits: RaidSpeedLimits): Observable<RaidSpeedLimits> {
    this.busyState.set('speed-limits');
    return this.api.setRaidSpeedLimits(limits).pipe(
      tap((saved) => {
        this.overviewState.update((o) => (o === null ? o : { ...o, speedLimits: saved }));
        this.notifier.info('Sync speed limits saved.');
      }),
      finalize(() => {
        this.busyState.set(null);
      }),
    );
  }

  /** The next free md name: md0, md1… */
  nextArrayName(): string {
    const taken = new Set(this.arrays().map((a) => a.name));
    let n = 0;
    while (taken.has(`md${n}`)) n++;
    return `md${n}`;
  }

  startCheck(array: RaidArray): void {
    this.change(array.name, this.api.startRaidCheck(array.name), `Check of ${array.name} started.`);
  }

  stopCheck(array: RaidArray): void {
    this.change(array.name, this.api.stopRaidCheck(array.name), `Check of ${array.name} stopped.`);
  }

  private change(name: string, request: Observable<RaidArray>, done: string): void {
    this.busyState.set(name);
    request
      .pipe(
        finalize(() => {
          this.busyState.set(null);
        }),
      )
      .subscribe({
        next: (updated) => {
          this.overviewState.update((o) =>
            o === null ? o : { ...o, arrays: o.arrays.map((a) => (a.name === updated.name ? updated : a)) },
          );
          this.notifier.info(done);
          this.load();
        },
        error: (err: unknown) => {
          this.notifier.error(err);
        },
      });
  }

  /** A change that answers no array (or a new one): reload everything when it is done. */
  private act(name: string, request: Observable<unknown>, done: string): void {
    this.busyState.set(name);
    request
      .pipe(
        finalize(() => {
          this.busyState.set(null);
        }),
      )
      .subscribe({
        next: () => {
          this.notifier.info(done);
          this.load();
        },
        error: (err: unknown) => {
          this.notifier.error(err);
        },
      });
  }

  private scheduleRefresh(): void {
    if (this.isDestroyed || !this.isSyncing()) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      this.load();
    }, RAID_REFRESH_MS);
  }

  private stopRefresh(): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }
}

/** "Rebuilding", "Checking"… for a sync action. */
export function syncLabel(action: NonNullable<RaidArray['sync']>['action']): string {
  switch (action) {
    case 'recover':
      return 'Rebuilding';
    case 'resync':
      return 'Resyncing';
    case 'check':
      return 'Checking';
    case 'repair':
      return 'Repairing';
    case 'reshape':
      return 'Reshaping';
  }
}
