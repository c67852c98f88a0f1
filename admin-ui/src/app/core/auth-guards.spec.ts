import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import {
  type ActivatedRouteSnapshot,
  type CanActivateFn,
  type GuardResult,
  type RouterStateSnapshot,
  UrlTree,
  provideRouter,
} from '@angular/router';
import { type Observable, isObservable, of } from 'rxjs';
import { adminGuard, authGuard } from './auth-guards';
import { REFRESH_TOKEN_STORAGE } from './auth-store';
import { MemoryStorage, makeSession, makeUser } from './testing';

describe('route guards', () => {
  let storage: MemoryStorage;
  let http: HttpTestingController;

  beforeEach(() => {
    storage = new MemoryStorage();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: REFRESH_TOKEN_STORAGE, useValue: storage },
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });

  function run(guard: CanActivateFn, url: string): GuardResult | undefined {
    const result = TestBed.runInInjectionContext(() =>
      guard({} as ActivatedRouteSnapshot, { url } as RouterStateSnapshot),
    );
    let value: GuardResult | undefined;
    (isObservable(result) ? result : of(result as GuardResult)).subscribe((v) => (value = v));
    return value;
  }

  it('sends a visitor without a session to the login page, remembering where they were going', () => {
    const result = run(authGuard, '/users?x=1');
    expect(result).toBeInstanceOf(UrlTree);
    expect((result as UrlTree).toString()).toBe('/login?returnUrl=%2Fusers%3Fx%3D1');
  });

  it('lets a reload through by restoring the session from the refresh token', () => {
    storage.setItem('baluhost.refreshToken', 'refresh-0');
    let result: GuardResult | undefined;
    (
      TestBed.runInInjectionContext(() =>
        authGuard({} as ActivatedRouteSnapshot, { url: '/' } as RouterStateSnapshot),
      ) as Observable<GuardResult>
    ).subscribe((v) => (result = v));
    http.expectOne('/api/auth/refresh').flush(makeSession(1));
    expect(result).toBeTrue();
  });

  it('sends a user who is not an admin to the dashboard', () => {
    storage.setItem('baluhost.refreshToken', 'refresh-0');
    let result: GuardResult | undefined;
    (
      TestBed.runInInjectionContext(() =>
        adminGuard({} as ActivatedRouteSnapshot, { url: '/users' } as RouterStateSnapshot),
      ) as Observable<GuardResult>
    ).subscribe((v) => (result = v));
    http.expectOne('/api/auth/refresh').flush(makeSession(1, makeUser({ role: 'user' })));
    expect((result as UrlTree).toString()).toBe('/');
  });
});
