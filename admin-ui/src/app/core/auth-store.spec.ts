import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { AuthStore, REFRESH_TOKEN_STORAGE } from './auth-store';
import { MemoryStorage, UNAUTHENTICATED_BODY, makeSession, makeUser, unauthenticated } from './testing';

describe('AuthStore', () => {
  let auth: AuthStore;
  let http: HttpTestingController;
  let storage: MemoryStorage;

  beforeEach(() => {
    storage = new MemoryStorage();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: REFRESH_TOKEN_STORAGE, useValue: storage },
      ],
    });
    auth = TestBed.inject(AuthStore);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    http.verify();
  });

  it('keeps the access token in memory and the refresh token in storage after login', () => {
    auth.login('admin', 'pw').subscribe();
    http.expectOne('/api/auth/login').flush(makeSession(1));
    expect(auth.accessToken()).toBe('access-1');
    expect(auth.isLoggedIn()).toBeTrue();
    expect(auth.isAdmin()).toBeTrue();
    expect(storage.getItem('baluhost.refreshToken')).toBe('refresh-1');
    expect(storage.length).toBe(1);
  });

  it('knows a plain user is not an admin', () => {
    auth.login('bob', 'pw').subscribe();
    http.expectOne('/api/auth/login').flush(makeSession(1, makeUser({ username: 'bob', role: 'user' })));
    expect(auth.isAdmin()).toBeFalse();
  });

  it('restores the session from the stored refresh token after a reload', () => {
    storage.setItem('baluhost.refreshToken', 'refresh-0');
    let restored: boolean | undefined;
    auth.restore().subscribe((ok) => (restored = ok));
    const req = http.expectOne('/api/auth/refresh');
    expect(req.request.body).toEqual({ refreshToken: 'refresh-0' });
    req.flush(makeSession(1));
    expect(restored).toBeTrue();
    expect(auth.user()?.username).toBe('admin');
    expect(storage.getItem('baluhost.refreshToken')).toBe('refresh-1');
  });

  it('reports no session without a refresh token, asking nobody', () => {
    let restored: boolean | undefined;
    auth.restore().subscribe((ok) => (restored = ok));
    expect(restored).toBeFalse();
  });

  it('shares one refresh between concurrent callers', () => {
    storage.setItem('baluhost.refreshToken', 'refresh-0');
    const tokens: string[] = [];
    auth.refresh().subscribe((t) => tokens.push(t));
    auth.refresh().subscribe((t) => tokens.push(t));
    http.expectOne('/api/auth/refresh').flush(makeSession(1));
    expect(tokens).toEqual(['access-1', 'access-1']);
    // The next refresh is a new one, with the rotated token.
    auth.refresh().subscribe();
    expect(http.expectOne('/api/auth/refresh').request.body).toEqual({ refreshToken: 'refresh-1' });
  });

  it('forgets the session when the server refuses the refresh token', () => {
    storage.setItem('baluhost.refreshToken', 'refresh-0');
    let failed = false;
    auth.refresh().subscribe({ error: () => (failed = true) });
    http.expectOne('/api/auth/refresh').flush(UNAUTHENTICATED_BODY, unauthenticated());
    expect(failed).toBeTrue();
    expect(auth.isLoggedIn()).toBeFalse();
    expect(storage.getItem('baluhost.refreshToken')).toBeNull();
  });

  it('logs out on the server with the refresh token and forgets everything', () => {
    auth.login('admin', 'pw').subscribe();
    http.expectOne('/api/auth/login').flush(makeSession(1));
    let done = false;
    auth.logout().subscribe({ complete: () => (done = true) });
    const req = http.expectOne('/api/auth/logout');
    expect(req.request.body).toEqual({ refreshToken: 'refresh-1' });
    req.flush(null, { status: 204, statusText: 'No Content' });
    expect(done).toBeTrue();
    expect(auth.isLoggedIn()).toBeFalse();
    expect(storage.getItem('baluhost.refreshToken')).toBeNull();
  });

  it('forgets the session even when the logout request fails', () => {
    auth.login('admin', 'pw').subscribe();
    http.expectOne('/api/auth/login').flush(makeSession(1));
    auth.logout().subscribe();
    http.expectOne('/api/auth/logout').flush(null, { status: 0, statusText: 'Unknown Error' });
    expect(auth.isLoggedIn()).toBeFalse();
  });
});
