import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, Injector, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatMenuModule } from '@angular/material/menu';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { map } from 'rxjs';
import type { Share } from '../../core/api-client';
import { toApiProblem } from '../../core/api-error';
import { Notifier } from '../../core/notifier';
import { ByteSizePipe } from '../../shared/byte-size';
import { ConfirmDialog, type ConfirmDialogData } from '../../shared/confirm-dialog';
import { ShareDialog, type ShareDialogData } from './share-dialog';
import { SharesStore } from './shares-store';

const ALL_COLUMNS = ['name', 'usage', 'acl', 'actions'] as const;
const NARROW_COLUMNS = ['name', 'usage', 'actions'] as const;

/** "alice (write), staff group (read)". */
export function aclSummary(share: Share): string {
  if (share.acl.length === 0) return 'Nobody yet (admins only)';
  return share.acl
    .map(
      (e) =>
        `${e.type === 'group' ? `group ${e.name}` : e.name}: ${e.access === 'write' ? 'read & write' : 'read'}`,
    )
    .join(', ');
}

@Component({
  selector: 'bh-shares-page',
  imports: [
    ByteSizePipe,
    MatButtonModule,
    MatIconModule,
    MatMenuModule,
    MatProgressBarModule,
    MatTableModule,
  ],
  providers: [SharesStore],
  templateUrl: './shares-page.html',
  styleUrl: './shares-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class SharesPage {
  private readonly store = inject(SharesStore);
  private readonly dialog = inject(MatDialog);
  private readonly injector = inject(Injector);
  private readonly notifier = inject(Notifier);

  protected readonly shares = this.store.shares;
  protected readonly isLoading = this.store.isLoading;
  protected readonly problem = this.store.problem;
  protected readonly aclSummary = aclSummary;
  private readonly isNarrow = toSignal(
    inject(BreakpointObserver)
      .observe('(max-width: 599.98px)')
      .pipe(map((state) => state.matches)),
    { initialValue: false },
  );
  protected readonly columns = computed(() => (this.isNarrow() ? NARROW_COLUMNS : ALL_COLUMNS));

  constructor() {
    this.store.load();
  }

  protected usagePercent(share: Share): number {
    return share.quotaBytes === null || share.quotaBytes === 0
      ? 0
      : Math.min(100, (share.usedBytes / share.quotaBytes) * 100);
  }

  protected reload(): void {
    this.store.load();
  }

  protected openCreateDialog(): void {
    this.openShareDialog({ share: null });
  }

  protected openEditDialog(share: Share): void {
    this.openShareDialog({ share });
  }

  protected confirmDelete(share: Share): void {
    this.confirm({
      title: `Delete share ${share.name}?`,
      message: 'Its users lose access at once. An empty share is removed; this cannot be undone.',
      confirmLabel: 'Delete',
    }).subscribe((isConfirmed) => {
      if (isConfirmed === true) this.deleteShare(share, false);
    });
  }

  private deleteShare(share: Share, force: boolean): void {
    this.store.delete(share, force).subscribe({
      error: (err: unknown) => {
        const problem = toApiProblem(err);
        if (problem.status !== 409 || force) {
          this.notifier.error(err);
          return;
        }
        // Not empty: offer to set the files aside (the server moves them to its orphaned/ folder).
        this.confirm({
          title: `${share.name} is not empty`,
          message: `${problem.message} Force: the share is deleted and its files are set aside on the server (in the data folder's orphaned/), where an administrator can still recover them.`,
          confirmLabel: 'Force: set the files aside',
        }).subscribe((isConfirmed) => {
          if (isConfirmed === true) this.deleteShare(share, true);
        });
      },
    });
  }

  private confirm(data: ConfirmDialogData) {
    return this.dialog.open<ConfirmDialog, ConfirmDialogData, boolean>(ConfirmDialog, { data }).afterClosed();
  }

  private openShareDialog(data: ShareDialogData): void {
    this.dialog.open(ShareDialog, {
      data,
      injector: this.injector,
      width: '640px',
      maxWidth: '100vw',
      autoFocus: 'first-tabbable',
    });
  }
}
