import { HttpClient, HttpErrorResponse, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { authInterceptor } from './auth-interceptor';
import { AuthStore, REFRESH_TOKEN_STORAGE } from './auth-store';
import { MemoryStorage, UNAUTHENTICATED_BODY, makeSession, unauthenticated } from './testing';

describe('authInterceptor', () => {
  let http: HttpTestingController;
  let client: HttpClient;
  let auth: AuthStore;
  let router: Router;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        { provide: REFRESH_TOKEN_STORAGE, useValue: new MemoryStorage() },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    client = TestBed.inject(HttpClient);
    auth = TestBed.inject(AuthStore);
    router = TestBed.inject(Router);
    spyOn(router, 'navigate').and.resolveTo(true);
    auth.login('admin', 'pw').subscribe();
    http.expectOne('/api/auth/login').flush(makeSession(1));
  });

  afterEach(() => {
    http.verify();
  });

  it('adds the bearer token to API requests', () => {
    client.get('/api/users').subscribe();
    expect(http.expectOne('/api/users').request.headers.get('Authorization')).toBe('Bearer access-1');
  });

  it('sends no token to the login and refresh routes, nor off the API', () => {
    client.post('/api/auth/refresh', {}).subscribe();
    client.get('/assets/x.json').subscribe();
    expect(http.expectOne('/api/auth/refresh').request.headers.has('Authorization')).toBeFalse();
    expect(http.expectOne('/assets/x.json').request.headers.has('Authorization')).toBeFalse();
  });

  it('refreshes once on 401 and retries with the new token', () => {
    let body: unknown;
    client.get('/api/users').subscribe((b) => (body = b));
    http.expectOne('/api/users').flush(UNAUTHENTICATED_BODY, unauthenticated());
    const refresh = http.expectOne('/api/auth/refresh');
    expect(refresh.request.body).toEqual({ refreshToken: 'refresh-1' });
    refresh.flush(makeSession(2));
    const retry = http.expectOne('/api/users');
    expect(retry.request.headers.get('Authorization')).toBe('Bearer access-2');
    retry.flush({ items: [], total: 0 });
    expect(body).toEqual({ items: [], total: 0 });
  });

  it('shares one refresh between requests that fail together', () => {
    const results: string[] = [];
    client.get('/api/users').subscribe(() => results.push('users'));
    client.get('/api/groups').subscribe(() => results.push('groups'));
    client.get('/api/audit').subscribe(() => results.push('audit'));
    for (const url of ['/api/users', '/api/groups', '/api/audit']) {
      http.expectOne(url).flush(UNAUTHENTICATED_BODY, unauthenticated());
    }
    const refreshes = http.match('/api/auth/refresh');
    expect(refreshes.length).toBe(1);
    refreshes[0]?.flush(makeSession(2));
    for (const url of ['/api/users', '/api/groups', '/api/audit']) {
      const retry = http.expectOne(url);
      expect(retry.request.headers.get('Authorization')).toBe('Bearer access-2');
      retry.flush({});
    }
    expect(results.sort()).toEqual(['audit', 'groups', 'users']);
  });

  it('retries without a new refresh when another request already refreshed', () => {
    client.get('/api/users').subscribe();
    client.get('/api/groups').subscribe();
    http.expectOne('/api/users').flush(UNAUTHENTICATED_BODY, unauthenticated());
    http.expectOne('/api/auth/refresh').flush(makeSession(2));
    http.expectOne('/api/users').flush({});
    // The second request was sent with the old token and fails after the refresh finished.
    http.expectOne('/api/groups').flush(UNAUTHENTICATED_BODY, unauthenticated());
    http.expectNone('/api/auth/refresh');
    expect(http.expectOne('/api/groups').request.headers.get('Authorization')).toBe('Bearer access-2');
  });

  it('does not refresh twice for one request: a second 401 is the answer', () => {
    let error: unknown;
    client.get('/api/users').subscribe({ error: (e: unknown) => (error = e) });
    http.expectOne('/api/users').flush(UNAUTHENTICATED_BODY, unauthenticated());
    http.expectOne('/api/auth/refresh').flush(makeSession(2));
    http.expectOne('/api/users').flush(UNAUTHENTICATED_BODY, unauthenticated());
    http.expectNone('/api/auth/refresh');
    expect((error as HttpErrorResponse).status).toBe(401);
  });

  it('goes to the login page and forgets the session when the refresh fails', () => {
    let error: unknown;
    client.get('/api/users').subscribe({ error: (e: unknown) => (error = e) });
    client.get('/api/groups').subscribe({ error: () => undefined });
    http.expectOne('/api/users').flush(UNAUTHENTICATED_BODY, unauthenticated());
    http.expectOne('/api/groups').flush(UNAUTHENTICATED_BODY, unauthenticated());
    http.expectOne('/api/auth/refresh').flush(UNAUTHENTICATED_BODY, unauthenticated());
    expect(error).toBeInstanceOf(HttpErrorResponse);
    expect(auth.isLoggedIn()).toBeFalse();
    expect(router.navigate).toHaveBeenCalledWith(['/login'], jasmine.anything());
  });

  it('passes a wrong-password 401 through without refreshing', () => {
    let error: unknown;
    client.put('/api/me/password', {}).subscribe({ error: (e: unknown) => (error = e) });
    http
      .expectOne('/api/me/password')
      .flush(
        { error: { code: 'INVALID_CREDENTIALS', message: 'Wrong password.', requestId: 'r' } },
        unauthenticated(),
      );
    http.expectNone('/api/auth/refresh');
    expect((error as HttpErrorResponse).status).toBe(401);
    expect(auth.isLoggedIn()).toBeTrue();
  });
});
