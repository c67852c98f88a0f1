import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { HarnessLoader } from '@angular/cdk/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatFormFieldHarness } from '@angular/material/form-field/testing';
import { MatDialogHarness } from '@angular/material/dialog/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatSelectHarness } from '@angular/material/select/testing';
import type { SmbSettings } from '../../core/api-client';
import { REFRESH_TOKEN_STORAGE } from '../../core/auth-store';
import { MemoryStorage } from '../../core/testing';
import SettingsPage from './settings-page';

const SMB: SmbSettings = {
  enabled: true,
  workgroup: 'WORKGROUP',
  serverString: 'BaluHost',
  port: 445,
  interfaces: ['lo', 'eth0'],
};

describe('SettingsPage', () => {
  let http: HttpTestingController;
  let loader: HarnessLoader;
  let root: HarnessLoader;
  let fixture: ComponentFixture<SettingsPage>;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: REFRESH_TOKEN_STORAGE, useValue: new MemoryStorage() },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(SettingsPage);
    loader = TestbedHarnessEnvironment.loader(fixture);
    root = TestbedHarnessEnvironment.documentRootLoader(fixture);
    http.expectOne('/api/smb').flush(SMB);
    http
      .expectOne('/api/smb/status')
      .flush(
        { error: { code: 'DRIVER_UNAVAILABLE', message: 'smbd is not installed.' } },
        { status: 503, statusText: 'x' },
      );
    http
      .expectOne('/api/notifications/channels')
      .flush({ webhooks: [{ url: 'https://hooks.example/x', hasSecret: true }] });
    await fixture.whenStable();
  });

  afterEach(async () => {
    const dialogs = await root.getAllHarnesses(MatDialogHarness);
    await Promise.all(dialogs.map((d) => d.close()));
    http.verify();
  });

  it("fills the form from the server and shows the status's failure", async () => {
    const workgroup = await loader.getHarness(
      MatInputHarness.with({ selector: '[formControlName="workgroup"]' }),
    );
    expect(await workgroup.getValue()).toBe('WORKGROUP');
    const interfaces = await loader.getHarness(
      MatInputHarness.with({ selector: '[formControlName="interfaces"]' }),
    );
    expect(await interfaces.getValue()).toBe('lo, eth0');
    expect(document.body.textContent).toContain('smbd is not installed.');
    expect(document.body.textContent).toContain('Webhook https://hooks.example/x (signed)');
  });

  it('checks the workgroup before sending, then sends the interfaces as a list', async () => {
    const workgroup = await loader.getHarness(
      MatInputHarness.with({ selector: '[formControlName="workgroup"]' }),
    );
    await workgroup.setValue('NOT A NETBIOS NAME');
    const save = await loader.getHarness(MatButtonHarness.with({ text: 'Save SMB settings' }));
    await save.click();
    const field = await loader.getHarness(MatFormFieldHarness.with({ floatingLabelText: 'Workgroup' }));
    expect(await field.getTextErrors()).toEqual(['1–15 letters, digits, _ . -']);
    http.expectNone('/api/smb');

    await workgroup.setValue('HOME');
    await save.click();
    const req = http.expectOne('/api/smb');
    expect(req.request.method).toBe('PUT');
    expect(req.request.body).toEqual({ ...SMB, workgroup: 'HOME' });
    req.flush({ ...SMB, workgroup: 'HOME' });
    http
      .expectOne('/api/smb/status')
      .flush({ error: { code: 'X', message: 'still no smbd' } }, { status: 503, statusText: 'x' });
  });

  it("sends a test notification and shows each channel's result", async () => {
    await (await loader.getHarness(MatButtonHarness.with({ text: /Send a test notification/ }))).click();
    http.expectOne('/api/notifications/test').flush({
      results: [{ channel: 'webhook https://hooks.example/x', ok: false, error: 'connection refused' }],
    });
    await (await loader.getHarness(MatButtonHarness.with({ text: /Send a test notification/ }))).isDisabled();
    expect(document.body.textContent).toContain('webhook https://hooks.example/x: connection refused');
  });

  it('adds a webhook after checking the URL, sending the signed one back redacted so the server keeps its secret', async () => {
    await (await loader.getHarness(MatButtonHarness.with({ text: /Add webhook/ }))).click();
    const dialog = await root.getHarness(MatDialogHarness);
    const url = await dialog.getHarness(MatInputHarness.with({ selector: '[formControlName="url"]' }));
    await url.setValue('ftp://files.example');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Save webhook' }))).click();
    const field = await dialog.getHarness(MatFormFieldHarness.with({ floatingLabelText: 'Webhook URL' }));
    expect(await field.getTextErrors()).toEqual([
      'An http:// or https:// address of at most 2000 characters.',
    ]);
    http.expectNone('/api/notifications/channels');

    await url.setValue('https://chat.example/hook');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Save webhook' }))).click();
    const put = http.expectOne('/api/notifications/channels');
    expect(put.request.method).toBe('PUT');
    expect(put.request.body).toEqual({
      webhooks: [
        { url: 'https://hooks.example/x', secret: '********' },
        { url: 'https://chat.example/hook' },
      ],
      email: null,
    });
    put.flush({
      webhooks: [
        { url: 'https://hooks.example/x', hasSecret: true },
        { url: 'https://chat.example/hook', hasSecret: false },
      ],
    });
    expect(await root.getAllHarnesses(MatDialogHarness)).toEqual([]);
    expect(document.body.textContent).toContain('https://chat.example/hook');
  });

  it("keeps the dialog open with the server's message when it refuses the channels", async () => {
    await (
      await loader.getHarness(
        MatButtonHarness.with({ selector: '[aria-label="Edit webhook https://hooks.example/x"]' }),
      )
    ).click();
    const dialog = await root.getHarness(MatDialogHarness);
    await (
      await dialog.getHarness(MatInputHarness.with({ selector: '[formControlName="secret"]' }))
    ).setValue('new-secret-1');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Save webhook' }))).click();
    const put = http.expectOne('/api/notifications/channels');
    expect(put.request.body).toEqual({
      webhooks: [{ url: 'https://hooks.example/x', secret: 'new-secret-1' }],
      email: null,
    });
    put.flush(
      {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'webhooks.0.url: must be an http:// or https:// URL',
          requestId: 'r',
        },
      },
      { status: 400, statusText: 'Bad Request' },
    );
    expect(await dialog.getText()).toContain('webhooks.0.url: must be an http:// or https:// URL');
  });

  it('sets up email with the addresses as a list, then removes a webhook only after the confirmation', async () => {
    await (await loader.getHarness(MatButtonHarness.with({ text: /Set up email/ }))).click();
    const dialog = await root.getHarness(MatDialogHarness);
    const input = async (name: string) =>
      dialog.getHarness(MatInputHarness.with({ selector: `[formControlName="${name}"]` }));
    await (await input('host')).setValue('smtp.example.com');
    await (await input('from')).setValue('nas@example.com');
    await (await input('to')).setValue('a@example.com, not-an-address');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Save email settings' }))).click();
    http.expectNone('/api/notifications/channels');
    await (await input('to')).setValue('a@example.com, b@example.com');
    await (await input('password')).setValue('smtp-pw');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Save email settings' }))).click();
    const field = await dialog.getHarness(MatFormFieldHarness.with({ floatingLabelText: 'SMTP password' }));
    expect(await field.getTextErrors()).toEqual(['A password needs a username.']);
    http.expectNone('/api/notifications/channels');
    await (await input('username')).setValue('nas');
    const security = await dialog.getHarness(MatSelectHarness);
    await security.open();
    await security.clickOptions({ text: /^TLS/ });
    await (await input('port')).setValue('465');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Save email settings' }))).click();
    const email = {
      host: 'smtp.example.com',
      port: 465,
      security: 'tls',
      username: 'nas',
      password: 'smtp-pw',
      from: 'nas@example.com',
      to: ['a@example.com', 'b@example.com'],
    };
    const put = http.expectOne('/api/notifications/channels');
    expect(put.request.body).toEqual({
      webhooks: [{ url: 'https://hooks.example/x', secret: '********' }],
      email,
    });
    put.flush({
      webhooks: [{ url: 'https://hooks.example/x', hasSecret: true }],
      email: { ...email, password: '********' },
    });
    await fixture.whenStable();
    expect(document.body.textContent).toContain('Email via smtp.example.com:465 (tls)');

    await (
      await loader.getHarness(
        MatButtonHarness.with({ selector: '[aria-label="Remove webhook https://hooks.example/x"]' }),
      )
    ).click();
    const confirm = await root.getHarness(MatDialogHarness);
    expect(await confirm.getTitleText()).toBe('Remove the webhook?');
    await (await confirm.getHarness(MatButtonHarness.with({ text: 'Remove' }))).click();
    const removal = http.expectOne('/api/notifications/channels');
    // The stored SMTP password travels redacted: the server keeps it.
    expect(removal.request.body).toEqual({ webhooks: [], email: { ...email, password: '********' } });
    removal.flush({ webhooks: [], email: { ...email, password: '********' } });
  });
});
