import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import { forkJoin } from 'rxjs';
import {
  ApiClient,
  type AppNotification,
  type AuditEntry,
  type EnergyStatus,
  type Health,
  type RaidArray,
  type Share,
  type SmartSummary,
  type TelemetryHistory,
  type TelemetryMetric,
  type Usage,
} from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { AuthStore } from '../../core/auth-store';

export const RECENT_AUDIT_LIMIT = 10;
export const RECENT_NOTIFICATIONS_LIMIT = 5;
/** How often the live charts ask for the last hour again. */
export const LIVE_REFRESH_MS = 15_000;

/** One line of a chart: ngx-charts' shape, values already in the chart's unit. */
export interface ChartSeries {
  readonly name: string;
  readonly series: readonly { readonly name: Date; readonly value: number }[];
}

export interface LiveCharts {
  readonly cpu: readonly ChartSeries[];
  readonly memory: readonly ChartSeries[];
  readonly network: readonly ChartSeries[];
}

const LIVE_METRICS: readonly TelemetryMetric[] = [
  'cpu.percent',
  'memory.used_bytes',
  'network.rx_bytes_per_second',
  'network.tx_bytes_per_second',
];

function toSeries(name: string, history: TelemetryHistory, scale: number): ChartSeries {
  return { name, series: history.points.map((p) => ({ name: new Date(p.at), value: p.value / scale })) };
}

/**
 * What the dashboard shows today: the server's health and version, your storage use, and for admins the shares'
 * usage and the latest audit events.
 */
@Injectable()
export class DashboardStore {
  private readonly api = inject(ApiClient);
  private readonly auth = inject(AuthStore);

  private readonly healthState = signal<Health | null>(null);
  private readonly healthProblemState = signal<ApiProblem | null>(null);
  private readonly recentAuditState = signal<readonly AuditEntry[] | null>(null);
  private readonly auditProblemState = signal<ApiProblem | null>(null);
  private readonly usageState = signal<Usage | null>(null);
  private readonly usageProblemState = signal<ApiProblem | null>(null);
  private readonly sharesState = signal<readonly Share[] | null>(null);
  private readonly sharesProblemState = signal<ApiProblem | null>(null);

  private readonly raidState = signal<readonly RaidArray[] | null>(null);
  private readonly raidProblemState = signal<ApiProblem | null>(null);
  private readonly smartState = signal<readonly SmartSummary[] | null>(null);
  private readonly smartProblemState = signal<ApiProblem | null>(null);
  private readonly chartsState = signal<LiveCharts | null>(null);
  private readonly chartsProblemState = signal<ApiProblem | null>(null);
  private readonly energyState = signal<EnergyStatus | null>(null);
  private readonly energyProblemState = signal<ApiProblem | null>(null);
  private readonly notificationsState = signal<readonly AppNotification[] | null>(null);
  private readonly notificationsProblemState = signal<ApiProblem | null>(null);
  private liveTimer: ReturnType<typeof setInterval> | null = null;

  readonly raid = this.raidState.asReadonly();
  readonly raidProblem = this.raidProblemState.asReadonly();
  readonly smart = this.smartState.asReadonly();
  readonly smartProblem = this.smartProblemState.asReadonly();
  readonly charts = this.chartsState.asReadonly();
  readonly chartsProblem = this.chartsProblemState.asReadonly();
  /** The energy plug's reading (watts, today's cost), refreshed with the live charts. */
  readonly energy = this.energyState.asReadonly();
  readonly energyProblem = this.energyProblemState.asReadonly();
  readonly notifications = this.notificationsState.asReadonly();
  readonly notificationsProblem = this.notificationsProblemState.asReadonly();
  readonly user = this.auth.user;
  readonly isAdmin = this.auth.isAdmin;
  readonly health = this.healthState.asReadonly();
  readonly healthProblem = this.healthProblemState.asReadonly();
  readonly recentAudit = this.recentAuditState.asReadonly();
  readonly auditProblem = this.auditProblemState.asReadonly();
  readonly usage = this.usageState.asReadonly();
  readonly usageProblem = this.usageProblemState.asReadonly();
  /** Admins only: every share, largest first. */
  readonly shares = this.sharesState.asReadonly();
  readonly sharesProblem = this.sharesProblemState.asReadonly();

