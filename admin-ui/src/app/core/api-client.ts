import { HttpClient, HttpErrorResponse, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { type Observable, catchError, from, map, switchMap, throwError } from 'rxjs';

// Shapes of BaluHost's API (server/src/api/routes/*.ts; /api/openapi.json is the reference).

export type Role = 'admin' | 'user';

export interface User {
  readonly id: number;
  readonly username: string;
  readonly email: string | null;
  readonly role: Role;
  readonly disabled: boolean;
  /** Quota in bytes; null means no quota. */
  readonly quotaBytes: number | null;
  readonly smbEnabled: boolean;
  readonly groups: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly user: User;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
}

export interface NewUser {
  readonly username: string;
  readonly password: string;
  readonly role?: Role;
  readonly email?: string | null;
  readonly groups?: readonly string[];
  readonly quotaBytes?: number | null;
  readonly smbEnabled?: boolean;
}

export interface UserChanges {
  readonly email?: string | null;
  readonly role?: Role;
  readonly groups?: readonly string[];
  readonly quotaBytes?: number | null;
  readonly disabled?: boolean;
  readonly smbEnabled?: boolean;
}

export interface Group {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly members: readonly string[];
  readonly createdAt: string;
}

export interface NewGroup {
  readonly name: string;
  readonly description?: string;
  readonly members?: readonly string[];
}

export type GroupChanges = Partial<NewGroup>;

export type AuditProtocol = 'api' | 'webdav' | 'smb' | 'cli' | 'system';
export type AuditResult = 'success' | 'failure' | 'denied';

export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: string | null;
  readonly actorId: number | null;
  readonly address: string | null;
  readonly protocol: string;
  readonly action: string;
  readonly target: string | null;
  readonly result: string;
  readonly details: Readonly<Record<string, unknown>> | null;
}

/** Filters of GET /api/audit; `from` and `to` are ISO-8601 date-times. */
export interface AuditFilters {
  readonly actor?: string;
  readonly action?: string;
  readonly protocol?: AuditProtocol;
  readonly result?: AuditResult;
  readonly from?: string;
  readonly to?: string;
}

export interface AuditQuery extends AuditFilters {
  /** The nextCursor of a previous page: entries older than it. */
  readonly cursor?: number;
  readonly limit?: number;
}

export interface AuditPage {
  readonly items: readonly AuditEntry[];
  readonly nextCursor: number | null;
}

export interface Health {
  readonly status: 'ok';
  readonly version: string;
}

export const API_BASE = '/api';

/** The one typed client of BaluHost's REST API; the auth interceptor adds the bearer token. */
@Injectable({ providedIn: 'root' })
export class ApiClient {
  private readonly http = inject(HttpClient);

  login(username: string, password: string): Observable<Session> {
    return this.http.post<Session>(`${API_BASE}/auth/login`, { username, password });
  }

  /** Trades a refresh token for a new pair; the old refresh token stops working. */
  refresh(refreshToken: string): Observable<Session> {
    return this.http.post<Session>(`${API_BASE}/auth/refresh`, { refreshToken });
  }

  logout(refreshToken: string | null): Observable<void> {
    return noContent(
      this.http.post(`${API_BASE}/auth/logout`, refreshToken === null ? {} : { refreshToken }),
    );
  }

  me(): Observable<User> {
    return this.http.get<User>(`${API_BASE}/auth/me`);
  }

  /** Every session of the caller ends on success. */
  changeOwnPassword(oldPassword: string, newPassword: string): Observable<void> {
    return noContent(this.http.put(`${API_BASE}/me/password`, { oldPassword, newPassword }));
  }

  health(): Observable<Health> {
    return this.http.get<Health>(`${API_BASE}/health`);
  }

  listUsers(limit: number, offset: number): Observable<Page<User>> {
    const params = new HttpParams().set('limit', limit).set('offset', offset);
    return this.http.get<Page<User>>(`${API_BASE}/users`, { params });
  }

  getUser(id: number): Observable<User> {
    return this.http.get<User>(`${API_BASE}/users/${id}`);
  }

  createUser(user: NewUser): Observable<User> {
    return this.http.post<User>(`${API_BASE}/users`, user);
  }

  updateUser(id: number, changes: UserChanges): Observable<User> {
    return this.http.patch<User>(`${API_BASE}/users/${id}`, changes);
  }

  /** Sets a user's password; their sessions end. */
  setUserPassword(id: number, password: string): Observable<void> {
    return noContent(this.http.post(`${API_BASE}/users/${id}/password`, { password }));
  }

  deleteUser(id: number): Observable<void> {
    return noContent(this.http.delete(`${API_BASE}/users/${id}`));
  }

  listGroups(): Observable<readonly Group[]> {
    return this.http.get<{ items: readonly Group[] }>(`${API_BASE}/groups`).pipe(map((body) => body.items));
  }

  createGroup(group: NewGroup): Observable<Group> {
    return this.http.post<Group>(`${API_BASE}/groups`, group);
  }

  updateGroup(id: number, changes: GroupChanges): Observable<Group> {
    return this.http.patch<Group>(`${API_BASE}/groups/${id}`, changes);
  }

  deleteGroup(id: number): Observable<void> {
    return noContent(this.http.delete(`${API_BASE}/groups/${id}`));
  }

  audit(query: AuditQuery): Observable<AuditPage> {
    return this.http.get<AuditPage>(`${API_BASE}/audit`, { params: auditParams(query) });
  }

  /** Every entry matching the filters as CSV (the server streams it). */
  exportAuditCsv(filters: AuditFilters): Observable<Blob> {
    return this.http
      .get(`${API_BASE}/audit`, {
        params: auditParams({ ...filters }).set('format', 'csv'),
        responseType: 'blob',
      })
      .pipe(
        catchError((err: unknown) =>
          from(withJsonErrorBody(err)).pipe(switchMap((e) => throwError(() => e))),
        ),
      );
  }
}

/** 204 answers: no body, just completion. */
function noContent(request: Observable<unknown>): Observable<void> {
  return request.pipe(map(() => undefined));
}

function auditParams(query: AuditQuery): HttpParams {
  let params = new HttpParams();
  for (const [key, value] of Object.entries(query) as [string, string | number | undefined][]) {
    if (value !== undefined && value !== '') params = params.set(key, value);
  }
  return params;
}

/** A blob request's error body arrives as a Blob: parse it so the error message can be shown. */
async function withJsonErrorBody(err: unknown): Promise<unknown> {
  if (!(err instanceof HttpErrorResponse) || !(err.error instanceof Blob)) return err;
  let body: unknown = null;
  try {
    body = JSON.parse(await err.error.text()) as unknown;
  } catch {
    // Not JSON (a proxy's error page): keep the status text only.
  }
  return new HttpErrorResponse({
    error: body,
    headers: err.headers,
    status: err.status,
    url: err.url ?? undefined,
  });
}
