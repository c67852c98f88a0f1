import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { HarnessLoader } from '@angular/cdk/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatDialogHarness } from '@angular/material/dialog/testing';
import { MatMenuHarness } from '@angular/material/menu/testing';
import { MatProgressBarHarness } from '@angular/material/progress-bar/testing';
import type { RaidArray, RaidOverview } from '../../core/api-client';
import { AuthStore, REFRESH_TOKEN_STORAGE } from '../../core/auth-store';
import { MemoryStorage, apiError, makeSession, makeUser } from '../../core/testing';
import RaidPage from './raid-page';
import { RAID_REFRESH_MS, RaidStore } from './raid-store';

function makeArray(overrides: Partial<RaidArray> = {}): RaidArray {
  return {
    name: 'md0',
    level: 'raid1',
    state: 'clean',
    isDegraded: false,
    sizeBytes: 5_000_000_000,
    raidDevices: 2,
    members: [
      { device: '/dev/sda', role: 'active', slot: 0, isRebuilding: false },
      { device: '/dev/sdb', role: 'active', slot: 1, isRebuilding: false },
    ],
    sync: null,
    ...overrides,
  };
}

function overview(arrays: readonly RaidArray[]): RaidOverview {
  return {
    mode: 'simulated',
    arrays,
    disks: [
      { device: '/dev/sda', sizeBytes: 5e9, isSystemDisk: false, arrayName: 'md0' },
      { device: '/dev/sdb', sizeBytes: 5e9, isSystemDisk: false, arrayName: 'md0' },
      { device: '/dev/sdc', sizeBytes: 5e9, isSystemDisk: false, arrayName: null },
      { device: '/dev/nvme0n1', sizeBytes: 5e11, isSystemDisk: true, arrayName: null },
    ],
    speedLimits: { minBytesPerSecond: 1000, maxBytesPerSecond: 200_000 },
  };
}

const RECOVERING = makeArray({
  state: 'recovering',
  isDegraded: true,
  members: [
    { device: '/dev/sda', role: 'active', slot: 0, isRebuilding: false },
    { device: '/dev/sdc', role: 'active', slot: 1, isRebuilding: true },
  ],
  sync: { action: 'recover', progressPercent: 10, speedBytesPerSecond: 100_000_000, finishSeconds: 40 },
});

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

function logInAs(http: HttpTestingController, role: 'admin' | 'user'): void {
  TestBed.inject(AuthStore).login('u', 'pw').subscribe();
  http.expectOne('/api/auth/login').flush(makeSession(1, makeUser({ role })));
}

