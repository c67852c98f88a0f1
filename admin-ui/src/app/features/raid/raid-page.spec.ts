import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { HarnessLoader } from '@angular/cdk/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatDialogHarness } from '@angular/material/dialog/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatMenuHarness } from '@angular/material/menu/testing';
import { MatSelectHarness } from '@angular/material/select/testing';
import { MatProgressBarHarness } from '@angular/material/progress-bar/testing';
import type { RaidArray, RaidDisk, RaidOverview } from '../../core/api-client';
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

function overview(arrays: readonly RaidArray[], extraDisks: readonly RaidDisk[] = []): RaidOverview {
  return {
    mode: 'simulated',
    arrays,
    disks: [
      { device: '/dev/sda', sizeBytes: 5e9, isSystemDisk: false, arrayName: 'md0' },
      { device: '/dev/sdb', sizeBytes: 5e9, isSystemDisk: false, arrayName: 'md0' },
      { device: '/dev/sdc', sizeBytes: 5e9, isSystemDisk: false, arrayName: null },
      { device: '/dev/nvme0n1', sizeBytes: 5e11, isSystemDisk: true, arrayName: null },
      ...extraDisks,
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

  async function open(
    role: 'admin' | 'user',
    arrays: readonly RaidArray[] = [makeArray()],
    extraDisks: readonly RaidDisk[] = [],
  ): Promise<void> {
    configure();
    http = TestBed.inject(HttpTestingController);
    logInAs(http, role);
    const fixture = TestBed.createComponent(RaidPage);
    loader = TestbedHarnessEnvironment.loader(fixture);
    root = TestbedHarnessEnvironment.documentRootLoader(fixture);
    http.expectOne('/api/raid').flush(overview(arrays, extraDisks));
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

  function confirmationRequired(
    token: string,
    message: string,
  ): [object, { status: number; statusText: string }] {
    return [
      { error: { code: 'CONFIRMATION_REQUIRED', message, details: { confirmToken: token }, requestId: 'r' } },
      { status: 428, statusText: 'Precondition Required' },
    ];
  }

  it('creates an array from free disks: checks the count for the level, then confirms with the server', async () => {
    await open(
      'admin',
      [makeArray()],
      [{ device: '/dev/sdd', sizeBytes: 5e9, isSystemDisk: false, arrayName: null }],
    );
    await (await loader.getHarness(MatButtonHarness.with({ text: /New array/ }))).click();
    const dialog = await root.getHarness(MatDialogHarness);
    const name = await dialog.getHarness(MatInputHarness.with({ selector: '[formControlName="name"]' }));
    expect(await name.getValue()).toBe('md1');
    const [level, disks] = await dialog.getAllHarnesses(MatSelectHarness);
    await level!.open();
    await level!.clickOptions({ text: /RAID 5/ });
    await disks!.open();
    await disks!.clickOptions({ text: /\/dev\/sdc/ });
    await disks!.clickOptions({ text: /\/dev\/sdd/ });
    // The panel stays open: closing it by Escape would close the dialog as well.
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Create' }))).click();
    expect(await dialog.getText()).toContain('Choose at least 3 disks for this level.');
    await level!.open();
    await level!.clickOptions({ text: /RAID 1 / });
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Create' }))).click();

    const first = http.expectOne('/api/raid/arrays');
    const request = { name: 'md1', level: 'raid1', devices: ['/dev/sdc', '/dev/sdd'] };
    expect(first.request.body).toEqual(request);
    first.flush(...confirmationRequired('tok-c', 'This erases /dev/sdc and /dev/sdd to create md1.'));
    const confirm = await root.getHarness(MatDialogHarness);
    expect(await confirm.getTitleText()).toBe('Create md1?');
    expect(await confirm.getContentText()).toContain('This erases /dev/sdc and /dev/sdd');
    await (await confirm.getHarness(MatButtonHarness.with({ text: 'Erase and create' }))).click();
    const second = http.expectOne('/api/raid/arrays');
    expect(second.request.body).toEqual({ ...request, confirmToken: 'tok-c' });
    second.flush(makeArray({ name: 'md1' }), { status: 201, statusText: 'Created' });
    http.expectOne('/api/raid').flush(overview([makeArray(), makeArray({ name: 'md1' })]));
  });

  it('deletes an array after the confirmation, sending the token as a query parameter', async () => {
    await open('admin');
    await (await loader.getHarness(MatButtonHarness.with({ text: /Delete array/ }))).click();
    http
      .expectOne('/api/raid/arrays/md0')
      .flush(...confirmationRequired('tok-d', 'This stops md0 and wipes /dev/sda and /dev/sdb.'));
    const confirm = await root.getHarness(MatDialogHarness);
    expect(await confirm.getTitleText()).toBe('Delete md0?');
    await (await confirm.getHarness(MatButtonHarness.with({ text: 'Delete array' }))).click();
    const second = http.expectOne('/api/raid/arrays/md0?confirmToken=tok-d');
    expect(second.request.method).toBe('DELETE');
    second.flush(null, { status: 204, statusText: 'No Content' });
    http.expectOne('/api/raid').flush(overview([]));
  });

  it('saves the sync speed limits in bytes per second, refusing a minimum above the maximum', async () => {
    await open('admin');
    const min = await loader.getHarness(MatInputHarness.with({ selector: '[formControlName="minKib"]' }));
    const max = await loader.getHarness(MatInputHarness.with({ selector: '[formControlName="maxKib"]' }));
    expect(await min.getValue()).toBe('1');
    expect(await max.getValue()).toBe('195');
    await min.setValue('500');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Save limits' }))).click();
    expect(document.body.textContent).toContain('The minimum cannot be above the maximum.');
    http.expectNone('/api/raid/speed-limits');
    await max.setValue('100000');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Save limits' }))).click();
    const req = http.expectOne('/api/raid/speed-limits');
    expect(req.request.method).toBe('PUT');
    expect(req.request.body).toEqual({ minBytesPerSecond: 500 * 1024, maxBytesPerSecond: 100_000 * 1024 });
    req.flush({ minBytesPerSecond: 500 * 1024, maxBytesPerSecond: 100_000 * 1024 });
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
