import { DOCUMENT, InjectionToken, inject } from '@angular/core';

/** Saves a blob as a file through the browser's download (a token, so that tests can watch it). */
export type BlobDownloader = (blob: Blob, filename: string) => void;

export const BLOB_DOWNLOADER = new InjectionToken<BlobDownloader>('BLOB_DOWNLOADER', {
  providedIn: 'root',
  factory: () => {
    const document = inject(DOCUMENT);
    return (blob, filename) => {
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename;
      link.style.display = 'none';
      document.body.append(link);
      link.click();
      link.remove();
      // Revoke after the click has been handled: Firefox starts the download asynchronously.
      setTimeout(() => {
        URL.revokeObjectURL(url);
      }, 1000);
    };
  },
});
