import { ChangeDetectionStrategy, Component, Injector, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTableModule } from '@angular/material/table';
import type { Group } from '../../core/api-client';
import { ConfirmDialog, type ConfirmDialogData } from '../../shared/confirm-dialog';
import { GroupDialog, type GroupDialogData } from './group-dialog';
import { GroupsStore } from './groups-store';

@Component({
  selector: 'bh-groups-page',
  imports: [MatButtonModule, MatIconModule, MatProgressBarModule, MatTableModule],
  providers: [GroupsStore],
  templateUrl: './groups-page.html',
  styleUrl: './groups-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class GroupsPage {
  private readonly store = inject(GroupsStore);
  private readonly dialog = inject(MatDialog);
  private readonly injector = inject(Injector);

  protected readonly groups = this.store.groups;
  protected readonly isLoading = this.store.isLoading;
  protected readonly problem = this.store.problem;
  protected readonly columns = ['name', 'members', 'actions'] as const;

  constructor() {
    this.store.load();
  }

  protected openCreateDialog(): void {
    this.openGroupDialog({ group: null });
  }

  protected openEditDialog(group: Group): void {
    this.openGroupDialog({ group });
  }

  protected confirmDelete(group: Group): void {
    const data: ConfirmDialogData = {
      title: `Delete ${group.name}?`,
      message: 'The group is removed; its members keep their accounts.',
      confirmLabel: 'Delete',
    };
    this.dialog
      .open<ConfirmDialog, ConfirmDialogData, boolean>(ConfirmDialog, { data })
      .afterClosed()
      .subscribe((isConfirmed) => {
        if (isConfirmed === true) this.store.delete(group);
      });
  }

  protected reload(): void {
    this.store.load();
  }

  private openGroupDialog(data: GroupDialogData): void {
    this.dialog.open(GroupDialog, { data, injector: this.injector, width: '520px', maxWidth: '100vw' });
  }
}
