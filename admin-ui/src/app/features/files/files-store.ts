import { HttpEventType } from '@angular/common/http';
import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import {
  type Observable,
  type Subscription,
  concatMap,
  defer,
  finalize,
  from,
  map,
  of,
  switchMap,
  tap,
  toArray,
} from 'rxjs';
import { ApiClient, type FileEntry, type FileSort, type SortOrder, type Usage } from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { Notifier } from '../../core/notifier';
import { BLOB_DOWNLOADER } from '../../shared/blob-download';
import {
  DEFAULT_FOLDER,
  type PreviewKind,
  breadcrumbs,
  isVirtualFolder,
  joinPath,
  parentPath,
  previewKind,
} from './file-paths';

export const FILES_PAGE_SIZES = [25, 50, 100, 250] as const;

/** Text previews stop here: a <pre> of megabytes helps nobody. */
export const TEXT_PREVIEW_LIMIT = 256 * 1024;

export type UploadStatus = 'uploading' | 'done' | 'failed' | 'cancelled';

/** One file being uploaded (or finished), for the upload list with its progress bar. */
export interface UploadItem {
  readonly id: number;
  readonly name: string;
  /** Where it goes: the folder open when it was dropped, plus its name. */
  readonly path: string;
  readonly size: number;
  readonly loaded: number;
  readonly status: UploadStatus;
  readonly problem: ApiProblem | null;
}

export type Preview =
  | { readonly kind: 'image'; readonly url: string }
  | { readonly kind: 'text'; readonly text: string; readonly isTruncated: boolean }
  | { readonly kind: 'pdf'; readonly blob: Blob };

/** The files page: one server-side page of a folder, the selection, uploads, and what can be done to files. */
@Injectable()
export class FilesStore {
  private readonly api = inject(ApiClient);
  private readonly notifier = inject(Notifier);
  private readonly downloadBlob = inject(BLOB_DOWNLOADER);

  private readonly pathState = signal(DEFAULT_FOLDER);
  private readonly entriesState = signal<readonly FileEntry[]>([]);
  private readonly totalState = signal(0);
  private readonly sortState = signal<FileSort>('name');
  private readonly orderState = signal<SortOrder>('asc');
  private readonly pageIndexState = signal(0);
  private readonly pageSizeState = signal<number>(100);
  private readonly isLoadingState = signal(false);
  private readonly problemState = signal<ApiProblem | null>(null);
  private readonly selectedState = signal<ReadonlySet<string>>(new Set());
  private readonly usageState = signal<Usage | null>(null);
  private readonly uploadsState = signal<readonly UploadItem[]>([]);
  private readonly uploadFiles = new Map<number, { file: File; subscription: Subscription | null }>();
  private nextUploadId = 1;
  private loadSubscription: Subscription | null = null;

  readonly path = this.pathState.asReadonly();
  readonly entries = this.entriesState.asReadonly();
  readonly total = this.totalState.asReadonly();
  readonly sort = this.sortState.asReadonly();
  readonly order = this.orderState.asReadonly();
  readonly pageIndex = this.pageIndexState.asReadonly();
  readonly pageSize = this.pageSizeState.asReadonly();
  readonly isLoading = this.isLoadingState.asReadonly();
  readonly problem = this.problemState.asReadonly();
  readonly selected = this.selectedState.asReadonly();
  readonly usage = this.usageState.asReadonly();
  readonly uploads = this.uploadsState.asReadonly();

  readonly crumbs = computed(() => breadcrumbs(this.pathState()));
  /** Whether files can be put here at all (not at the top, not in the list of homes). */
  readonly isWritableFolder = computed(() => !isVirtualFolder(this.pathState()));
  readonly selectedEntries = computed(() => {
    const selected = this.selectedState();
    return this.entriesState().filter((e) => selected.has(e.path));
  });
  readonly isAllSelected = computed(() => {
    const entries = this.entriesState();
    return entries.length > 0 && entries.every((e) => this.selectedState().has(e.path));
  });
  readonly hasUploadsInProgress = computed(() => this.uploadsState().some((u) => u.status === 'uploading'));

  constructor() {
    // Leaving the page aborts what is still uploading; the server discards the partial files.
    inject(DestroyRef).onDestroy(() => {
      for (const { subscription } of this.uploadFiles.values()) subscription?.unsubscribe();
      this.loadSubscription?.unsubscribe();
    });
  }

  /** Opens a folder at its first page, with nothing selected. */
  open(path: string): void {
    this.pathState.set(path);
    this.pageIndexState.set(0);
    this.selectedState.set(new Set());
    this.load();
  }

