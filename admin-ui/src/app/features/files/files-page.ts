import { BreakpointObserver } from '@angular/cdk/layout';
import {
  ChangeDetectionStrategy,
  Component,
  Injector,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatMenuModule } from '@angular/material/menu';
import { MatPaginatorModule, type PageEvent } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSortModule, type Sort } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { DatePipe } from '@angular/common';
import { Router, RouterLink } from '@angular/router';
import { map } from 'rxjs';
import type { FileEntry, FileSort } from '../../core/api-client';
import { ByteSizePipe } from '../../shared/byte-size';
import { ConfirmDialog, type ConfirmDialogData } from '../../shared/confirm-dialog';
import { DEFAULT_FOLDER, normalizePath, previewKind } from './file-paths';
import { FILES_PAGE_SIZES, FilesStore, type UploadItem } from './files-store';
import { PathDialog, type PathDialogData } from './path-dialog';
import { PreviewDialog, type PreviewDialogData } from './preview-dialog';
import { QuotaBar } from '../../shared/quota-bar';

const ALL_COLUMNS = ['select', 'name', 'size', 'modified', 'type', 'owner', 'actions'] as const;
const NARROW_COLUMNS = ['select', 'name', 'actions'] as const;
const SORTS: readonly string[] = ['name', 'size', 'modified', 'type'] satisfies FileSort[];

