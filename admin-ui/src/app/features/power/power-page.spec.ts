import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { HarnessLoader } from '@angular/cdk/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatSelectHarness } from '@angular/material/select/testing';
import { provideNoopAnimations } from '@angular/platform-browser/animations';
import type { PowerCpu, PowerOverview } from '../../core/api-client';
import { AuthStore, REFRESH_TOKEN_STORAGE } from '../../core/auth-store';
import { MemoryStorage, makeSession, makeUser } from '../../core/testing';
import PowerPage from './power-page';

function cpu(n: number): PowerCpu {
  return {
    cpu: n,
    governor: 'powersave',
    energyPerformancePreference: 'balance_power',
    currentHz: 1_800_000_000,
    minHz: 800_000_000,
    maxHz: 3_000_000_000,
    hardwareMinHz: 400_000_000,
    hardwareMaxHz: 4_000_000_000,
  };
}

const OVERVIEW: PowerOverview = {
  mode: 'simulated',
  status: {
    scalingDriver: 'intel_pstate',
    governor: 'powersave',
    availableGovernors: ['performance', 'powersave'],
    energyPerformancePreference: 'balance_power',
    availableEnergyPerformancePreferences: ['performance', 'balance_performance', 'balance_power', 'power'],
    hardwareMinHz: 400_000_000,
    hardwareMaxHz: 4_000_000_000,
    cpus: [cpu(0), cpu(1)],
    activeProfile: 'balanced',
  },
  profiles: [
    {
      name: 'powersave',
      governor: 'powersave',
      energyPerformancePreference: 'power',
      minHz: null,
      maxHz: null,
    },
    {
      name: 'balanced',
      governor: 'powersave',
      energyPerformancePreference: 'balance_power',
      minHz: null,
      maxHz: null,
    },
    {
      name: 'performance',
      governor: 'performance',
      energyPerformancePreference: 'performance',
      minHz: null,
      maxHz: null,
    },
  ],
};

describe('PowerPage', () => {
  let http: HttpTestingController;
  let loader: HarnessLoader;
  let fixture: ComponentFixture<PowerPage>;

  async function open(role: 'admin' | 'user'): Promise<void> {
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
    fixture = TestBed.createComponent(PowerPage);
    loader = TestbedHarnessEnvironment.loader(fixture);
    http.expectOne('/api/power').flush(OVERVIEW);
    await fixture.whenStable();
  }

  function text(): string {
    return (fixture.nativeElement as HTMLElement).textContent;
  }

  afterEach(() => {
    http.verify();
  });

  it('sets the energy-performance preference of every CPU', async () => {
    await open('admin');
    const epp = await loader.getHarness(
      MatSelectHarness.with({ selector: '[aria-label="Energy-performance preference"]' }),
    );
    expect(await epp.getValueText()).toBe('balance_power');
    await epp.open();
    await epp.clickOptions({ text: 'balance_performance' });
    const req = http.expectOne('/api/power/energy-performance-preference');
    expect(req.request.method).toBe('PUT');
    expect(req.request.body).toEqual({ preference: 'balance_performance' });
    req.flush(OVERVIEW.status);
    http.expectOne('/api/power').flush(OVERVIEW);
  });

  it('fills the limits in MHz, refuses them outside the hardware range or crossed, and sends hertz', async () => {
    await open('admin');
    const min = await loader.getHarness(MatInputHarness.with({ selector: '[formControlName="minMhz"]' }));
    const max = await loader.getHarness(MatInputHarness.with({ selector: '[formControlName="maxMhz"]' }));
    expect(await min.getValue()).toBe('800');
    expect(await max.getValue()).toBe('3000');
    const apply = await loader.getHarness(MatButtonHarness.with({ text: 'Apply limits' }));

    await max.setValue('5000');
    await apply.click();
    expect(text()).toContain("Both limits must lie within the hardware's 400 MHz to 4000 MHz.");
    await max.setValue('600');
    await apply.click();
    expect(text()).toContain('The lowest frequency cannot be above the highest.');
    http.expectNone('/api/power/limits');

    await max.setValue('2500');
    await min.setValue('1200');
    await apply.click();
    const req = http.expectOne('/api/power/limits');
    expect(req.request.body).toEqual({ minHz: 1_200_000_000, maxHz: 2_500_000_000 });
    req.flush(OVERVIEW.status);
    http.expectOne('/api/power').flush(OVERVIEW);
  });

  it('shows users the limits without the controls', async () => {
    await open('user');
    expect(await loader.getAllHarnesses(MatInputHarness)).toEqual([]);
    expect(await loader.getAllHarnesses(MatSelectHarness)).toEqual([]);
    expect(text()).toContain('Every CPU runs between 800 MHz and 3000 MHz.');
  });
});