  /** Loads the current page; an empty page after deletions steps back to the last page. */
  load(): void {
    this.loadSubscription?.unsubscribe();
    this.isLoadingState.set(true);
    const limit = this.pageSizeState();
    const path = this.pathState();
    this.loadSubscription = this.api
      .listFiles({
        path,
        sort: this.sortState(),
        order: this.orderState(),
        offset: this.pageIndexState() * limit,
        limit,
      })
      .pipe(
        finalize(() => {
          this.isLoadingState.set(false);
        }),
      )
      .subscribe({
        next: (page) => {
          if (page.items.length === 0 && page.total > 0 && this.pageIndexState() > 0) {
            this.pageIndexState.set(Math.max(0, Math.ceil(page.total / limit) - 1));
            this.load();
            return;
          }
          this.entriesState.set(page.items);
          this.totalState.set(page.total);
          this.problemState.set(null);
          const present = new Set(page.items.map((e) => e.path));
          this.selectedState.update((s) => new Set([...s].filter((p) => present.has(p))));
        },
        error: (err: unknown) => {
          this.entriesState.set([]);
          this.totalState.set(0);
          this.problemState.set(toApiProblem(err));
        },
      });
  }

  loadUsage(): void {
    this.api.usage().subscribe({
      next: (usage) => {
        this.usageState.set(usage);
      },
      error: () => {
        // The quota bar stays hidden; the listing shows any real trouble.
        this.usageState.set(null);
      },
    });
  }

  changeSort(sort: FileSort, order: SortOrder): void {
    this.sortState.set(sort);
    this.orderState.set(order);
    this.pageIndexState.set(0);
    this.load();
  }

  changePage(pageIndex: number, pageSize: number): void {
    this.pageIndexState.set(pageSize === this.pageSizeState() ? pageIndex : 0);
    this.pageSizeState.set(pageSize);
    this.load();
  }

  toggleSelected(entry: FileEntry): void {
    this.selectedState.update((s) => {
      const next = new Set(s);
      if (!next.delete(entry.path)) next.add(entry.path);
      return next;
    });
  }

  toggleAllSelected(): void {
    this.selectedState.set(
      this.isAllSelected() ? new Set() : new Set(this.entriesState().map((e) => e.path)),
    );
  }

  clearSelection(): void {
    this.selectedState.set(new Set());
  }

  // Uploads

  /** Uploads files into the open folder, each with its own progress; an existing file is not replaced. */
  upload(files: readonly File[]): void {
    const folder = this.pathState();
    for (const file of files) {
      const id = this.nextUploadId++;
      this.uploadFiles.set(id, { file, subscription: null });
      this.uploadsState.update((list) => [
        ...list,
        {
          id,
          name: file.name,
          path: joinPath(folder, file.name),
          size: file.size,
          loaded: 0,
          status: 'uploading',
          problem: null,
        },
      ]);
      this.startUpload(id, false);
    }
  }

  /** Tries a failed upload again; `overwrite` replaces the file that is already there. */
  retryUpload(id: number, overwrite: boolean): void {
    if (!this.uploadFiles.has(id)) return;
    this.patchUpload(id, { status: 'uploading', loaded: 0, problem: null });
    this.startUpload(id, overwrite);
  }

  /** Stops an upload: the request is aborted and the server throws the partial file away. */
  cancelUpload(id: number): void {
    const item = this.uploadFiles.get(id);
    item?.subscription?.unsubscribe();
    this.patchUpload(id, { status: 'cancelled' });
  }

  /** Clears finished, failed and cancelled uploads from the list. */
  clearFinishedUploads(): void {
    const keep = this.uploadsState().filter((u) => u.status === 'uploading');
    for (const id of this.uploadFiles.keys()) {
      if (!keep.some((u) => u.id === id)) this.uploadFiles.delete(id);
    }
    this.uploadsState.set(keep);
  }

  private startUpload(id: number, overwrite: boolean): void {
    const entry = this.uploadFiles.get(id);
    const item = this.uploadsState().find((u) => u.id === id);
    if (!entry || !item) return;
    entry.subscription = this.api.uploadFile(item.path, entry.file, overwrite).subscribe({
      next: (event) => {
        if (event.type === HttpEventType.UploadProgress) {
          this.patchUpload(id, { loaded: event.loaded });
        } else if (event.type === HttpEventType.Response) {
          this.patchUpload(id, { status: 'done', loaded: item.size });
          if (parentPath(item.path) === this.pathState()) this.load();
          this.loadUsage();
        }
      },
      error: (err: unknown) => {
        this.patchUpload(id, { status: 'failed', problem: toApiProblem(err) });
      },
    });
  }

