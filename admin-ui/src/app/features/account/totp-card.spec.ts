import { Clipboard } from '@angular/cdk/clipboard';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { HarnessLoader } from '@angular/cdk/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatCardHarness } from '@angular/material/card/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatFormFieldHarness } from '@angular/material/form-field/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import type { TotpStatus } from '../../core/api-client';
import { apiError } from '../../core/testing';
import { TotpCard } from './totp-card';

const OFF: TotpStatus = { enabled: false, pending: false, recoveryCodesLeft: 0 };
const URI = 'otpauth://totp/BaluHost:admin?secret=JBSWY3DPEHPK3PXP&issuer=BaluHost';
const CODES = Array.from({ length: 10 }, (_, i) => `abcd${i}-efgh${i}`);

describe('TotpCard', () => {
  let http: HttpTestingController;
  let loader: HarnessLoader;
  let fixture: ComponentFixture<TotpCard>;
  let copied: string[];

  async function open(status: TotpStatus): Promise<void> {
    copied = [];
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
        { provide: Clipboard, useValue: { copy: (text: string) => copied.push(text) > 0 } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(TotpCard);
    loader = TestbedHarnessEnvironment.loader(fixture);
    http.expectOne('/api/me/totp').flush(status);
    await fixture.whenStable();
  }

  function element(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  afterEach(() => {
    http.verify();
  });

  it('enrols: a QR code of the otpauth URI and the key, a code checked before sending, then the recovery codes once', async () => {
    await open(OFF);
    const card = await loader.getHarness(MatCardHarness);
    expect(await card.getSubtitleText()).toContain('Off');
    await (await loader.getHarness(MatButtonHarness.with({ text: /Set up two-factor login/ }))).click();
    const start = http.expectOne('/api/me/totp');
    expect(start.request.method).toBe('POST');
    start.flush({ secret: 'JBSWY3DPEHPK3PXP', otpauthUri: URI }, { status: 201, statusText: 'Created' });
    await fixture.whenStable();

    const svg = element().querySelector('bh-qr-code svg');
    expect(svg?.getAttribute('aria-label')).toBe('QR code for the authenticator app');
    // A version-2 code or larger: the path draws dozens of modules.
    expect((svg?.querySelector('path')?.getAttribute('d') ?? '').split('M').length).toBeGreaterThan(100);
    expect(element().querySelector('[data-totp-secret]')?.textContent).toBe('JBSWY3DPEHPK3PXP');
    await (
      await loader.getHarness(MatButtonHarness.with({ selector: '[aria-label="Copy the key"]' }))
    ).click();
    expect(copied).toEqual(['JBSWY3DPEHPK3PXP']);

    const code = await loader.getHarness(MatInputHarness.with({ selector: '[formControlName="code"]' }));
    await code.setValue('12345');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Turn on' }))).click();
    const field = await loader.getHarness(
      MatFormFieldHarness.with({ floatingLabelText: 'Code from the app' }),
    );
    expect(await field.getTextErrors()).toEqual(['The code has 6 digits.']);
    http.expectNone('/api/me/totp/confirm');

    await code.setValue('123456');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Turn on' }))).click();
    const confirm = http.expectOne('/api/me/totp/confirm');
    expect(confirm.request.body).toEqual({ code: '123456' });
    confirm.flush({ recoveryCodes: CODES });
    await fixture.whenStable();

    const listed = [...element().querySelectorAll('[aria-label="Recovery codes"] li')].map(
      (li) => li.textContent,
    );
    expect(listed).toEqual(CODES);
    expect(await card.getSubtitleText()).toContain('10 recovery codes left');
    await (await loader.getHarness(MatButtonHarness.with({ text: /Copy/ }))).click();
    expect(copied[1]).toBe(CODES.join('\n'));
    await (await loader.getHarness(MatButtonHarness.with({ text: 'I have saved them' }))).click();
    expect(element().textContent).not.toContain(CODES[0]);
  });

  it("shows the server's message when the code does not match and stays on the enrolment", async () => {
    await open(OFF);
    await (await loader.getHarness(MatButtonHarness.with({ text: /Set up two-factor login/ }))).click();
    http.expectOne('/api/me/totp').flush({ secret: 'S', otpauthUri: URI }, { status: 201, statusText: 'x' });
    const code = await loader.getHarness(MatInputHarness.with({ selector: '[formControlName="code"]' }));
    await code.setValue('000000');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Turn on' }))).click();
    http
      .expectOne('/api/me/totp/confirm')
      .flush(apiError('VALIDATION_FAILED', 'The code does not match; check the time on your device.'), {
        status: 400,
        statusText: 'x',
      });
    await fixture.whenStable();
    expect(element().textContent).toContain('The code does not match');
    expect(element().querySelector('bh-qr-code')).not.toBeNull();
    expect(await code.getValue()).toBe('');
  });

  it('turns it off with the password', async () => {
    await open({ enabled: true, pending: false, recoveryCodesLeft: 7 });
    const card = await loader.getHarness(MatCardHarness);
    expect(await card.getSubtitleText()).toContain('7 recovery codes left');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Turn off two-factor login' }))).click();
    http.expectNone('/api/me/totp');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[type="password"]' }))).setValue('pw');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Turn off two-factor login' }))).click();
    const off = http.expectOne('/api/me/totp');
    expect(off.request.method).toBe('DELETE');
    expect(off.request.body).toEqual({ password: 'pw' });
    off.flush(null, { status: 204, statusText: 'No Content' });
    expect(await card.getSubtitleText()).toContain('Off');
  });
});
