import { Clipboard } from '@angular/cdk/clipboard';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { HarnessLoader } from '@angular/cdk/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatDialogHarness } from '@angular/material/dialog/testing';
import { MatFormFieldHarness } from '@angular/material/form-field/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatListHarness } from '@angular/material/list/testing';
import { provideRouter } from '@angular/router';
import { REFRESH_TOKEN_STORAGE } from '../../core/auth-store';
import { MemoryStorage } from '../../core/testing';
import AccountPage from './account-page';

describe('AccountPage app passwords', () => {
  let http: HttpTestingController;
  let loader: HarnessLoader;
  let root: HarnessLoader;
  let copied: string[];
  let fixture: ComponentFixture<AccountPage>;

  async function text(selector: string): Promise<string> {
    await fixture.whenStable();
    return (fixture.nativeElement as HTMLElement).querySelector(selector)?.textContent ?? '';
  }

  beforeEach(async () => {
    copied = [];
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: REFRESH_TOKEN_STORAGE, useValue: new MemoryStorage() },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        { provide: Clipboard, useValue: { copy: (text: string) => copied.push(text) > 0 } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(AccountPage);
    loader = TestbedHarnessEnvironment.loader(fixture);
    root = TestbedHarnessEnvironment.documentRootLoader(fixture);
    http.expectOne('/api/me/app-passwords').flush({
      items: [{ id: 1, name: 'laptop', createdAt: '2026-01-01T00:00:00.000Z', lastUsedAt: null }],
    });
    http.expectOne('/api/me/totp').flush({ enabled: false, pending: false, recoveryCodesLeft: 0 });
    await fixture.whenStable();
  });

  afterEach(() => {
    http.verify();
  });

  async function listTitles(): Promise<string[]> {
    const list = await loader.getHarness(MatListHarness.with({ selector: '[aria-label="App passwords"]' }));
    return Promise.all((await list.getItems()).map((i) => i.getTitle()));
  }

  it('creates one, shows the password once with a copy button, then hides it', async () => {
    const field = await loader.getHarness(
      MatFormFieldHarness.with({ floatingLabelText: /Device or program/ }),
    );
    await (await field.getControl(MatInputHarness))!.setValue('phone');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Create app password' }))).click();
    const req = http.expectOne((r) => r.method === 'POST' && r.url === '/api/me/app-passwords');
    expect(req.request.body).toEqual({ name: 'phone' });
    req.flush(
      {
        id: 2,
        name: 'phone',
        createdAt: '2026-01-02T00:00:00.000Z',
        lastUsedAt: null,
        password: 'S3cret-once',
      },
      { status: 201, statusText: 'Created' },
    );
    const created = await text('.created');
    expect(created).toContain('S3cret-once');
    expect(created).toContain('it is shown only this once');
    await (
      await loader.getHarness(MatButtonHarness.with({ selector: '[aria-label="Copy the app password"]' }))
    ).click();
    expect(copied).toEqual(['S3cret-once']);
    expect(await listTitles()).toEqual(['laptop', 'phone']);
    await (await loader.getHarness(MatButtonHarness.with({ text: 'I have copied it' }))).click();
    expect(await text('.app-passwords')).not.toContain('S3cret-once');
    expect(await loader.getAllHarnesses(MatButtonHarness.with({ text: 'I have copied it' }))).toEqual([]);
  });

  it('revokes after confirmation', async () => {
    await (
      await loader.getHarness(MatButtonHarness.with({ selector: '[aria-label="Revoke laptop"]' }))
    ).click();
    const confirm = await root.getHarness(MatDialogHarness);
    expect(await confirm.getTitleText()).toBe('Revoke laptop?');
    await (await confirm.getHarness(MatButtonHarness.with({ text: 'Revoke' }))).click();
    http
      .expectOne((r) => r.method === 'DELETE' && r.url === '/api/me/app-passwords/1')
      .flush(null, { status: 204, statusText: 'No Content' });
    expect(
      await loader.getAllHarnesses(MatListHarness.with({ selector: '[aria-label="App passwords"]' })),
    ).toEqual([]);
  });

  it('shows the connect addresses for this host', async () => {
    const host = location.hostname;
    const card = await text('.connect');
    expect(card).toContain(`https://${host}:8443/dav/home/`);
    expect(card).toContain(`\\\\${host}@SSL@8443\\dav\\home`);
    expect(card).toContain(`davs://${host}:8443/dav/home/`);
    expect(card).toContain(`smb://${host}/home`);
    expect(card).toContain('baluhost tls selfsigned');
  });
});