  private patchUpload(id: number, patch: Partial<UploadItem>): void {
    this.uploadsState.update((list) => list.map((u) => (u.id === id ? { ...u, ...patch } : u)));
  }

  // Files and folders

  /** Downloads files one after the other (folders are skipped: WebDAV or SMB suit whole folders). */
  download(entries: readonly FileEntry[]): void {
    const files = entries.filter((e) => e.type === 'file');
    if (files.length < entries.length) {
      this.notifier.info('Folders cannot be downloaded here; map the drive to copy whole folders.');
    }
    from(files)
      .pipe(concatMap((e) => this.api.fileContent(e.path).pipe(map((blob) => ({ blob, name: e.name })))))
      .subscribe({
        next: ({ blob, name }) => {
          this.downloadBlob(blob, name);
        },
        error: (err: unknown) => {
          this.notifier.error(err);
        },
      });
  }

  /** Creates a folder in the open folder; the caller shows errors on its form. */
  createFolder(name: string): Observable<FileEntry> {
    return this.api.mkdir(joinPath(this.pathState(), name)).pipe(
      tap((created) => {
        this.notifier.info(`Folder ${created.name} created.`);
        this.load();
      }),
    );
  }

  /** Renames in place; the caller shows errors. */
  rename(entry: FileEntry, name: string): Observable<void> {
    return this.api.moveFile(entry.path, joinPath(parentPath(entry.path), name)).pipe(
      map(() => undefined),
      tap(() => {
        this.notifier.info(`${entry.name} renamed to ${name}.`);
        this.load();
      }),
    );
  }

  /**
   * Moves or copies entries. One entry goes to `target` exactly (so a move can rename too); several go into
   * the folder `target`. Stops at the first failure; the listing is reloaded either way.
   */
  transfer(op: 'move' | 'copy', entries: readonly FileEntry[], target: string): Observable<void> {
    const pairs =
      entries.length === 1
        ? [{ from: entries[0]?.path ?? '', to: target }]
        : entries.map((e) => ({ from: e.path, to: joinPath(target, e.name) }));
    let done = 0;
    return defer(() => from(pairs)).pipe(
      concatMap((p) =>
        (op === 'move' ? this.api.moveFile(p.from, p.to) : this.api.copyFile(p.from, p.to)).pipe(
          tap(() => done++),
        ),
      ),
      toArray(),
      map(() => undefined),
      tap(() => {
        const what = pairs.length === 1 ? (entries[0]?.name ?? '') : `${pairs.length} items`;
        this.notifier.info(`${what} ${op === 'move' ? 'moved' : 'copied'} to ${target}.`);
      }),
      finalize(() => {
        if (done > 0) {
          this.load();
          this.loadUsage();
        }
      }),
    );
  }

  /** Deletes entries one after the other; a failure stops there and shows the server's message. */
  delete(entries: readonly FileEntry[]): void {
    let done = 0;
    from(entries)
      .pipe(
        concatMap((e) => this.api.deleteFile(e.path).pipe(tap(() => done++))),
        finalize(() => {
          this.load();
          this.loadUsage();
        }),
      )
      .subscribe({
        complete: () => {
          this.notifier.info(
            entries.length === 1 ? `${entries[0]?.name ?? ''} deleted.` : `${entries.length} items deleted.`,
          );
        },
        error: (err: unknown) => {
          this.notifier.error(err);
        },
      });
  }

  /** What a file looks like, fetched inline: images as data: URLs, text (the start of it), PDFs as blobs. */
  preview(entry: FileEntry): Observable<Preview> {
    const kind: PreviewKind | null = previewKind(entry.contentType);
    if (kind === null) return of();
    return this.api.fileContent(entry.path, true).pipe(switchMap((blob) => toPreview(kind, blob)));
  }
}

async function toPreview(kind: PreviewKind, blob: Blob): Promise<Preview> {
  switch (kind) {
    case 'image':
      // A data: URL: the console's Content-Security-Policy allows data: images, not blob: ones.
      return { kind, url: await dataUrl(blob) };
    case 'text':
      return {
        kind,
        text: await blob.slice(0, TEXT_PREVIEW_LIMIT).text(),
        isTruncated: blob.size > TEXT_PREVIEW_LIMIT,
      };
    case 'pdf':
      return {
        kind,
        blob: blob.type === 'application/pdf' ? blob : blob.slice(0, blob.size, 'application/pdf'),
      };
  }
}

function dataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      resolve(reader.result as string);
    };
    reader.onerror = () => {
      reject(reader.error ?? new Error('The file could not be read.'));
    };
    reader.readAsDataURL(blob);
  });
}
