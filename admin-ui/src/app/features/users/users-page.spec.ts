import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { HarnessLoader } from '@angular/cdk/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatDialogHarness } from '@angular/material/dialog/testing';
import { MatFormFieldHarness } from '@angular/material/form-field/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatPaginatorHarness } from '@angular/material/paginator/testing';
import { MatMenuHarness } from '@angular/material/menu/testing';
import { MatTableHarness } from '@angular/material/table/testing';
import { provideRouter } from '@angular/router';
import { AuthStore, REFRESH_TOKEN_STORAGE } from '../../core/auth-store';
import { MemoryStorage, makeSession, makeUser } from '../../core/testing';
import UsersPage from './users-page';

describe('UsersPage', () => {
  let http: HttpTestingController;
  let loader: HarnessLoader;
  let root: HarnessLoader;

  const users = [
    makeUser({ id: 1, username: 'admin', role: 'admin' }),
    makeUser({
      id: 2,
      username: 'bob',
      role: 'user',
      email: 'bob@example.org',
      groups: ['staff'],
      quotaBytes: 10 * 1024 ** 3,
      smbEnabled: true,
      disabled: true,
    }),
  ];

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: REFRESH_TOKEN_STORAGE, useValue: new MemoryStorage() },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(UsersPage);
    loader = TestbedHarnessEnvironment.loader(fixture);
    root = TestbedHarnessEnvironment.documentRootLoader(fixture);
    const list = http.expectOne((r) => r.url === '/api/users');
    expect(list.request.params.get('limit')).toBe('25');
    expect(list.request.params.get('offset')).toBe('0');
    list.flush({ items: users, total: 60 });
    await fixture.whenStable();
  });

  afterEach(async () => {
    const dialogs = await root.getAllHarnesses(MatDialogHarness);
    await Promise.all(dialogs.map((d) => d.close()));
    http.verify();
  });

  it('shows one row per user of the page', async () => {
    const table = await loader.getHarness(MatTableHarness);
    const rows = await table.getCellTextByColumnName();
    expect(rows['username']?.text).toEqual(['admin', 'bobbob@example.org']);
    expect(rows['role']?.text).toEqual(['Administrator', 'User']);
    expect(rows['quota']?.text).toEqual(['No limit', '10 GB']);
    expect(rows['status']?.text).toEqual(['Active', 'Disabled']);
  });

  it('asks the server for the next page', async () => {
    const paginator = await loader.getHarness(MatPaginatorHarness);
    expect(await paginator.getRangeLabel()).toBe('1 – 25 of 60');
    await paginator.goToNextPage();
    const next = http.expectOne((r) => r.url === '/api/users');
    expect(next.request.params.get('offset')).toBe('25');
    next.flush({ items: [makeUser({ id: 26, username: 'zed', role: 'user' })], total: 60 });
    expect(await paginator.getRangeLabel()).toBe('26 – 50 of 60');
  });

  async function openCreateDialog(): Promise<MatDialogHarness> {
    await (await loader.getHarness(MatButtonHarness.with({ text: /New user/ }))).click();
    http.expectOne('/api/groups').flush({ items: [] });
    return root.getHarness(MatDialogHarness);
  }

  async function fill(dialog: MatDialogHarness, label: string, value: string): Promise<void> {
    const field = await dialog.getHarness(MatFormFieldHarness.with({ floatingLabelText: label }));
    const input = (await field.getControl(MatInputHarness))!;
    await input.setValue(value);
    await input.blur();
  }

  async function errorsOf(dialog: MatDialogHarness, label: string): Promise<string[]> {
    const field = await dialog.getHarness(MatFormFieldHarness.with({ floatingLabelText: label }));
    return field.getTextErrors();
  }

  it('refuses a bad username and a short password without asking the server', async () => {
    const dialog = await openCreateDialog();
    await fill(dialog, 'Username', 'Bob Smith');
    await fill(dialog, 'Password', 'short');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Create user' }))).click();
    expect(await errorsOf(dialog, 'Username')).toEqual([
      'Start with a lower-case letter or _, then use only a-z, 0-9, _, . and -.',
    ]);
    expect(await errorsOf(dialog, 'Password')).toEqual(['At least 8 characters.']);
    http.expectNone((r) => r.method === 'POST');
  });

  it('requires a username and a password', async () => {
    const dialog = await openCreateDialog();
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Create user' }))).click();
    expect(await errorsOf(dialog, 'Username')).toEqual(['Enter a username.']);
    expect(await errorsOf(dialog, 'Password')).toEqual(['Enter a password.']);
  });

  it('sends the quota in bytes and closes when the server accepts', async () => {
    const dialog = await openCreateDialog();
    await fill(dialog, 'Username', 'carol');
    await fill(dialog, 'Password', 'long-enough-pw');
    await fill(dialog, 'Quota', '1.5');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Create user' }))).click();
    const create = http.expectOne((r) => r.method === 'POST' && r.url === '/api/users');
    expect(create.request.body).toEqual({
      username: 'carol',
      password: 'long-enough-pw',
      email: null,
      role: 'user',
      groups: [],
      quotaBytes: 1.5 * 1024 ** 3,
      smbEnabled: false,
    });
    create.flush(makeUser({ id: 3, username: 'carol', role: 'user' }), {
      status: 201,
      statusText: 'Created',
    });
    http.expectOne((r) => r.url === '/api/users' && r.method === 'GET').flush({ items: users, total: 61 });
    expect(await root.getAllHarnesses(MatDialogHarness)).toEqual([]);
  });

  it("shows the server's message and puts its field problems on the fields", async () => {
    const dialog = await openCreateDialog();
    await fill(dialog, 'Username', 'root');
    await fill(dialog, 'Password', 'long-enough-pw');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Create user' }))).click();
    http
      .expectOne((r) => r.method === 'POST')
      .flush(
        {
          error: {
            code: 'VALIDATION_FAILED',
            message: 'The username root is reserved.',
            details: [{ field: 'username', message: 'is reserved' }],
            requestId: 'r1',
          },
        },
        { status: 400, statusText: 'Bad Request' },
      );
    expect(await (await dialog.host()).text()).toContain('The username root is reserved.');
    expect(await errorsOf(dialog, 'Username')).toEqual(['is reserved']);
  });

  async function openRowMenu(username: string): Promise<MatMenuHarness> {
    const menu = await loader.getHarness(
      MatMenuHarness.with({ selector: `[aria-label="Actions for ${username}"]` }),
    );
    await menu.open();
    return menu;
  }

  it('saves only the fields an edit changed', async () => {
    await (await openRowMenu('bob')).clickItem({ text: /Edit/ });
    http
      .expectOne('/api/groups')
      .flush({ items: [{ id: 1, name: 'staff', description: '', members: [], createdAt: '' }] });
    const dialog = await root.getHarness(MatDialogHarness);
    await fill(dialog, 'Quota', '20');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Save' }))).click();
    const patch = http.expectOne((r) => r.method === 'PATCH');
    expect(patch.request.url).toBe('/api/users/2');
    expect(patch.request.body).toEqual({ quotaBytes: 20 * 1024 ** 3 });
    patch.flush({ ...users[1], quotaBytes: 20 * 1024 ** 3 });
    const table = await loader.getHarness(MatTableHarness);
    expect((await table.getCellTextByColumnName())['quota']?.text).toEqual(['No limit', '20 GB']);
  });

  it('deletes a user only after confirmation', async () => {
    await (await openRowMenu('bob')).clickItem({ text: /Delete/ });
    const confirm = await root.getHarness(MatDialogHarness);
    expect(await confirm.getTitleText()).toBe('Delete bob?');
    await (await confirm.getHarness(MatButtonHarness.with({ text: 'Delete' }))).click();
    http
      .expectOne((r) => r.method === 'DELETE' && r.url === '/api/users/2')
      .flush(null, {
        status: 204,
        statusText: 'No Content',
      });
    http
      .expectOne((r) => r.method === 'GET' && r.url === '/api/users')
      .flush({ items: [users[0]], total: 1 });
  });

  it("resets a user's two-factor login only after confirmation", async () => {
    await (await openRowMenu('bob')).clickItem({ text: /Reset two-factor login/ });
    let confirm = await root.getHarness(MatDialogHarness);
    expect(await confirm.getTitleText()).toBe('Reset two-factor login of bob?');
    await (await confirm.getHarness(MatButtonHarness.with({ text: 'Cancel' }))).click();
    http.expectNone('/api/users/2/totp');

    await (await openRowMenu('bob')).clickItem({ text: /Reset two-factor login/ });
    confirm = await root.getHarness(MatDialogHarness);
    await (await confirm.getHarness(MatButtonHarness.with({ text: 'Reset' }))).click();
    const req = http.expectOne('/api/users/2/totp');
    expect(req.request.method).toBe('DELETE');
    req.flush(null, { status: 204, statusText: 'No Content' });
    expect(document.body.textContent).toContain('Two-factor login of bob is off');
  });

  it('offers no disable or delete on your own account', async () => {
    TestBed.inject(AuthStore).login('admin', 'pw').subscribe();
    http.expectOne('/api/auth/login').flush(makeSession(1, users[0]));
    const menu = await openRowMenu('admin');
    const items = await Promise.all((await menu.getItems()).map((i) => i.getText()));
    expect(items.join(' ')).not.toMatch(/Disable|Delete/);
  });
});
