import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { HarnessLoader } from '@angular/cdk/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import type { SmartReport, SmartSummary } from '../../core/api-client';
import { AuthStore, REFRESH_TOKEN_STORAGE } from '../../core/auth-store';
import { MemoryStorage, makeSession, makeUser } from '../../core/testing';
import SmartPage from './smart-page';

const SDA: SmartSummary = {
  device: '/dev/sda',
  type: 'sat',
  protocol: 'ATA',
  model: 'Sim HDD',
  serial: 'S1',
  capacityBytes: 4e12,
  health: 'FAILED',
  temperatureCelsius: 41,
  powerOnSeconds: 3600 * 1000,
  warnings: ['Reallocated sectors rising'],
  isSelfTestRunning: false,
  error: null,
};

const REPORT: SmartReport = {
  device: '/dev/sda',
  protocol: 'ATA',
  model: 'Sim HDD',
  serial: 'S1',
  firmware: '1.0',
  capacityBytes: 4e12,
  rotationRpm: 7200,
  health: 'FAILED',
  temperatureCelsius: 41,
  powerOnSeconds: 3600 * 1000,
  powerCycles: 12,
  attributes: [
    {
      id: 5,
      name: 'Reallocated_Sector_Ct',
      value: 1,
      worst: 1,
      thresh: 10,
      raw: 900,
      rawString: '900',
      isPrefailure: true,
      isFailingNow: true,
      hasFailedInPast: false,
    },
  ],
  selfTest: { isRunning: false, remainingPercent: null, log: [] },
  warnings: [],
};

describe('SmartPage', () => {
  let http: HttpTestingController;
  let loader: HarnessLoader;
  let fixture: ComponentFixture<SmartPage>;

  async function open(role: 'admin' | 'user'): Promise<void> {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: REFRESH_TOKEN_STORAGE, useValue: new MemoryStorage() },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    TestBed.inject(AuthStore).login('u', 'pw').subscribe();
    http.expectOne('/api/auth/login').flush(makeSession(1, makeUser({ role })));
    fixture = TestBed.createComponent(SmartPage);
    loader = TestbedHarnessEnvironment.loader(fixture);
    http.expectOne('/api/smart').flush({ mode: 'simulated', devices: [SDA] });
    await fixture.whenStable();
  }

  function text(): string {
    return (fixture.nativeElement as HTMLElement).textContent;
  }

  afterEach(() => {
    http.verify();
  });

  it('shows health, warnings and, on request, the attributes; admins start a self-test', async () => {
    await open('admin');
    expect(text()).toContain('Reallocated sectors rising');
    expect(text()).toContain('1,000 h');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Details' }))).click();
    http.expectOne('/api/smart/sda').flush(REPORT);
    await fixture.whenStable();
    expect(text()).toContain('Reallocated_Sector_Ct (pre-fail)');

    await (await loader.getHarness(MatButtonHarness.with({ text: 'Short self-test' }))).click();
    const start = http.expectOne('/api/smart/sda/self-tests');
    expect(start.request.body).toEqual({ type: 'short' });
    start.flush({});
    http.expectOne('/api/smart').flush({ mode: 'simulated', devices: [{ ...SDA, isSelfTestRunning: true }] });
    http.expectOne('/api/smart/sda').flush({
      ...REPORT,
      selfTest: { isRunning: true, remainingPercent: 70, log: [] },
    });
    await fixture.whenStable();
    expect(text()).toContain('Running, 70% left');
  });

  it('offers users no self-tests', async () => {
    await open('user');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Details' }))).click();
    http.expectOne('/api/smart/sda').flush(REPORT);
    expect(await loader.getAllHarnesses(MatButtonHarness.with({ text: /self-test/ }))).toEqual([]);
  });
});
