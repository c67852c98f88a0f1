import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, Injector, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatMenuModule } from '@angular/material/menu';
import { MatPaginatorModule, type PageEvent } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import { map } from 'rxjs';
import type { User } from '../../core/api-client';
import { ByteSizePipe } from '../../shared/byte-size';
import { ConfirmDialog, type ConfirmDialogData } from '../../shared/confirm-dialog';
import { UserDialog, type UserDialogData } from './user-dialog';
import { UserPasswordDialog } from './user-password-dialog';
import { USERS_PAGE_SIZES, UsersStore } from './users-store';

const ALL_COLUMNS = ['username', 'role', 'groups', 'quota', 'smb', 'status', 'actions'] as const;
const NARROW_COLUMNS = ['username', 'status', 'actions'] as const;

@Component({
  selector: 'bh-users-page',
  imports: [
    ByteSizePipe,
    MatButtonModule,
    MatIconModule,
    MatMenuModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatTableModule,
  ],
  providers: [UsersStore],
  templateUrl: './users-page.html',
  styleUrl: './users-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class UsersPage {
  private readonly store = inject(UsersStore);
  private readonly dialog = inject(MatDialog);
  private readonly injector = inject(Injector);

  protected readonly users = this.store.users;
  protected readonly total = this.store.total;
  protected readonly pageIndex = this.store.pageIndex;
  protected readonly pageSize = this.store.pageSize;
  protected readonly isLoading = this.store.isLoading;
  protected readonly problem = this.store.problem;
  protected readonly pageSizes = USERS_PAGE_SIZES;
  protected readonly currentUserId = computed(() => this.store.currentUserId());
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

  protected changePage(event: PageEvent): void {
    this.store.changePage(event.pageIndex, event.pageSize);
  }

  protected openCreateDialog(): void {
    this.openUserDialog({ user: null });
  }

  protected openEditDialog(user: User): void {
    this.openUserDialog({ user });
  }

  protected openPasswordDialog(user: User): void {
    this.dialog.open(UserPasswordDialog, { data: user, injector: this.injector, width: '440px' });
  }

  protected toggleDisabled(user: User): void {
    this.store.setDisabled(user, !user.disabled);
  }

  protected confirmResetTotp(user: User): void {
    const data: ConfirmDialogData = {
      title: `Reset two-factor login of ${user.username}?`,
      message:
        'Their authenticator app and recovery codes stop working and their password alone logs in, until they ' +
        'set up two-factor login again. Do this when they lost their phone and their recovery codes.',
      confirmLabel: 'Reset',
    };
    this.dialog
      .open<ConfirmDialog, ConfirmDialogData, boolean>(ConfirmDialog, { data, maxWidth: '100vw' })
      .afterClosed()
      .subscribe((isConfirmed) => {
        if (isConfirmed === true) this.store.resetTotp(user);
      });
  }

  protected confirmDelete(user: User): void {
    const data: ConfirmDialogData = {
      title: `Delete ${user.username}?`,
      message: 'The account is removed and its sessions end. This cannot be undone.',
      confirmLabel: 'Delete',
    };
    this.dialog
      .open<ConfirmDialog, ConfirmDialogData, boolean>(ConfirmDialog, { data })
      .afterClosed()
      .subscribe((isConfirmed) => {
        if (isConfirmed === true) this.store.delete(user);
      });
  }

  protected reload(): void {
    this.store.load();
  }

  private openUserDialog(data: UserDialogData): void {
    this.dialog.open(UserDialog, {
      data,
      injector: this.injector,
      width: '520px',
      maxWidth: '100vw',
      autoFocus: 'first-tabbable',
    });
  }
}
