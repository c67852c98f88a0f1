import { Injectable, InjectionToken, computed, inject, signal } from '@angular/core';
import { type Observable, catchError, finalize, map, of, shareReplay, tap, throwError } from 'rxjs';
import { ApiClient, type SecondFactor, type Session, type User } from './api-client';

/**
 * Where the refresh token lives between page loads. sessionStorage: it survives a reload but not closing the
 * tab, it is not shared with other tabs (two tabs rotating one refresh token would trip the server's reuse
 * detection and end the login), and a 30-day token does not linger on a shared machine.
 */
export const REFRESH_TOKEN_STORAGE = new InjectionToken<Storage>('REFRESH_TOKEN_STORAGE', {
  providedIn: 'root',
  factory: () => sessionStorage,
});

const REFRESH_TOKEN_KEY = 'baluhost.refreshToken';

/**
 * The signed-in user and their tokens. The access token is kept in memory only (it lasts minutes and is
 * never needed after a reload: the refresh token gets a new one).
 */
@Injectable({ providedIn: 'root' })
export class AuthStore {
  private readonly api = inject(ApiClient);
  private readonly storage = inject(REFRESH_TOKEN_STORAGE);

  private readonly accessTokenState = signal<string | null>(null);
  private readonly userState = signal<User | null>(null);
  private refreshInFlight: Observable<string> | null = null;

  readonly user = this.userState.asReadonly();
  readonly isLoggedIn = computed(() => this.userState() !== null && this.accessTokenState() !== null);
  readonly isAdmin = computed(() => this.userState()?.role === 'admin');

  accessToken(): string | null {
    return this.accessTokenState();
  }

  hasRefreshToken(): boolean {
    return this.readRefreshToken() !== null;
  }

  /** Fails with 401 TOTP_REQUIRED when the account has two-factor login on and no second factor came. */
  login(username: string, password: string, secondFactor?: SecondFactor): Observable<User> {
    return this.api.login(username, password, secondFactor).pipe(
      tap((session) => {
        this.keep(session);
      }),
      map((session) => session.user),
    );
  }

  /**
   * A new access token from the refresh token. Single-flight: callers that ask while a refresh is under way
   * share it, since each refresh token works once. Fails (and forgets the session) when there is no refresh
   * token or the server refuses it.
   */
  refresh(): Observable<string> {
    if (this.refreshInFlight) return this.refreshInFlight;
    const refreshToken = this.readRefreshToken();
    if (refreshToken === null) return throwError(() => new Error('Not logged in.'));
    this.refreshInFlight = this.api.refresh(refreshToken).pipe(
      tap({
        next: (session) => {
          this.keep(session);
        },
        error: () => {
          this.forget();
        },
      }),
      map((session) => session.accessToken),
      finalize(() => {
        this.refreshInFlight = null;
      }),
      shareReplay({ bufferSize: 1, refCount: false }),
    );
    return this.refreshInFlight;
  }

  /** Whether there is a session, restoring it from the refresh token after a reload. */
  restore(): Observable<boolean> {
    if (this.isLoggedIn()) return of(true);
    if (!this.hasRefreshToken()) return of(false);
    return this.refresh().pipe(
      map(() => true),
      catchError(() => of(false)),
    );
  }

  /** Ends the login on the server (best effort) and forgets it here. */
  logout(): Observable<void> {
    const refreshToken = this.readRefreshToken();
    if (this.accessTokenState() === null) {
      this.forget();
      return of(undefined);
    }
    return this.api.logout(refreshToken).pipe(
      catchError(() => of(undefined)),
      finalize(() => {
        this.forget();
      }),
    );
  }

  /** Drops tokens and user without asking the server (after a password change, or a refused refresh). */
  forget(): void {
    this.accessTokenState.set(null);
    this.userState.set(null);
    this.storage.removeItem(REFRESH_TOKEN_KEY);
  }

  /** The server's copy of the user changed (e.g. an admin edited themselves). */
  updateUser(user: User): void {
    if (this.userState()?.id === user.id) this.userState.set(user);
  }

  private keep(session: Session): void {
    this.accessTokenState.set(session.accessToken);
    this.userState.set(session.user);
    this.storage.setItem(REFRESH_TOKEN_KEY, session.refreshToken);
  }

  private readRefreshToken(): string | null {
    return this.storage.getItem(REFRESH_TOKEN_KEY);
  }
}
