import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { HarnessLoader } from '@angular/cdk/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatInputHarness } from '@angular/material/input/testing';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import type { FansOverview } from '../../core/api-client';
import { AuthStore, REFRESH_TOKEN_STORAGE } from '../../core/auth-store';
import { MemoryStorage, apiError, makeSession, makeUser } from '../../core/testing';
import FansPage from './fans-page';
import { DEFAULT_CURVE } from './fans-store';

const FANS: FansOverview = {
  mode: 'simulated',
  fans: [
    {
      id: 'hwmon0/fan1',
      chip: 'sim',
      label: 'CPU fan',
      rpm: 1000,
      pwm: 128,
      pwmPercent: 50,
      mode: 'auto',
      isControllable: true,
    },
  ],
  sensors: [{ id: 'hwmon0/temp1', chip: 'sim', label: 'CPU', celsius: 40 }],
  curves: [],
};

describe('FansPage', () => {
  let http: HttpTestingController;
  let loader: HarnessLoader;
  let fixture: ComponentFixture<FansPage>;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- the charts use @angular/animations.
        provideNoopAnimations(),
        { provide: REFRESH_TOKEN_STORAGE, useValue: new MemoryStorage() },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    TestBed.inject(AuthStore).login('u', 'pw').subscribe();
    http.expectOne('/api/auth/login').flush(makeSession(1, makeUser({ role: 'admin' })));
    fixture = TestBed.createComponent(FansPage);
    loader = TestbedHarnessEnvironment.loader(fixture);
    http.expectOne('/api/fans').flush(FANS);
    await fixture.whenStable();
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Edit curve' }))).click();
  });

  afterEach(() => {
    http.verify();
  });

  it('starts from the default curve, refuses falling temperatures, and saves a valid curve', async () => {
    const save = await loader.getHarness(MatButtonHarness.with({ text: 'Save curve' }));
    const inputs = await loader.getAllHarnesses(MatInputHarness.with({ selector: 'input[type="number"]' }));
    expect(inputs.length).toBe(DEFAULT_CURVE.points.length * 2);
    await inputs[2]?.setValue('20'); // point 2 below point 1's 30 °C
    expect(await save.isDisabled()).toBeTrue();
    expect(document.body.textContent).toContain('Point 2: temperatures must rise from point to point.');
    http.expectNone('/api/fans/hwmon0%2Ffan1/curve');

    await inputs[2]?.setValue('45');
    expect(await save.isDisabled()).toBeFalse();
    await save.click();
    const req = http.expectOne('/api/fans/hwmon0%2Ffan1/curve');
    expect(req.request.method).toBe('PUT');
    expect(req.request.body).toEqual({
      curve: {
        ...DEFAULT_CURVE,
        points: [
          { temperatureCelsius: 30, pwmPercent: 20 },
          { temperatureCelsius: 45, pwmPercent: 50 },
          { temperatureCelsius: 70, pwmPercent: 100 },
        ],
      },
      input: { kind: 'hottest-disk' },
    });
    req.flush(apiError('DRIVER_FAILED', 'pwm1_enable is read-only.'), { status: 503, statusText: 'x' });
    await fixture.whenStable();
    expect(document.body.textContent).toContain('pwm1_enable is read-only.');
  });
});
