import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { AuthStore, REFRESH_TOKEN_STORAGE } from '../../core/auth-store';
import type { EnergyStatus } from '../../core/api-client';
import { MemoryStorage, makeSession, makeUser } from '../../core/testing';
import { DashboardStore, LIVE_REFRESH_MS } from './dashboard-store';

const ENERGY: EnergyStatus = {
  backend: 'simulated',
  configured: true,
  plug: { id: 'nas', name: 'NAS', model: 'simulated', isOn: true },
  powerWatts: 23.5,
  todayKwh: 0.412,
  monthKwh: 9.87,
  costToday: 0.12,
  costMonth: 2.96,
  pricePerKwh: 0.3,
  currency: 'EUR',
  readAt: '2026-11-28T02:00:00.000Z',
};

describe('DashboardStore hardware and live charts', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    jasmine.clock().install();
    TestBed.configureTestingModule({
      providers: [
        DashboardStore,
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: REFRESH_TOKEN_STORAGE, useValue: new MemoryStorage() },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    TestBed.inject(AuthStore).login('u', 'pw').subscribe();
    http.expectOne('/api/auth/login').flush(makeSession(1, makeUser({ role: 'admin' })));
  });

  afterEach(() => {
    jasmine.clock().uninstall();
    http.verify();
  });

  function flushCharts(cpu: number): void {
    for (const metric of [
      'cpu.percent',
      'memory.used_bytes',
      'network.rx_bytes_per_second',
      'network.tx_bytes_per_second',
    ]) {
      const req = http.expectOne(
        (r) => r.url === '/api/telemetry/history' && r.params.get('metric') === metric,
      );
      expect(req.request.params.get('range')).toBe('1h');
      req.flush({
        metric,
        range: '1h',
        resolution: 'raw',
        points: [{ at: '2026-11-28T02:00:00.000Z', value: metric === 'cpu.percent' ? cpu : 2048 }],
      });
    }
  }

  it('loads the last hour and again every refresh interval until stopped', () => {
    const store = TestBed.inject(DashboardStore);
    store.startLive();
    flushCharts(12);
    http.expectOne('/api/energy').flush(ENERGY);
    expect(store.energy()?.costToday).toBe(0.12);
    expect(store.charts()?.cpu[0]?.series[0]?.value).toBe(12);
    expect(store.charts()?.network.map((s) => s.name)).toEqual(['Received KB/s', 'Sent KB/s']);
    expect(store.charts()?.network[0]?.series[0]?.value).toBe(2);

    jasmine.clock().tick(LIVE_REFRESH_MS);
    flushCharts(80);
    http.expectOne('/api/energy').flush({ ...ENERGY, powerWatts: 31 });
    expect(store.energy()?.powerWatts).toBe(31);
    expect(store.charts()?.cpu[0]?.series[0]?.value).toBe(80);

    store.stopLive();
    jasmine.clock().tick(LIVE_REFRESH_MS * 3);
    http.expectNone((r) => r.url === '/api/telemetry/history');
    http.expectNone('/api/energy');
  });

  it('fills RAID, SMART and, for admins, recent notifications', () => {
    const store = TestBed.inject(DashboardStore);
    store.loadHardware();
    http.expectOne('/api/raid').flush({ mode: 'simulated', arrays: [], disks: [], speedLimits: {} });
    http
      .expectOne('/api/smart')
      .flush(
        { error: { code: 'DRIVER_UNAVAILABLE', message: 'smartctl is missing.' } },
        { status: 503, statusText: 'x' },
      );
    http.expectOne((r) => r.url === '/api/notifications').flush({ items: [], nextCursor: null });
    expect(store.raid()).toEqual([]);
    expect(store.smartProblem()?.message).toBe('smartctl is missing.');
    expect(store.notifications()).toEqual([]);
  });

  it('marks one notification read, then all', () => {
    const store = TestBed.inject(DashboardStore);
    store.loadHardware();
    http.expectOne('/api/raid').flush({ mode: 'simulated', arrays: [], disks: [], speedLimits: {} });
    http.expectOne('/api/smart').flush({ mode: 'simulated', devices: [] });
    const note = (id: number) => ({
      id,
      at: '2026-11-28T02:00:00.000Z',
      severity: 'warning',
      rule: 'disk_hot',
      title: `Alert ${id}`,
      body: '',
      readAt: null,
      resolvedAt: null,
    });
    const list = http.expectOne((r) => r.url === '/api/notifications');
    expect(list.request.params.get('limit')).toBe('5');
    list.flush({ items: [note(1), note(2)], nextCursor: null });

    store.markRead(store.notifications()![0]!);
    http.expectOne('/api/notifications/1/read').flush({ ...note(1), readAt: '2026-11-28T02:01:00.000Z' });
    expect(store.notifications()?.map((n) => n.readAt !== null)).toEqual([true, false]);

    store.markAllRead();
    http.expectOne('/api/notifications/read-all').flush({ updated: 1 });
    expect(store.notifications()?.every((n) => n.readAt !== null)).toBeTrue();
  });

  it('marks one notification read, then all', () => {
    const store = TestBed.inject(DashboardStore);
    store.loadHardware();
    http.expectOne('/api/raid').flush({ mode: 'simulated', arrays: [], disks: [], speedLimits: {} });
    http.expectOne('/api/smart').flush({ mode: 'simulated', devices: [] });
    const note = (id: number) => ({
      id,
      at: '2026-11-28T02:00:00.000Z',
      severity: 'warning',
      rule: 'disk_hot',
      title: `Alert ${id}`,
      body: '',
      readAt: null,
      resolvedAt: null,
    });
    const list = http.expectOne((r) => r.url === '/api/notifications');
    expect(list.request.params.get('limit')).toBe('5');
    list.flush({ items: [note(1), note(2)], nextCursor: null });

    const first = store.notifications()?.[0];
    expect(first).toBeDefined();
    if (first) store.markRead(first);
    http.expectOne('/api/notifications/1/read').flush({ ...note(1), readAt: '2026-11-28T02:01:00.000Z' });
    expect(store.notifications()?.map((n) => n.readAt !== null)).toEqual([true, false]);

    store.markAllRead();
    http.expectOne('/api/notifications/read-all').flush({ updated: 1 });
    expect(store.notifications()?.every((n) => n.readAt !== null)).toBeTrue();
  });
});