@Component({
  selector: 'bh-files-page',
  imports: [
    ByteSizePipe,
    DatePipe,
    MatButtonModule,
    MatCheckboxModule,
    MatIconModule,
    MatMenuModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatSortModule,
    MatTableModule,
    MatTooltipModule,
    QuotaBar,
    RouterLink,
  ],
  providers: [FilesStore],
  templateUrl: './files-page.html',
  styleUrl: './files-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class FilesPage {
  private readonly store = inject(FilesStore);
  private readonly dialog = inject(MatDialog);
  private readonly injector = inject(Injector);
  private readonly router = inject(Router);

  /** The `?path=` query parameter: the folder to show. */
  readonly path = input<string>();

  protected readonly folder = this.store.path;
  protected readonly crumbs = this.store.crumbs;
  protected readonly entries = this.store.entries;
  protected readonly total = this.store.total;
  protected readonly sort = this.store.sort;
  protected readonly order = this.store.order;
  protected readonly pageIndex = this.store.pageIndex;
  protected readonly pageSize = this.store.pageSize;
  protected readonly isLoading = this.store.isLoading;
  protected readonly problem = this.store.problem;
  protected readonly selected = this.store.selected;
  protected readonly selectedEntries = this.store.selectedEntries;
  protected readonly isAllSelected = this.store.isAllSelected;
  protected readonly isWritableFolder = this.store.isWritableFolder;
  protected readonly usage = this.store.usage;
  protected readonly uploads = this.store.uploads;
  protected readonly pageSizes = FILES_PAGE_SIZES;
  protected readonly isDragging = signal(false);
  protected readonly isSomeSelected = computed(() => this.selected().size > 0 && !this.isAllSelected());
  private readonly isNarrow = toSignal(
    inject(BreakpointObserver)
      .observe('(max-width: 719.98px)')
      .pipe(map((state) => state.matches)),
    { initialValue: false },
  );
  protected readonly columns = computed(() => (this.isNarrow() ? NARROW_COLUMNS : ALL_COLUMNS));

  constructor() {
    effect(() => {
      const path = normalizePath(this.path() ?? DEFAULT_FOLDER);
      untracked(() => {
        this.store.open(path);
      });
    });
    this.store.loadUsage();
  }

  protected openEntry(entry: FileEntry): void {
    if (entry.type === 'directory') {
      void this.router.navigate([], { queryParams: { path: entry.path } });
    } else if (previewKind(entry.contentType) !== null) {
      this.openPreview(entry);
    } else {
      this.store.download([entry]);
    }
  }

  protected canPreview(entry: FileEntry): boolean {
    return entry.type === 'file' && previewKind(entry.contentType) !== null;
  }

  protected openPreview(entry: FileEntry): void {
    this.dialog.open<PreviewDialog, PreviewDialogData>(PreviewDialog, {
      data: { entry },
      injector: this.injector,
      maxWidth: '95vw',
    });
  }

  protected changeSort(sort: Sort): void {
    if (SORTS.includes(sort.active)) {
      this.store.changeSort(sort.active as FileSort, sort.direction === 'desc' ? 'desc' : 'asc');
    }
  }

  protected changePage(event: PageEvent): void {
    this.store.changePage(event.pageIndex, event.pageSize);
  }

  protected toggleSelected(entry: FileEntry): void {
    this.store.toggleSelected(entry);
  }

  protected toggleAllSelected(): void {
    this.store.toggleAllSelected();
  }

  protected clearSelection(): void {
    this.store.clearSelection();
  }

  protected reload(): void {
    this.store.load();
  }

  // Uploads

  protected uploadPicked(input: HTMLInputElement): void {
    this.store.upload([...(input.files ?? [])]);
    input.value = '';
  }

  protected dragOver(event: DragEvent): void {
    if (!this.isWritableFolder() || !event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    this.isDragging.set(true);
  }

  protected dragLeave(event: DragEvent): void {
    const host = event.currentTarget as HTMLElement | null;
    if (!host?.contains(event.relatedTarget as Node | null)) this.isDragging.set(false);
  }

  protected dropFiles(event: DragEvent): void {
    event.preventDefault();
    this.isDragging.set(false);
    const transfer = event.dataTransfer;
    if (!transfer || !this.isWritableFolder()) return;
    // Dropped folders arrive as File objects too; only plain files are uploaded here.
    const items = [...transfer.items];
    const files = [...transfer.files].filter((_, i) => items[i]?.webkitGetAsEntry()?.isDirectory !== true);
    this.store.upload(files);
  }

  protected cancelUpload(upload: UploadItem): void {
    this.store.cancelUpload(upload.id);
  }

  protected replaceUpload(upload: UploadItem): void {
    this.store.retryUpload(upload.id, true);
  }

  protected retryUpload(upload: UploadItem): void {
    this.store.retryUpload(upload.id, false);
  }

  protected clearFinishedUploads(): void {
    this.store.clearFinishedUploads();
  }

  protected uploadPercent(upload: UploadItem): number {
    return upload.size === 0 ? 100 : Math.round((upload.loaded / upload.size) * 100);
  }

  // Actions

  protected download(entries: readonly FileEntry[]): void {
    this.store.download(entries);
  }

  protected openNewFolderDialog(): void {
    this.openPathDialog({
      title: 'New folder',
      label: 'Folder name',
      value: '',
      confirmLabel: 'Create',
      kind: 'name',
      submit: (name) => this.store.createFolder(name),
    });
  }

  protected openRenameDialog(entry: FileEntry): void {
    this.openPathDialog({
      title: `Rename ${entry.name}`,
      label: 'New name',
      value: entry.name,
      confirmLabel: 'Rename',
      kind: 'name',
      submit: (name) => this.store.rename(entry, name),
    });
  }

  protected openTransferDialog(op: 'move' | 'copy', entries: readonly FileEntry[]): void {
    const isOne = entries.length === 1;
    const verb = op === 'move' ? 'Move' : 'Copy';
    this.openPathDialog({
      title: isOne ? `${verb} ${entries[0]?.name ?? ''}` : `${verb} ${entries.length} items`,
      label: isOne ? 'New path' : 'Into folder',
      hint: isOne
        ? 'The full path it gets, such as /home/archive/report.pdf.'
        : 'A folder such as /home/archive or /media/photos.',
      value: isOne ? (entries[0]?.path ?? '') : this.folder(),
      confirmLabel: verb,
      kind: 'path',
      submit: (target) => this.store.transfer(op, entries, target),
    });
  }

  protected confirmDelete(entries: readonly FileEntry[]): void {
    const isOne = entries.length === 1;
    const hasFolders = entries.some((e) => e.type === 'directory');
    const data: ConfirmDialogData = {
      title: isOne ? `Delete ${entries[0]?.name ?? ''}?` : `Delete ${entries.length} items?`,
      message: `${hasFolders ? 'Folders are deleted with everything in them. ' : ''}This cannot be undone.`,
      confirmLabel: 'Delete',
    };
    this.dialog
      .open<ConfirmDialog, ConfirmDialogData, boolean>(ConfirmDialog, { data })
      .afterClosed()
      .subscribe((isConfirmed) => {
        if (isConfirmed === true) this.store.delete(entries);
      });
  }

  private openPathDialog(data: PathDialogData): void {
    this.dialog.open(PathDialog, { data, injector: this.injector, width: '480px', maxWidth: '95vw' });
  }
}
