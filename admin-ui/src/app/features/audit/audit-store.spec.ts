import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { AuditEntry } from '../../core/api-client';
import { BLOB_DOWNLOADER } from '../../shared/blob-download';
import { AUDIT_PAGE_SIZE, AuditStore } from './audit-store';

function entry(id: number): AuditEntry {
  return {
    id,
    at: '2026-01-01T00:00:00.000Z',
    actor: 'admin',
    actorId: 1,
    address: '127.0.0.1',
    protocol: 'api',
    action: 'user.create',
    target: `u${id}`,
    result: 'success',
    details: null,
  };
}

describe('AuditStore', () => {
  let store: AuditStore;
  let http: HttpTestingController;
  let downloads: { blob: Blob; filename: string }[];

  beforeEach(() => {
    downloads = [];
    TestBed.configureTestingModule({
      providers: [
        AuditStore,
        provideHttpClient(),
        provideHttpClientTesting(),
        {
          provide: BLOB_DOWNLOADER,
          useValue: (blob: Blob, filename: string) => downloads.push({ blob, filename }),
        },
      ],
    });
    store = TestBed.inject(AuditStore);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    http.verify();
  });

  function expectPage(cursor: string | null) {
    const req = http.expectOne((r) => r.url === '/api/audit');
    expect(req.request.params.get('cursor')).toBe(cursor);
    expect(req.request.params.get('limit')).toBe(String(AUDIT_PAGE_SIZE));
    return req;
  }

  it('pages older by the server cursor and newer back through the cursors seen', () => {
    store.applyFilters({ actor: 'admin' });
    expectPage(null).flush({ items: [entry(100), entry(99)], nextCursor: 99 });
    expect(store.hasNewer()).toBeFalse();
    expect(store.hasOlder()).toBeTrue();
    expect(store.pageNumber()).toBe(1);

    store.showOlder();
    const second = expectPage('99');
    expect(second.request.params.get('actor')).toBe('admin');
    second.flush({ items: [entry(98), entry(97)], nextCursor: 97 });
    expect(store.entries().map((e) => e.id)).toEqual([98, 97]);
    expect(store.pageNumber()).toBe(2);

    store.showOlder();
    expectPage('97').flush({ items: [entry(96)], nextCursor: null });
    expect(store.hasOlder()).toBeFalse();
    expect(store.hasNewer()).toBeTrue();

    store.showNewer();
    expectPage('99').flush({ items: [entry(98), entry(97)], nextCursor: 97 });
    store.showNewer();
    expectPage(null).flush({ items: [entry(100), entry(99)], nextCursor: 99 });
    expect(store.pageNumber()).toBe(1);
    expect(store.hasNewer()).toBeFalse();
  });

  it('does nothing at either end', () => {
    store.applyFilters({});
    expectPage(null).flush({ items: [entry(1)], nextCursor: null });
    store.showOlder();
    store.showNewer();
    http.expectNone((r) => r.url === '/api/audit');
  });

  it('starts again at the newest page when the filters change', () => {
    store.applyFilters({});
    expectPage(null).flush({ items: [entry(2)], nextCursor: 2 });
    store.showOlder();
    expectPage('2').flush({ items: [entry(1)], nextCursor: null });
    store.applyFilters({ result: 'failure' });
    const req = expectPage(null);
    expect(req.request.params.get('result')).toBe('failure');
    req.flush({ items: [], nextCursor: null });
    expect(store.pageNumber()).toBe(1);
  });

  it("keeps the server's message when a page fails", () => {
    store.applyFilters({});
    expectPage(null).flush(
      { error: { code: 'VALIDATION_FAILED', message: 'Invalid request query: from: bad.', requestId: 'r' } },
      { status: 400, statusText: 'Bad Request' },
    );
    expect(store.problem()?.message).toBe('Invalid request query: from: bad.');
  });

  it('exports the filtered log as a CSV download', () => {
    store.applyFilters({ protocol: 'webdav' });
    expectPage(null).flush({ items: [], nextCursor: null });
    store.exportCsv();
    expect(store.isExporting()).toBeTrue();
    const req = http.expectOne((r) => r.url === '/api/audit' && r.params.get('format') === 'csv');
    expect(req.request.params.get('protocol')).toBe('webdav');
    req.flush(new Blob(['id,at\r\n'], { type: 'text/csv' }));
    expect(store.isExporting()).toBeFalse();
    expect(downloads.length).toBe(1);
    expect(downloads[0]?.filename).toMatch(/^baluhost-audit-\d{4}-\d{2}-\d{2}\.csv$/);
  });
});
