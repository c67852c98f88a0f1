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
import { MatMenuHarness } from '@angular/material/menu/testing';
import { MatSelectHarness } from '@angular/material/select/testing';
import { MatTableHarness } from '@angular/material/table/testing';
import { provideRouter } from '@angular/router';
import { REFRESH_TOKEN_STORAGE } from '../../core/auth-store';
import { MemoryStorage, apiError, makeShare, makeUser } from '../../core/testing';
import SharesPage, { aclSummary } from './shares-page';

describe('SharesPage', () => {
  let http: HttpTestingController;
  let loader: HarnessLoader;
  let root: HarnessLoader;

  const shares = [
    makeShare({
      id: 1,
      name: 'media',
      description: 'Photos',
      quotaBytes: 10 * 1024 ** 3,
      usedBytes: 5 * 1024 ** 3,
      acl: [
        { type: 'user', name: 'bob', access: 'write' },
        { type: 'group', name: 'staff', access: 'read' },
      ],
    }),
    makeShare({ id: 2, name: 'archive' }),
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
    const fixture = TestBed.createComponent(SharesPage);
    loader = TestbedHarnessEnvironment.loader(fixture);
    root = TestbedHarnessEnvironment.documentRootLoader(fixture);
    http.expectOne('/api/shares').flush({ items: shares });
    await fixture.whenStable();
  });

  afterEach(async () => {
    const dialogs = await root.getAllHarnesses(MatDialogHarness);
    await Promise.all(dialogs.map((d) => d.close()));
    http.verify();
  });

  function flushPrincipals(): void {
    http
      .expectOne((r) => r.url === '/api/users')
      .flush({ items: [makeUser({ username: 'admin' }), makeUser({ id: 2, username: 'bob' })], total: 2 });
    http
      .expectOne('/api/groups')
      .flush({ items: [{ id: 1, name: 'staff', description: '', members: [], createdAt: '' }] });
  }

  it('lists shares by name with usage, quota and an ACL summary', async () => {
    const table = await loader.getHarness(MatTableHarness);
    const cells = await table.getCellTextByColumnName();
    expect(cells['name']?.text).toEqual(['archive', 'mediaPhotos']);
    expect(cells['usage']?.text).toEqual(['0 B / no limit', '5 GB / 10 GB']);
    expect(cells['acl']?.text).toEqual(['Nobody yet (admins only)', 'bob: read & write, group staff: read']);
    expect(aclSummary(shares[0]!)).toBe('bob: read & write, group staff: read');
  });

  it('creates a share with ACL rows and the quota in bytes', async () => {
    await (await loader.getHarness(MatButtonHarness.with({ text: /New share/ }))).click();
    flushPrincipals();
    const dialog = await root.getHarness(MatDialogHarness);
    const name = await dialog.getHarness(MatFormFieldHarness.with({ floatingLabelText: /^Name/ }));
    await (await name.getControl(MatInputHarness))!.setValue('projects');
    const quota = await dialog.getHarness(MatFormFieldHarness.with({ floatingLabelText: 'Quota' }));
    await (await quota.getControl(MatInputHarness))!.setValue('500');
    const unit = await dialog.getHarness(MatSelectHarness.with({ selector: '[formControlName=quotaUnit]' }));
    await unit.open();
    await unit.clickOptions({ text: 'MB' });

    await (await dialog.getHarness(MatButtonHarness.with({ text: /Add user or group/ }))).click();
    await (await dialog.getHarness(MatButtonHarness.with({ text: /Add user or group/ }))).click();
    const kinds = await dialog.getAllHarnesses(MatSelectHarness.with({ selector: '[formControlName=type]' }));
    const names = await dialog.getAllHarnesses(MatSelectHarness.with({ selector: '[formControlName=name]' }));
    const access = await dialog.getAllHarnesses(
      MatSelectHarness.with({ selector: '[formControlName=access]' }),
    );
    await names[0]!.open();
    await names[0]!.clickOptions({ text: 'bob' });
    await access[0]!.open();
    await access[0]!.clickOptions({ text: 'Read & write' });
    await kinds[1]!.open();
    await kinds[1]!.clickOptions({ text: 'Group' });
    await names[1]!.open();
    expect(await Promise.all((await names[1]!.getOptions()).map((o) => o.getText()))).toEqual(['staff']);
    await names[1]!.clickOptions({ text: 'staff' });

    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Create share' }))).click();
    const create = http.expectOne((r) => r.method === 'POST' && r.url === '/api/shares');
    expect(create.request.body).toEqual({
      name: 'projects',
      description: '',
      quotaBytes: 500 * 1024 ** 2,
      acl: [
        { type: 'user', name: 'bob', access: 'write' },
        { type: 'group', name: 'staff', access: 'read' },
      ],
    });
    create.flush(makeShare({ id: 3, name: 'projects' }), { status: 201, statusText: 'Created' });
    http.expectOne('/api/shares').flush({ items: shares });
    expect(await root.getAllHarnesses(MatDialogHarness)).toEqual([]);
  });

  it('refuses the same user twice and rows without a name, before asking the server', async () => {
    await (await loader.getHarness(MatButtonHarness.with({ text: /New share/ }))).click();
    flushPrincipals();
    const dialog = await root.getHarness(MatDialogHarness);
    const name = await dialog.getHarness(MatFormFieldHarness.with({ floatingLabelText: /^Name/ }));
    await (await name.getControl(MatInputHarness))!.setValue('projects');
    const add = await dialog.getHarness(MatButtonHarness.with({ text: /Add user or group/ }));
    await add.click();
    await add.click();
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Create share' }))).click();
    expect(await (await dialog.host()).text()).toContain('Choose one.');
    const names = await dialog.getAllHarnesses(MatSelectHarness.with({ selector: '[formControlName=name]' }));
    for (const select of names) {
      await select.open();
      await select.clickOptions({ text: 'bob' });
    }
    expect(await (await dialog.host()).text()).toContain('User bob is listed twice.');
    await (
      await dialog.getHarness(MatButtonHarness.with({ selector: '[aria-label="Remove access rule 2"]' }))
    ).click();
    expect(await (await dialog.host()).text()).not.toContain('listed twice');
    http.expectNone((r) => r.method === 'POST');
  });

  it('sends only the changed fields of an edit', async () => {
    const menu = await loader.getHarness(
      MatMenuHarness.with({ selector: '[aria-label="Actions for media"]' }),
    );
    await menu.open();
    await menu.clickItem({ text: /Edit/ });
    flushPrincipals();
    const dialog = await root.getHarness(MatDialogHarness);
    await (
      await dialog.getHarness(MatButtonHarness.with({ selector: '[aria-label="Remove access rule 2"]' }))
    ).click();
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Save' }))).click();
    const patch = http.expectOne((r) => r.method === 'PATCH');
    expect(patch.request.url).toBe('/api/shares/1');
    expect(patch.request.body).toEqual({ acl: [{ type: 'user', name: 'bob', access: 'write' }] });
    patch.flush({ ...shares[0]!, acl: [{ type: 'user', name: 'bob', access: 'write' }] });
  });

  it('offers to force the delete, setting the files aside, when the share is not empty (409)', async () => {
    const menu = await loader.getHarness(
      MatMenuHarness.with({ selector: '[aria-label="Actions for media"]' }),
    );
    await menu.open();
    await menu.clickItem({ text: /Delete/ });
    const confirm = await root.getHarness(MatDialogHarness);
    expect(await confirm.getTitleText()).toBe('Delete share media?');
    await (await confirm.getHarness(MatButtonHarness.with({ text: 'Delete' }))).click();
    const first = http.expectOne((r) => r.method === 'DELETE');
    expect(first.request.url).toBe('/api/shares/1');
    expect(first.request.params.has('force')).toBeFalse();
    first.flush(apiError('CONFLICT', "The share 'media' is not empty."), {
      status: 409,
      statusText: 'Conflict',
    });

    const force = await root.getHarness(MatDialogHarness);
    expect(await force.getTitleText()).toBe('media is not empty');
    expect(await force.getContentText()).toContain("The share 'media' is not empty.");
    await (await force.getHarness(MatButtonHarness.with({ text: 'Force: set the files aside' }))).click();
    const second = http.expectOne((r) => r.method === 'DELETE');
    expect(second.request.params.get('force')).toBe('true');
    second.flush(null, { status: 204, statusText: 'No Content' });
    http.expectOne('/api/shares').flush({ items: [shares[1]] });
  });
});
