import { Injectable, computed, inject, signal } from '@angular/core';
import { finalize } from 'rxjs';
import { ApiClient, type AuditEntry, type AuditFilters } from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { Notifier } from '../../core/notifier';
import { BLOB_DOWNLOADER } from '../../shared/blob-download';

export const AUDIT_PAGE_SIZE = 50;

/**
 * The audit log, newest first, one page at a time. The API pages by cursor (entries older than it), so
 * "newer" goes back through the cursors of the pages already seen.
 */
@Injectable()
export class AuditStore {
  private readonly api = inject(ApiClient);
  private readonly notifier = inject(Notifier);
  private readonly download = inject(BLOB_DOWNLOADER);

  private readonly filtersState = signal<AuditFilters>({});
  /** Cursors of the pages from the newest to the current one; undefined is the first page. */
  private readonly cursorsState = signal<readonly (number | undefined)[]>([undefined]);
  private readonly entriesState = signal<readonly AuditEntry[]>([]);
  private readonly nextCursorState = signal<number | null>(null);
  private readonly isLoadingState = signal(false);
  private readonly isExportingState = signal(false);
  private readonly problemState = signal<ApiProblem | null>(null);

  readonly filters = this.filtersState.asReadonly();
  readonly entries = this.entriesState.asReadonly();
  readonly isLoading = this.isLoadingState.asReadonly();
  readonly isExporting = this.isExportingState.asReadonly();
  readonly problem = this.problemState.asReadonly();
  /** 1 for the newest page. */
  readonly pageNumber = computed(() => this.cursorsState().length);
  readonly hasNewer = computed(() => this.cursorsState().length > 1);
  readonly hasOlder = computed(() => this.nextCursorState() !== null);

  /** New filters start again at the newest entries. */
  applyFilters(filters: AuditFilters): void {
    this.filtersState.set(filters);
    this.cursorsState.set([undefined]);
    this.load();
  }

  showOlder(): void {
    const next = this.nextCursorState();
    if (next === null) return;
    this.cursorsState.update((cursors) => [...cursors, next]);
    this.load();
  }

  showNewer(): void {
    if (!this.hasNewer()) return;
    this.cursorsState.update((cursors) => cursors.slice(0, -1));
    this.load();
  }

  load(): void {
    this.isLoadingState.set(true);
    this.api
      .audit({ ...this.filtersState(), cursor: this.cursorsState().at(-1), limit: AUDIT_PAGE_SIZE })
      .pipe(
        finalize(() => {
          this.isLoadingState.set(false);
        }),
      )
      .subscribe({
        next: (page) => {
          this.entriesState.set(page.items);
          this.nextCursorState.set(page.nextCursor);
          this.problemState.set(null);
        },
        error: (err: unknown) => {
          this.problemState.set(toApiProblem(err));
        },
      });
  }

  /** Every entry matching the filters, as a CSV file the browser saves. */
  exportCsv(): void {
    this.isExportingState.set(true);
    this.api
      .exportAuditCsv(this.filtersState())
      .pipe(
        finalize(() => {
          this.isExportingState.set(false);
        }),
      )
      .subscribe({
        next: (blob) => {
          this.download(blob, `baluhost-audit-${new Date().toISOString().slice(0, 10)}.csv`);
        },
        error: (err: unknown) => {
          this.notifier.error(err);
        },
      });
  }
}
