import { HttpEventType, provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
  type TestRequest,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { apiError, makeFile, makeFolder } from '../../core/testing';
import { BLOB_DOWNLOADER } from '../../shared/blob-download';
import { FilesStore } from './files-store';

describe('FilesStore', () => {
  let store: FilesStore;
  let http: HttpTestingController;
  let downloads: { blob: Blob; filename: string }[];

  beforeEach(() => {
    downloads = [];
    TestBed.configureTestingModule({
      providers: [
        FilesStore,
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        {
          provide: BLOB_DOWNLOADER,
          useValue: (blob: Blob, filename: string) => downloads.push({ blob, filename }),
        },
      ],
    });
    store = TestBed.inject(FilesStore);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    http.verify();
  });

  function expectList(): TestRequest {
    return http.expectOne((r) => r.method === 'GET' && r.url === '/api/files');
  }

  function openHome(): void {
    store.open('/home');
    expectList().flush({
      path: '/home',
      total: 2,
      items: [makeFolder('/home/docs'), makeFile('/home/a.txt')],
    });
  }

  it('asks the server for one sorted page of the folder', () => {
    store.open('/home/docs');
    const req = expectList();
    expect(req.request.params.get('path')).toBe('/home/docs');
    expect(req.request.params.get('sort')).toBe('name');
    expect(req.request.params.get('order')).toBe('asc');
    expect(req.request.params.get('offset')).toBe('0');
    expect(req.request.params.get('limit')).toBe('100');
    req.flush({ path: '/home/docs', total: 0, items: [] });

    store.changeSort('size', 'desc');
    const sorted = expectList();
    expect(sorted.request.params.get('sort')).toBe('size');
    expect(sorted.request.params.get('order')).toBe('desc');
    sorted.flush({ path: '/home/docs', total: 300, items: [] });

    store.changePage(2, 100);
    expect(expectList().request.params.get('offset')).toBe('200');
  });

  it("keeps the server's message when a folder cannot be listed", () => {
    store.open('/nope');
    expectList().flush(apiError('NOT_FOUND', '/nope does not exist.'), {
      status: 404,
      statusText: 'Not Found',
    });
    expect(store.problem()?.message).toBe('/nope does not exist.');
    expect(store.entries()).toEqual([]);
  });

  it('selects entries and drops vanished ones from the selection on reload', () => {
    openHome();
    store.toggleAllSelected();
    expect(store.selectedEntries().map((e) => e.name)).toEqual(['docs', 'a.txt']);
    expect(store.isAllSelected()).toBeTrue();
    store.load();
    expectList().flush({ path: '/home', total: 1, items: [makeFile('/home/a.txt')] });
    expect([...store.selected()]).toEqual(['/home/a.txt']);
    store.toggleSelected(makeFile('/home/a.txt'));
    expect(store.selected().size).toBe(0);
  });

  it('uploads a file as the raw body with progress, then reloads the folder and the usage', () => {
    openHome();
    const file = new File(['x'.repeat(1000)], 'big.bin');
    store.upload([file]);
    const put = http.expectOne((r) => r.method === 'PUT');
    expect(put.request.url).toBe('/api/files/content');
    expect(put.request.params.get('path')).toBe('/home/big.bin');
    expect(put.request.params.get('overwrite')).toBe('false');
    expect(put.request.body).toBe(file);
    expect(put.request.reportProgress).toBeTrue();
    put.event({ type: HttpEventType.UploadProgress, loaded: 400, total: 1000 });
    expect(store.uploads()[0]).toEqual(jasmine.objectContaining({ loaded: 400, status: 'uploading' }));
    expect(store.hasUploadsInProgress()).toBeTrue();
    put.flush(makeFile('/home/big.bin', { size: 1000 }), { status: 201, statusText: 'Created' });
    expect(store.uploads()[0]).toEqual(jasmine.objectContaining({ loaded: 1000, status: 'done' }));
    expectList().flush({ path: '/home', total: 0, items: [] });
    http.expectOne('/api/me/usage').flush({ usedBytes: 1000, quotaBytes: null, availableBytes: 5000 });
    expect(store.usage()?.usedBytes).toBe(1000);
  });

  it('cancels an upload by aborting its request', () => {
    openHome();
    store.upload([new File(['abc'], 'a.bin')]);
    const put = http.expectOne((r) => r.method === 'PUT');
    store.cancelUpload(store.uploads()[0]!.id);
    expect(put.cancelled).toBeTrue();
    expect(store.uploads()[0]?.status).toBe('cancelled');
    store.clearFinishedUploads();
    expect(store.uploads()).toEqual([]);
  });

  it("shows a refused upload's message (412: it exists) and replaces the file when asked", () => {
    openHome();
    store.upload([new File(['abc'], 'a.txt')]);
    http
      .expectOne((r) => r.method === 'PUT')
      .flush(apiError('PRECONDITION_FAILED', 'The file already exists (If-None-Match).'), {
        status: 412,
        statusText: 'Precondition Failed',
      });
    const failed = store.uploads()[0]!;
    expect(failed.status).toBe('failed');
    expect(failed.problem?.status).toBe(412);
    expect(failed.problem?.message).toBe('The file already exists (If-None-Match).');

    store.retryUpload(failed.id, true);
    const again = http.expectOne((r) => r.method === 'PUT');
    expect(again.request.params.get('overwrite')).toBe('true');
    again.flush(makeFile('/home/a.txt'), { status: 200, statusText: 'OK' });
    expect(store.uploads()[0]?.status).toBe('done');
    expectList().flush({ path: '/home', total: 0, items: [] });
    http.expectOne('/api/me/usage').flush({ usedBytes: 3, quotaBytes: 10, availableBytes: 7 });
  });

  it('keeps the 507 over-quota message on the upload', () => {
    openHome();
    store.upload([new File(['abc'], 'a.bin')]);
    http
      .expectOne((r) => r.method === 'PUT')
      .flush(apiError('QUOTA_EXCEEDED', 'The upload would exceed your quota of 1 GB.'), {
        status: 507,
        statusText: 'Insufficient Storage',
      });
    expect(store.uploads()[0]?.problem?.message).toBe('The upload would exceed your quota of 1 GB.');
  });

  it('moves one entry to an exact path, several into a folder, one after the other', () => {
    openHome();
    let isDone = false;
    store.transfer('move', [makeFile('/home/a.txt')], '/home/docs/b.txt').subscribe({
      complete: () => (isDone = true),
    });
    const one = http.expectOne('/api/files/move');
    expect(one.request.body).toEqual({ from: '/home/a.txt', to: '/home/docs/b.txt', overwrite: false });
    one.flush({ created: true });
    expect(isDone).toBeTrue();
    expectList().flush({ path: '/home', total: 0, items: [] });
    http.expectOne('/api/me/usage').flush({ usedBytes: 0, quotaBytes: null, availableBytes: 1 });

    store.transfer('copy', [makeFile('/home/a.txt'), makeFolder('/home/docs')], '/media').subscribe();
    const first = http.expectOne('/api/files/copy');
    expect(first.request.body).toEqual({ from: '/home/a.txt', to: '/media/a.txt', overwrite: false });
    first.flush({ created: true });
    const second = http.expectOne('/api/files/copy');
    expect(second.request.body).toEqual({ from: '/home/docs', to: '/media/docs', overwrite: false });
    second.flush({ created: true });
    expectList().flush({ path: '/home', total: 0, items: [] });
    http.expectOne('/api/me/usage').flush({ usedBytes: 0, quotaBytes: null, availableBytes: 1 });
  });

  it('passes a refused move to the caller (423 locked) and stops there', () => {
    openHome();
    let message = '';
    store.transfer('move', [makeFile('/home/a.txt'), makeFile('/home/b.txt')], '/home/docs').subscribe({
      error: (err: { error: { error: { message: string } } }) => (message = err.error.error.message),
    });
    http
      .expectOne('/api/files/move')
      .flush(apiError('LOCKED', '/home/a.txt is locked.'), { status: 423, statusText: 'Locked' });
    expect(message).toBe('/home/a.txt is locked.');
    http.expectNone('/api/files/move');
  });

  it('renames within the same folder', () => {
    openHome();
    store.rename(makeFile('/home/a.txt'), 'b.txt').subscribe();
    const req = http.expectOne('/api/files/move');
    expect(req.request.body).toEqual({ from: '/home/a.txt', to: '/home/b.txt', overwrite: false });
    req.flush({ created: true });
    expectList().flush({ path: '/home', total: 0, items: [] });
  });

  it('creates a folder in the open folder', () => {
    openHome();
    store.createFolder('new').subscribe();
    const req = http.expectOne('/api/files/mkdir');
    expect(req.request.body).toEqual({ path: '/home/new' });
    req.flush(makeFolder('/home/new'), { status: 201, statusText: 'Created' });
    expectList().flush({ path: '/home', total: 0, items: [] });
  });

  it('deletes several entries one after the other', () => {
    openHome();
    store.delete([makeFile('/home/a.txt'), makeFolder('/home/docs')]);
    const first = http.expectOne((r) => r.method === 'DELETE');
    expect(first.request.params.get('path')).toBe('/home/a.txt');
    first.flush(null, { status: 204, statusText: 'No Content' });
    const second = http.expectOne((r) => r.method === 'DELETE');
    expect(second.request.params.get('path')).toBe('/home/docs');
    second.flush(null, { status: 204, statusText: 'No Content' });
    expectList().flush({ path: '/home', total: 0, items: [] });
    http.expectOne('/api/me/usage').flush({ usedBytes: 0, quotaBytes: null, availableBytes: 1 });
  });

  it('downloads files with the bearer-token request, skipping folders', () => {
    openHome();
    store.download([makeFile('/home/a.txt'), makeFolder('/home/docs')]);
    const req = http.expectOne((r) => r.url === '/api/files/content');
    expect(req.request.params.get('path')).toBe('/home/a.txt');
    expect(req.request.params.has('inline')).toBeFalse();
    expect(req.request.responseType).toBe('blob');
    req.flush(new Blob(['hello']));
    expect(downloads.map((d) => d.filename)).toEqual(['a.txt']);
  });

  it('previews text inline, cut at the limit', async () => {
    const preview = new Promise((resolve) => {
      store.preview(makeFile('/home/a.txt')).subscribe(resolve);
    });
    const req = http.expectOne((r) => r.url === '/api/files/content');
    expect(req.request.params.get('inline')).toBe('true');
    req.flush(new Blob(['hello world']));
    expect(await preview).toEqual({ kind: 'text', text: 'hello world', isTruncated: false });
  });

  it('previews images as data: URLs (the console CSP allows those)', async () => {
    const preview = new Promise<unknown>((resolve) => {
      store.preview(makeFile('/home/p.png', { contentType: 'image/png' })).subscribe(resolve);
    });
    http.expectOne((r) => r.url === '/api/files/content').flush(new Blob(['png'], { type: 'image/png' }));
    expect(await preview).toEqual({ kind: 'image', url: 'data:image/png;base64,cG5n' });
  });
});
