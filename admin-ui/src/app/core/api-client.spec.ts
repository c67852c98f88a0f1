import { HttpErrorResponse, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { ApiClient, type AuditPage, type Page, type User } from './api-client';
import { toApiProblem } from './api-error';
import { makeUser } from './testing';

describe('ApiClient', () => {
  let api: ApiClient;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    api = TestBed.inject(ApiClient);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    http.verify();
  });

  it('logs in with a JSON body of username and password', () => {
    api.login('admin', 'secret-pw').subscribe();
    const req = http.expectOne('/api/auth/login');
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toEqual({ username: 'admin', password: 'secret-pw' });
  });

  it('pages users with limit and offset', () => {
    let page: Page<User> | undefined;
    api.listUsers(25, 50).subscribe((p) => (page = p));
    const req = http.expectOne((r) => r.url === '/api/users');
    expect(req.request.params.get('limit')).toBe('25');
    expect(req.request.params.get('offset')).toBe('50');
    req.flush({ items: [makeUser()], total: 51 });
    expect(page?.total).toBe(51);
    expect(page?.items[0]?.username).toBe('admin');
  });

  it('sends only the user fields that change', () => {
    api.updateUser(7, { quotaBytes: 1024, disabled: true }).subscribe();
    const req = http.expectOne('/api/users/7');
    expect(req.request.method).toBe('PATCH');
    expect(req.request.body).toEqual({ quotaBytes: 1024, disabled: true });
  });

  it('unwraps the group list', () => {
    let names: string[] = [];
    api.listGroups().subscribe((groups) => (names = groups.map((g) => g.name)));
    http
      .expectOne('/api/groups')
      .flush({ items: [{ id: 1, name: 'staff', description: '', members: [], createdAt: '' }] });
    expect(names).toEqual(['staff']);
  });

  it('leaves empty audit filters out of the query', () => {
    let page: AuditPage | undefined;
    api.audit({ actor: 'bob', action: '', cursor: 40, limit: 20 }).subscribe((p) => (page = p));
    const req = http.expectOne((r) => r.url === '/api/audit');
    expect(req.request.params.keys().sort()).toEqual(['actor', 'cursor', 'limit']);
    expect(req.request.params.get('cursor')).toBe('40');
    req.flush({ items: [], nextCursor: null });
    expect(page?.nextCursor).toBeNull();
  });

  it('exports the audit log as a CSV blob', () => {
    let blob: Blob | undefined;
    api.exportAuditCsv({ result: 'failure' }).subscribe((b) => (blob = b));
    const req = http.expectOne((r) => r.url === '/api/audit');
    expect(req.request.params.get('format')).toBe('csv');
    expect(req.request.params.get('result')).toBe('failure');
    expect(req.request.responseType).toBe('blob');
    req.flush(new Blob(['id,at\r\n'], { type: 'text/csv' }));
    expect(blob?.type).toBe('text/csv');
  });

  it('turns a CSV export error blob back into the server message', async () => {
    const failed = new Promise<unknown>((resolve) => {
      api.exportAuditCsv({}).subscribe({ error: resolve });
    });
    const body = { error: { code: 'FORBIDDEN', message: 'Admins only.', requestId: 'r9' } };
    http
      .expectOne((r) => r.url === '/api/audit')
      .flush(new Blob([JSON.stringify(body)], { type: 'application/json' }), {
        status: 403,
        statusText: 'Forbidden',
      });
    const err = await failed;
    expect(err).toBeInstanceOf(HttpErrorResponse);
    expect(toApiProblem(err).message).toBe('Admins only.');
  });
});

describe('toApiProblem', () => {
  it('reads code, message and field details from the error body', () => {
    const problem = toApiProblem(
      new HttpErrorResponse({
        status: 400,
        error: {
          error: {
            code: 'VALIDATION_FAILED',
            message: 'Invalid request body: username: bad.',
            details: [{ field: 'username', message: 'bad' }, { nonsense: true }],
            requestId: 'abc',
          },
        },
      }),
    );
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.message).toBe('Invalid request body: username: bad.');
    expect(problem.details).toEqual([{ field: 'username', message: 'bad' }]);
    expect(problem.requestId).toBe('abc');
  });

  it('explains a network failure', () => {
    expect(toApiProblem(new HttpErrorResponse({ status: 0 })).code).toBe('NETWORK');
  });
});
