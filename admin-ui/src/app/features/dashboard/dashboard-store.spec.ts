import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { AuthStore, REFRESH_TOKEN_STORAGE } from '../../core/auth-store';
import { MemoryStorage, makeSession, makeShare, makeUser } from '../../core/testing';
import { DashboardStore } from './dashboard-store';

describe('DashboardStore', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        DashboardStore,
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: REFRESH_TOKEN_STORAGE, useValue: new MemoryStorage() },
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    http.verify();
  });

  function logInAs(role: 'admin' | 'user'): void {
    TestBed.inject(AuthStore).login('u', 'pw').subscribe();
    http.expectOne('/api/auth/login').flush(makeSession(1, makeUser({ role })));
  }

  it("fills storage from /api/me/usage and, for admins, the shares' usage largest first", () => {
    logInAs('admin');
    const store = TestBed.inject(DashboardStore);
    store.load();
    http.expectOne('/api/health').flush({ status: 'ok', version: '1.0.0' });
    http.expectOne('/api/me/usage').flush({ usedBytes: 10, quotaBytes: 100, availableBytes: 90 });
    http.expectOne('/api/shares').flush({
      items: [makeShare({ id: 1, name: 'a', usedBytes: 5 }), makeShare({ id: 2, name: 'b', usedBytes: 50 })],
    });
    http.expectOne((r) => r.url === '/api/audit').flush({ items: [], nextCursor: null });
    expect(store.usage()).toEqual({ usedBytes: 10, quotaBytes: 100, availableBytes: 90 });
    expect(store.shares()?.map((s) => s.name)).toEqual(['b', 'a']);
  });

  it('asks users only for their own usage', () => {
    logInAs('user');
    const store = TestBed.inject(DashboardStore);
    store.load();
    http.expectOne('/api/health').flush({ status: 'ok', version: '1.0.0' });
    http
      .expectOne('/api/me/usage')
      .flush(
        { error: { code: 'INTERNAL', message: 'Usage is not available.' } },
        { status: 500, statusText: 'x' },
      );
    http.expectNone('/api/shares');
    expect(store.usageProblem()?.message).toBe('Usage is not available.');
    expect(store.shares()).toBeNull();
  });
});
