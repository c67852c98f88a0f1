import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { HarnessLoader } from '@angular/cdk/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatButtonToggleHarness } from '@angular/material/button-toggle/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatInputHarness } from '@angular/material/input/testing';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import type { EnergySettings, EnergyStatus, TelemetryHistory } from '../../core/api-client';
import { AuthStore, REFRESH_TOKEN_STORAGE } from '../../core/auth-store';
import { MemoryStorage, apiError, makeSession, makeUser } from '../../core/testing';
import EnergyPage from './energy-page';

const STATUS: EnergyStatus = {
  backend: 'real',
  configured: true,
  plug: { id: 'nas', name: 'NAS plug', model: 'P110', isOn: true },
  powerWatts: 23.456,
  todayKwh: 0.186,
  monthKwh: 7.312,
  costToday: 0.06,
  costMonth: 2.34,
  pricePerKwh: 0.32,
  currency: 'CHF',
  readAt: '2026-11-28T09:32:00.000Z',
};

const SETTINGS: EnergySettings = {
  plugHost: '192.168.1.40',
  hasCredentials: true,
  pricePerKwh: 0.32,
  currency: 'CHF',
};

function history(range: string, values: readonly number[]): TelemetryHistory {
  return {
    metric: 'energy.power_watts',
    range: range as TelemetryHistory['range'],
    resolution: range === '1h' ? 'raw' : 'minute',
    points: values.map((value, i) => ({ at: new Date(Date.UTC(2026, 10, 28, 9, i)).toISOString(), value })),
  };
}

describe('EnergyPage', () => {
  let http: HttpTestingController;
  let loader: HarnessLoader;
  let fixture: ComponentFixture<EnergyPage>;

  async function open(role: 'admin' | 'user', status: EnergyStatus = STATUS): Promise<void> {
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
    http.expectOne('/api/auth/login').flush(makeSession(1, makeUser({ role })));
    fixture = TestBed.createComponent(EnergyPage);
    loader = TestbedHarnessEnvironment.loader(fixture);
    http.expectOne('/api/energy').flush(status);
    http
      .expectOne((r) => r.url === '/api/energy/history' && r.params.get('range') === '1h')
      .flush(history('1h', [22, 23.5, 24]));
    if (role === 'admin') http.expectOne('/api/energy/settings').flush(SETTINGS);
    await fixture.whenStable();
  }

  const pageText = (): string => (fixture.nativeElement as HTMLElement).textContent;
  const text = (selector: string): string =>
    (fixture.nativeElement as HTMLElement).querySelector(selector)?.textContent.trim() ?? '';

  afterEach(() => {
    http.verify();
  });

  it('shows the watts, kWh and cost the API answers, and the watts chart over the chosen range', async () => {
    await open('user');
    expect(text('[data-figure="watts"] .value')).toBe('23.5 W');
    expect(text('[data-value="today-kwh"]')).toBe('0.186');
    expect(text('[data-value="today-cost"]')).toBe('0.06');
    expect(text('[data-value="month-kwh"]')).toBe('7.312');
    expect(text('[data-value="month-cost"]')).toBe('2.34');
    expect(text('[data-figure="today"]')).toContain('CHF');
    expect((fixture.nativeElement as HTMLElement).querySelector('ngx-charts-line-chart')).not.toBeNull();

    await (await loader.getHarness(MatButtonToggleHarness.with({ text: '24h' }))).check();
    http
      .expectOne((r) => r.url === '/api/energy/history' && r.params.get('range') === '24h')
      .flush(history('24h', []));
    await fixture.whenStable();
    expect(pageText()).toContain('No samples in this range yet.');
    // Users see no settings form and never ask for the settings.
    expect(await loader.getAllHarnesses(MatButtonHarness.with({ text: 'Save settings' }))).toEqual([]);
  });

  it('says so when the real plug is not set up yet', async () => {
    await open('user', {
      ...STATUS,
      configured: false,
      plug: null,
      powerWatts: null,
      todayKwh: null,
      monthKwh: null,
      costToday: null,
      costMonth: null,
      readAt: null,
    });
    expect(text('[data-energy="unconfigured"]')).toContain('Ask an administrator to set it up.');
    expect((fixture.nativeElement as HTMLElement).querySelector('[data-figure="watts"]')).toBeNull();
  });

  it('validates the settings form and saves the price, and an account only when both fields are filled', async () => {
    await open('admin');
    const save = await loader.getHarness(MatButtonHarness.with({ text: 'Save settings' }));
    const input = (name: string) =>
      loader.getHarness(MatInputHarness.with({ selector: `[formcontrolname="${name}"]` }));
    expect(await (await input('plugHost')).getValue()).toBe('192.168.1.40');
    expect(await (await input('password')).getValue()).toBe('');

    await (await input('currency')).setValue('chf');
    expect(await save.isDisabled()).toBeTrue();
    await (await input('currency')).setValue('EUR');
    await (await input('plugHost')).setValue('http://plug/');
    expect(await save.isDisabled()).toBeTrue();
    await (await input('plugHost')).setValue('192.168.1.41');
    await (await input('username')).setValue('owner@example.org');
    expect(await save.isDisabled()).toBeTrue();
    expect(pageText()).toContain('Enter both the Tapo account email and its password');
    await (await input('username')).setValue('');
    await (await input('pricePerKwh')).setValue('0.41');
    expect(await save.isDisabled()).toBeFalse();

    await save.click();
    const put = http.expectOne('/api/energy/settings');
    expect(put.request.method).toBe('PUT');
    expect(put.request.body).toEqual({ plugHost: '192.168.1.41', pricePerKwh: 0.41, currency: 'EUR' });
    put.flush({ ...SETTINGS, plugHost: '192.168.1.41', pricePerKwh: 0.41, currency: 'EUR' });
    // A new price or plug changes the reading: it is read again.
    http.expectOne('/api/energy').flush({ ...STATUS, pricePerKwh: 0.41, currency: 'EUR' });
    http.expectOne((r) => r.url === '/api/energy/history').flush(history('1h', [23]));
    await fixture.whenStable();

    await (await input('username')).setValue('owner@example.org');
    await (await input('password')).setValue('tapo-password');
    await save.click();
    const withAccount = http.expectOne('/api/energy/settings');
    expect(withAccount.request.body).toEqual({
      plugHost: '192.168.1.41',
      pricePerKwh: 0.41,
      currency: 'EUR',
      username: 'owner@example.org',
      password: 'tapo-password',
    });
    withAccount.flush(apiError('VALIDATION_FAILED', 'plugHost: must be a host name.'), {
      status: 400,
      statusText: 'x',
    });
    await fixture.whenStable();
    expect(pageText()).toContain('plugHost: must be a host name.');
  });
});
