import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { HarnessLoader } from '@angular/cdk/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatCardHarness } from '@angular/material/card/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatDialogHarness } from '@angular/material/dialog/testing';
import { MatProgressBarHarness } from '@angular/material/progress-bar/testing';
import type { ServiceStatus } from '../../core/api-client';
import { REFRESH_TOKEN_STORAGE } from '../../core/auth-store';
import { MemoryStorage, apiError } from '../../core/testing';
import ServicesPage from './services-page';
import { SERVICES_REFRESH_MS, ServicesStore } from './services-store';

function service(name: string, overrides: Partial<ServiceStatus> = {}): ServiceStatus {
  return {
    name,
    state: 'running',
    since: '2026-01-01T00:00:00.000Z',
    lastError: null,
    figures: {},
    ...overrides,
  };
}

const SERVICES: readonly ServiceStatus[] = [
  service('http', { figures: { connections: 3, listeners: 1 } }),
  service('smb', {
    state: 'stopped',
    lastError: 'smbd is not running',
    figures: { pid: null, port: 445, version: '4.17.12', sessions: 0 },
  }),
  service('hardware.raid', {
    figures: { mode: 'simulated', lastProbeOk: true, probedAt: '2026-01-02T12:00:00.000Z' },
  }),
];

function configure(): void {
  TestBed.configureTestingModule({
    providers: [
      provideHttpClient(),
      provideHttpClientTesting(),
      { provide: REFRESH_TOKEN_STORAGE, useValue: new MemoryStorage() },
      { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
    ],
  });
}

describe('ServicesPage', () => {
  let http: HttpTestingController;
  let loader: HarnessLoader;
  let root: HarnessLoader;
  let fixture: ComponentFixture<ServicesPage>;

  beforeEach(async () => {
    configure();
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ServicesPage);
    loader = TestbedHarnessEnvironment.loader(fixture);
    root = TestbedHarnessEnvironment.documentRootLoader(fixture);
    http.expectOne('/api/services').flush(SERVICES);
    await fixture.whenStable();
  });

  afterEach(async () => {
    const dialogs = await root.getAllHarnesses(MatDialogHarness);
    await Promise.all(dialogs.map((d) => d.close()));
    http.verify();
  });

  it('shows one card per part with its state, last error and figures', async () => {
    const cards = await loader.getAllHarnesses(MatCardHarness);
    expect(await Promise.all(cards.map((c) => c.getTitleText()))).toEqual([
      'Web server',
      'SMB (smbd)',
      'RAID driver',
    ]);
    const smb = await loader.getHarness(MatCardHarness.with({ title: 'SMB (smbd)' }));
    expect(await smb.getSubtitleText()).toContain('stopped');
    expect(await smb.getText()).toContain('smbd is not running');
    expect(await smb.getText()).toContain('4.17.12');
    const raid = await loader.getHarness(MatCardHarness.with({ title: 'RAID driver' }));
    expect(await raid.getText()).toMatch(/lastProbeOk\s*yes/);
    expect(await raid.getText()).toMatch(/probedAt\s*Jan 2, 2026/);
    expect(document.body.textContent).toContain('1 need attention');
  });

  it('restarts smbd only after the confirmation, with progress, and shows the new state', async () => {
    const smb = await loader.getHarness(MatCardHarness.with({ title: 'SMB (smbd)' }));
    await (await smb.getHarness(MatButtonHarness.with({ text: /Restart smbd/ }))).click();
    http.expectNone('/api/services/smb/restart');
    const dialog = await root.getHarness(MatDialogHarness);
    expect(await dialog.getTitleText()).toBe('Restart smbd?');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Restart' }))).click();

    const restart = http.expectOne('/api/services/smb/restart');
    expect(restart.request.method).toBe('POST');
    expect(
      await loader.getHarness(
        MatProgressBarHarness.with({ selector: '[aria-label="Working on SMB (smbd)"]' }),
      ),
    ).toBeTruthy();
    restart.flush(service('smb', { figures: { pid: 4242, port: 445, version: '4.17.12', sessions: 0 } }));
    expect(await smb.getSubtitleText()).toContain('running');
    expect(await smb.getText()).toContain('4242');
    expect(await loader.getAllHarnesses(MatProgressBarHarness)).toEqual([]);
  });

  it('sends nothing when the restart is cancelled', async () => {
    await (await loader.getHarness(MatButtonHarness.with({ text: /Restart smbd/ }))).click();
    const dialog = await root.getHarness(MatDialogHarness);
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Cancel' }))).click();
    http.expectNone('/api/services/smb/restart');
  });

  it("probes a driver family and shows the server's message when it fails", async () => {
    await (await loader.getHarness(MatButtonHarness.with({ text: /Probe now/ }))).click();
    http
      .expectOne('/api/services/hardware/raid/probe')
      .flush(apiError('DRIVER_TIMEOUT', 'mdadm did not answer in 10 s.'), { status: 504, statusText: 'x' });
    expect(document.body.textContent).toContain('mdadm did not answer in 10 s.');
  });

  it('probes every part on "Check now"', async () => {
    await (await loader.getHarness(MatButtonHarness.with({ text: /Check now/ }))).click();
    const req = http.expectOne('/api/services?refresh=true');
    req.flush(SERVICES.map((s) => ({ ...s, state: 'running' as const, lastError: null })));
    await fixture.whenStable();
    expect(document.body.textContent).toContain('All parts running or turned off');
  });
});

describe('ServicesStore refresh', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    jasmine.clock().install();
    configure();
    TestBed.configureTestingModule({ providers: [ServicesStore] });
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    jasmine.clock().uninstall();
    http.verify();
  });

  it('asks for the latest sample again every interval, and stops when the page goes away', () => {
    const store = TestBed.inject(ServicesStore);
    store.load();
    http.expectOne('/api/services').flush(SERVICES);
    jasmine.clock().tick(SERVICES_REFRESH_MS - 1);
    http.expectNone('/api/services');
    jasmine.clock().tick(1);
    http.expectOne('/api/services').flush([service('http')]);
    expect(store.services()?.map((s) => s.name)).toEqual(['http']);
    TestBed.resetTestingModule();
    jasmine.clock().tick(SERVICES_REFRESH_MS * 3);
  });
});
