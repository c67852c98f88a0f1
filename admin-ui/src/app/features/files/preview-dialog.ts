import {
  ChangeDetectionStrategy,
  Component,
  DOCUMENT,
  DestroyRef,
  computed,
  inject,
  signal,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { DomSanitizer } from '@angular/platform-browser';
import type { FileEntry } from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { ByteSizePipe } from '../../shared/byte-size';
import { FilesStore, type Preview } from './files-store';

export interface PreviewDialogData {
  readonly entry: FileEntry;
}

/** Shows an image, the start of a text file, or a PDF, fetched with the bearer token (never a plain URL). */
@Component({
  selector: 'bh-preview-dialog',
  imports: [ByteSizePipe, MatButtonModule, MatDialogModule, MatProgressBarModule],
  template: `
    <h2 mat-dialog-title>{{ entry.name }}</h2>
    <mat-dialog-content class="content">
      @if (problem(); as p) {
        <p class="bh-problem" role="alert">{{ p.message }}</p>
      } @else {
        @switch (preview()?.kind) {
          @case ('image') {
            <img [src]="imageUrl()" [alt]="'Preview of ' + entry.name" />
          }
          @case ('text') {
            <pre aria-label="Text preview">{{ text() }}</pre>
            @if (isTruncated()) {
              <p class="note">Only the start of the file is shown ({{ entry.size | byteSize }} in all).</p>
            }
          }
          @case ('pdf') {
            @if (isFrameBlocked()) {
              <p class="note" role="status">
                This server's Content-Security-Policy does not allow PDFs inside the page: open it in a new
                tab.
              </p>
            } @else {
              <iframe [src]="pdfUrl()" [title]="'Preview of ' + entry.name"></iframe>
            }
          }
          @default {
            <mat-progress-bar mode="indeterminate" aria-label="Loading the preview" />
          }
        }
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      @if (preview()?.kind === 'pdf') {
        <button mat-button type="button" (click)="openInNewTab()">Open in a new tab</button>
      }
      <button mat-button type="button" (click)="download()">Download</button>
      <button mat-flat-button type="button" mat-dialog-close>Close</button>
    </mat-dialog-actions>
  `,
  styles: `
    .content {
      min-width: min(480px, 80vw);
    }
    img {
      display: block;
      max-width: 100%;
      max-height: 70vh;
      margin: 0 auto;
      object-fit: contain;
    }
    pre {
      max-height: 70vh;
      margin: 0;
      padding: 12px;
      overflow: auto;
      border-radius: 8px;
      background: var(--mat-sys-surface-container-high);
      color: var(--mat-sys-on-surface);
      font:
        13px/1.45 ui-monospace,
        'DejaVu Sans Mono',
        monospace;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    iframe {
      display: block;
      width: min(900px, 80vw);
      height: 70vh;
      border: 0;
    }
    .note {
      color: var(--mat-sys-on-surface-variant);
      font: var(--mat-sys-body-small);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PreviewDialog {
  private readonly store = inject(FilesStore);
  private readonly sanitizer = inject(DomSanitizer);
  protected readonly entry = inject<PreviewDialogData>(MAT_DIALOG_DATA).entry;

  protected readonly preview = signal<Preview | null>(null);
  protected readonly problem = signal<ApiProblem | null>(null);
  /** The console's CSP refused to frame the blob: URL (it needs `frame-src blob:`); a new tab still works. */
  protected readonly isFrameBlocked = signal(false);
  private readonly document = inject(DOCUMENT);
  private objectUrl: string | null = null;

  protected readonly imageUrl = computed(() => {
    const p = this.preview();
    return p?.kind === 'image' ? p.url : '';
  });
  protected readonly text = computed(() => {
    const p = this.preview();
    return p?.kind === 'text' ? p.text : '';
  });
  protected readonly isTruncated = computed(() => {
    const p = this.preview();
    return p?.kind === 'text' && p.isTruncated;
  });
  protected readonly pdfUrl = computed(() => {
    const p = this.preview();
    if (p?.kind !== 'pdf') return null;
    this.revoke();
    this.objectUrl = URL.createObjectURL(p.blob);
    // A blob: URL this page just made from the server's bytes; the frame does not run as the console.
    return this.sanitizer.bypassSecurityTrustResourceUrl(this.objectUrl);
  });

  constructor() {
    const subscription = this.store.preview(this.entry).subscribe({
      next: (preview) => {
        this.preview.set(preview);
      },
      error: (err: unknown) => {
        this.problem.set(toApiProblem(err));
      },
    });
    const onViolation = (event: SecurityPolicyViolationEvent): void => {
      if (event.effectiveDirective === 'frame-src' && event.blockedURI.startsWith('blob')) {
        this.isFrameBlocked.set(true);
      }
    };
    this.document.addEventListener('securitypolicyviolation', onViolation);
    inject(DestroyRef).onDestroy(() => {
      subscription.unsubscribe();
      this.document.removeEventListener('securitypolicyviolation', onViolation);
      // A tab opened from here may still be reading the blob: let it finish first.
      const url = this.objectUrl;
      this.objectUrl = null;
      if (url !== null) {
        setTimeout(() => {
          URL.revokeObjectURL(url);
        }, 60_000);
      }
    });
  }

  protected openInNewTab(): void {
    const p = this.preview();
    if (p?.kind !== 'pdf') return;
    this.objectUrl ??= URL.createObjectURL(p.blob);
    this.document.defaultView?.open(this.objectUrl, '_blank', 'noopener');
  }

  protected download(): void {
    this.store.download([this.entry]);
  }

  private revoke(): void {
    if (this.objectUrl !== null) URL.revokeObjectURL(this.objectUrl);
    this.objectUrl = null;
  }
}
