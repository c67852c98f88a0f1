import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { HarnessLoader } from '@angular/cdk/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatFormFieldHarness } from '@angular/material/form-field/testing';
import { MatInputHarness } from '@angular/material/input/testing';
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
    const fixture = TestBed.createComponent(SettingsPage);
    loader = TestbedHarnessEnvironment.loader(fixture);
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

  afterEach(() => {
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
});