  load(): void {
    this.api.health().subscribe({
      next: (health) => {
        this.healthState.set(health);
        this.healthProblemState.set(null);
      },
      error: (err: unknown) => {
        this.healthProblemState.set(toApiProblem(err));
      },
    });
    this.api.usage().subscribe({
      next: (usage) => {
        this.usageState.set(usage);
        this.usageProblemState.set(null);
      },
      error: (err: unknown) => {
        this.usageProblemState.set(toApiProblem(err));
      },
    });
    if (this.auth.isAdmin()) {
      this.api.listShares().subscribe({
        next: (shares) => {
          this.sharesState.set([...shares].sort((a, b) => b.usedBytes - a.usedBytes));
          this.sharesProblemState.set(null);
        },
        error: (err: unknown) => {
          this.sharesProblemState.set(toApiProblem(err));
        },
      });
      this.api.audit({ limit: RECENT_AUDIT_LIMIT }).subscribe({
        next: (page) => {
          this.recentAuditState.set(page.items);
          this.auditProblemState.set(null);
        },
        error: (err: unknown) => {
          this.auditProblemState.set(toApiProblem(err));
        },
      });
    }
  }

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.stopLive();
    });
  }

  /** RAID state, the SMART summary and, for admins, the latest notifications. */
  loadHardware(): void {
    this.api.raid().subscribe({
      next: (o) => {
        this.raidState.set(o.arrays);
        this.raidProblemState.set(null);
      },
      error: (err: unknown) => {
        this.raidProblemState.set(toApiProblem(err));
      },
    });
    this.api.smartDevices().subscribe({
      next: (o) => {
        this.smartState.set(o.devices);
        this.smartProblemState.set(null);
      },
      error: (err: unknown) => {
        this.smartProblemState.set(toApiProblem(err));
      },
    });
    if (this.auth.isAdmin()) {
      this.api.notifications(RECENT_NOTIFICATIONS_LIMIT).subscribe({
        next: (page) => {
          this.notificationsState.set(page.items);
          this.notificationsProblemState.set(null);
        },
        error: (err: unknown) => {
          this.notificationsProblemState.set(toApiProblem(err));
        },
      });
    }
  }

  markRead(notification: AppNotification): void {
    this.api.markNotificationRead(notification.id).subscribe({
      next: (updated) => {
        this.notificationsState.update(
          (list) => list?.map((n) => (n.id === updated.id ? updated : n)) ?? null,
        );
      },
      error: (err: unknown) => {
        this.notificationsProblemState.set(toApiProblem(err));
      },
    });
  }

  markAllRead(): void {
    this.api.markAllNotificationsRead().subscribe({
      next: () => {
        const now = new Date().toISOString();
        this.notificationsState.update(
          (list) => list?.map((n) => (n.readAt === null ? { ...n, readAt: now } : n)) ?? null,
        );
      },
      error: (err: unknown) => {
        this.notificationsProblemState.set(toApiProblem(err));
      },
    });
  }

  /** Loads the last hour of CPU, memory and network and the energy reading, and again every LIVE_REFRESH_MS until stopped. */
  startLive(): void {
    this.stopLive();
    this.loadCharts();
    this.loadEnergy();
    this.liveTimer = setInterval(() => {
      this.loadCharts();
      this.loadEnergy();
    }, LIVE_REFRESH_MS);
  }

  stopLive(): void {
    if (this.liveTimer !== null) clearInterval(this.liveTimer);
    this.liveTimer = null;
  }

  loadEnergy(): void {
    this.api.energy().subscribe({
      next: (status) => {
        this.energyState.set(status);
        this.energyProblemState.set(null);
      },
      error: (err: unknown) => {
        this.energyProblemState.set(toApiProblem(err));
      },
    });
  }

  loadCharts(): void {
    forkJoin(LIVE_METRICS.map((m) => this.api.telemetryHistory(m, '1h'))).subscribe({
      next: ([cpu, memory, rx, tx]) => {
        if (!cpu || !memory || !rx || !tx) return;
        this.chartsState.set({
          cpu: [toSeries('CPU %', cpu, 1)],
          memory: [toSeries('Memory GB', memory, 1024 ** 3)],
          network: [toSeries('Received KB/s', rx, 1024), toSeries('Sent KB/s', tx, 1024)],
        });
        this.chartsProblemState.set(null);
      },
      error: (err: unknown) => {
        this.chartsProblemState.set(toApiProblem(err));
      },
    });
  }
}
