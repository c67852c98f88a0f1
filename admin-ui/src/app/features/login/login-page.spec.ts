import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { HarnessLoader } from '@angular/cdk/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatFormFieldHarness } from '@angular/material/form-field/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { Router, provideRouter } from '@angular/router';
import { AuthStore, REFRESH_TOKEN_STORAGE } from '../../core/auth-store';
import { MemoryStorage, apiError, makeSession } from '../../core/testing';
import LoginPage from './login-page';

const TOTP_REQUIRED = apiError(
  'TOTP_REQUIRED',
  'Enter the code from your authenticator app, or a recovery code.',
);

describe('LoginPage', () => {
  let http: HttpTestingController;
  let loader: HarnessLoader;
  let fixture: ComponentFixture<LoginPage>;
  let navigated: string[];

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
    navigated = [];
    spyOn(TestBed.inject(Router), 'navigateByUrl').and.callFake((url) => {
      navigated.push(String(url));
      return Promise.resolve(true);
    });
    fixture = TestBed.createComponent(LoginPage);
    loader = TestbedHarnessEnvironment.loader(fixture);
    await fixture.whenStable();
  });

  afterEach(() => {
    http.verify();
  });

  async function enterPassword(): Promise<void> {
    await (
      await loader.getHarness(MatInputHarness.with({ selector: '[formControlName="username"]' }))
    ).setValue('admin');
    await (
      await loader.getHarness(MatInputHarness.with({ selector: '[formControlName="password"]' }))
    ).setValue('secret-pw');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Log in' }))).click();
  }

  function text(): string {
    return (fixture.nativeElement as HTMLElement).textContent;
  }

  it('logs in with a password alone when two-factor login is off', async () => {
    await enterPassword();
    const req = http.expectOne('/api/auth/login');
    expect(req.request.body).toEqual({ username: 'admin', password: 'secret-pw' });
    req.flush(makeSession(1));
    await fixture.whenStable();
    expect(navigated).toEqual(['/']);
    expect(TestBed.inject(AuthStore).isLoggedIn()).toBeTrue();
  });

  it('asks for the authenticator code on TOTP_REQUIRED and sends it with the password', async () => {
    await enterPassword();
    http.expectOne('/api/auth/login').flush(TOTP_REQUIRED, { status: 401, statusText: 'Unauthorized' });
    await fixture.whenStable();
    expect(text()).toContain('enter the 6-digit code from your authenticator app');
    expect(text()).not.toContain('Enter the code from your authenticator app, or a recovery code.');
    // Keyboard users land on the new field.
    expect(document.activeElement?.getAttribute('formControlName')).toBe('code');

    const code = await loader.getHarness(MatInputHarness.with({ selector: '[formControlName="code"]' }));
    await code.setValue('12a456');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Verify' }))).click();
    const field = await loader.getHarness(
      MatFormFieldHarness.with({ floatingLabelText: 'Authentication code' }),
    );
    expect(await field.getTextErrors()).toEqual(['The code has 6 digits.']);
    http.expectNone('/api/auth/login');

    await code.setValue('123456');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Verify' }))).click();
    const req = http.expectOne('/api/auth/login');
    expect(req.request.body).toEqual({ username: 'admin', password: 'secret-pw', totpCode: '123456' });
    req.flush(makeSession(1));
    await fixture.whenStable();
    expect(navigated).toEqual(['/']);
  });

  it("sends a recovery code instead, and shows the server's refusal", async () => {
    await enterPassword();
    http.expectOne('/api/auth/login').flush(TOTP_REQUIRED, { status: 401, statusText: 'Unauthorized' });
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Use a recovery code' }))).click();
    const code = await loader.getHarness(MatInputHarness.with({ selector: '[formControlName="code"]' }));
    await code.setValue('abcde-fghij');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Verify' }))).click();
    const req = http.expectOne('/api/auth/login');
    expect(req.request.body).toEqual({
      username: 'admin',
      password: 'secret-pw',
      recoveryCode: 'abcde-fghij',
    });
    req.flush(apiError('INVALID_CREDENTIALS', 'Wrong username, password or code.'), {
      status: 401,
      statusText: 'Unauthorized',
    });
    await fixture.whenStable();
    expect(text()).toContain('Wrong username, password or code.');
    expect(navigated).toEqual([]);

    await (await loader.getHarness(MatButtonHarness.with({ text: 'Start over' }))).click();
    expect(await loader.getAllHarnesses(MatButtonHarness.with({ text: 'Log in' }))).toHaveSize(1);
  });
});