describe('RaidPage', () => {
  let http: HttpTestingController;
  let loader: HarnessLoader;
  let root: HarnessLoader;

  async function open(role: 'admin' | 'user', arrays: readonly RaidArray[] = [makeArray()]): Promise<void> {
    configure();
    http = TestBed.inject(HttpTestingController);
    logInAs(http, role);
    const fixture = TestBed.createComponent(RaidPage);
    loader = TestbedHarnessEnvironment.loader(fixture);
    root = TestbedHarnessEnvironment.documentRootLoader(fixture);
    http.expectOne('/api/raid').flush(overview(arrays));
    await fixture.whenStable();
  }

  afterEach(async () => {
    const dialogs = await root.getAllHarnesses(MatDialogHarness);
    await Promise.all(dialogs.map((d) => d.close()));
    http.verify();
  });

  it('asks the server, shows its confirmation message, and repeats the request with its token', async () => {
    await open('admin');
    const menu = await loader.getHarness(MatMenuHarness.with({ triggerText: /more_vert/ }));
    await menu.open();
    await menu.clickItem({ text: /Mark faulty/ });

    const first = http.expectOne('/api/raid/arrays/md0/members/sda/fail');
    expect(first.request.method).toBe('POST');
    expect(first.request.body).toEqual({});
    first.flush(
      {
        error: {
          code: 'CONFIRMATION_REQUIRED',
          message: 'This will mark /dev/sda faulty in md0; repeat the request with confirmToken=tok-1.',
          details: { confirmToken: 'tok-1', reason: 'missing' },
          requestId: 'r1',
        },
      },
      { status: 428, statusText: 'Precondition Required' },
    );

    const dialog = await root.getHarness(MatDialogHarness);
    expect(await dialog.getTitleText()).toBe('Fail /dev/sda?');
    expect(await dialog.getContentText()).toContain('This will mark /dev/sda faulty in md0');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Mark faulty' }))).click();

    const second = http.expectOne('/api/raid/arrays/md0/members/sda/fail');
    expect(second.request.body).toEqual({ confirmToken: 'tok-1' });
    second.flush(makeArray({ state: 'degraded', isDegraded: true }));
    http.expectOne('/api/raid').flush(overview([makeArray({ state: 'degraded', isDegraded: true })]));
    expect(await root.getAllHarnesses(MatDialogHarness)).toEqual([]);
  });

  it('sends nothing more when the confirmation is cancelled', async () => {
    await open('admin');
    const spare = await loader.getHarness(MatMenuHarness.with({ triggerText: /Add spare/ }));
    await spare.open();
    await spare.clickItem({ text: /\/dev\/sdc/ });
    const first = http.expectOne('/api/raid/arrays/md0/spares');
    expect(first.request.body).toEqual({ device: '/dev/sdc' });
    first.flush(
      {
        error: {
          code: 'CONFIRMATION_REQUIRED',
          message: 'This erases /dev/sdc.',
          details: { confirmToken: 't' },
          requestId: 'r',
        },
      },
      { status: 428, statusText: 'x' },
    );
    const dialog = await root.getHarness(MatDialogHarness);
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Cancel' }))).click();
    http.expectNone('/api/raid/arrays/md0/spares');
  });

  it("shows the server's message when an action fails", async () => {
    await open('admin');
    await (await loader.getHarness(MatButtonHarness.with({ text: /Start check/ }))).click();
    http
      .expectOne('/api/raid/arrays/md0/check')
      .flush(apiError('CONFLICT', 'md0 is busy.'), { status: 409, statusText: 'Conflict' });
    expect(document.body.textContent).toContain('md0 is busy.');
  });

  it('shows a rebuild as a progress bar and offers no changes to users', async () => {
    await open('user', [RECOVERING]);
    const bar = await loader.getHarness(
      MatProgressBarHarness.with({ selector: '[aria-label="Rebuilding md0"]' }),
    );
    expect(await bar.getValue()).toBe(10);
    expect(await loader.getAllHarnesses(MatMenuHarness)).toEqual([]);
    expect(await loader.getAllHarnesses(MatButtonHarness.with({ text: /Add spare|Start check/ }))).toEqual(
      [],
    );
  });
});

describe('RaidStore refresh', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    jasmine.clock().install();
    configure();
    TestBed.configureTestingModule({ providers: [RaidStore] });
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    jasmine.clock().uninstall();
    http.verify();
  });

  it('asks again every few seconds while an array rebuilds, and stops once it is clean', () => {
    const store = TestBed.inject(RaidStore);
    store.load();
    http.expectOne('/api/raid').flush(overview([RECOVERING]));
    expect(store.isSyncing()).toBeTrue();

    jasmine.clock().tick(RAID_REFRESH_MS - 1);
    http.expectNone('/api/raid');
    jasmine.clock().tick(1);
    http
      .expectOne('/api/raid')
      .flush(overview([{ ...RECOVERING, sync: { ...RECOVERING.sync!, progressPercent: 60 } }]));
    expect(store.arrays()[0]?.sync?.progressPercent).toBe(60);

    jasmine.clock().tick(RAID_REFRESH_MS);
    http.expectOne('/api/raid').flush(overview([makeArray()]));
    expect(store.isSyncing()).toBeFalse();

    jasmine.clock().tick(RAID_REFRESH_MS * 5);
    http.expectNone('/api/raid');
  });

  it('does not refresh a clean array', () => {
    const store = TestBed.inject(RaidStore);
    store.load();
    http.expectOne('/api/raid').flush(overview([makeArray()]));
    jasmine.clock().tick(RAID_REFRESH_MS * 3);
    http.expectNone('/api/raid');
  });
});
