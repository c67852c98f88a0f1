import {
  HttpErrorResponse,
  type HttpEvent,
  type HttpInterceptorFn,
  type HttpRequest,
} from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { type Observable, catchError, switchMap, throwError } from 'rxjs';
import { API_BASE } from './api-client';
import { AuthStore } from './auth-store';

/** Routes that take no bearer token and whose 401 means "wrong credentials", never "refresh". */
const PUBLIC_AUTH = [`${API_BASE}/auth/login`, `${API_BASE}/auth/refresh`];

/**
 * Adds the bearer token to API requests. On a 401 UNAUTHENTICATED it refreshes the access token once (all
 * requests failing together share one refresh) and retries; when the refresh fails it goes to the login page.
 */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  if (!req.url.startsWith(`${API_BASE}/`) || PUBLIC_AUTH.some((url) => req.url.startsWith(url))) {
    return next(req);
  }
  const auth = inject(AuthStore);
  const router = inject(Router);
  const sentToken = auth.accessToken();
  return next(withToken(req, sentToken)).pipe(
    catchError((err: unknown) => {
      if (!needsRefresh(err)) return throwError(() => err);
      // Another request refreshed while this one was in flight: retry with the new token, no new refresh.
      const current = auth.accessToken();
      if (current !== null && current !== sentToken) return next(withToken(req, current));
      return auth.refresh().pipe(
        catchError((refreshErr: unknown) => {
          void router.navigate(['/login'], { queryParams: { returnUrl: router.url } });
          return throwError(() => refreshErr);
        }),
        switchMap((token): Observable<HttpEvent<unknown>> => next(withToken(req, token))),
      );
    }),
  );
};

function withToken(req: HttpRequest<unknown>, token: string | null): HttpRequest<unknown> {
  return token === null ? req : req.clone({ setHeaders: { Authorization: `Bearer ${token}` } });
}

/** A 401 for a missing or expired token; INVALID_CREDENTIALS (a wrong old password) is the user's mistake. */
function needsRefresh(err: unknown): boolean {
  if (!(err instanceof HttpErrorResponse) || err.status !== 401) return false;
  const code = (err.error as { error?: { code?: unknown } } | null)?.error?.code;
  return code === undefined || code === 'UNAUTHENTICATED';
}
