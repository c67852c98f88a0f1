import { DatePipe, DecimalPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatIconModule } from '@angular/material/icon';
import { MatListModule } from '@angular/material/list';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { LineChartModule } from '@swimlane/ngx-charts';
import type { AppNotification } from '../../core/api-client';
import { ByteSizePipe } from '../../shared/byte-size';
import { QuotaBar } from '../../shared/quota-bar';
import { DashboardStore } from './dashboard-store';

@Component({
  selector: 'bh-dashboard-page',
  imports: [
    ByteSizePipe,
    DatePipe,
    DecimalPipe,
    LineChartModule,
    MatButtonModule,
    MatCardModule,
    MatIconModule,
    MatListModule,
    MatProgressBarModule,
    QuotaBar,
    RouterLink,
  ],
  providers: [DashboardStore],
  templateUrl: './dashboard-page.html',
  styleUrl: './dashboard-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class DashboardPage {
  private readonly store = inject(DashboardStore);

  protected readonly user = this.store.user;
  protected readonly isAdmin = this.store.isAdmin;
  protected readonly health = this.store.health;
  protected readonly healthProblem = this.store.healthProblem;
  protected readonly recentAudit = this.store.recentAudit;
  protected readonly auditProblem = this.store.auditProblem;
  protected readonly usage = this.store.usage;
  protected readonly usageProblem = this.store.usageProblem;
  protected readonly shares = this.store.shares;
  protected readonly sharesProblem = this.store.sharesProblem;
  protected readonly raid = this.store.raid;
  protected readonly raidProblem = this.store.raidProblem;
  protected readonly smart = this.store.smart;
  protected readonly smartProblem = this.store.smartProblem;
  protected readonly charts = this.store.charts;
  protected readonly chartsProblem = this.store.chartsProblem;
  protected readonly energy = this.store.energy;
  protected readonly energyProblem = this.store.energyProblem;
  protected readonly notifications = this.store.notifications;
  protected readonly notificationsProblem = this.store.notificationsProblem;
  protected readonly timeTick = (d: Date | string): string =>
    new Date(d).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

  protected markRead(notification: AppNotification): void {
    this.store.markRead(notification);
  }

  protected markAllRead(): void {
    this.store.markAllRead();
  }

  constructor() {
    this.store.load();
    this.store.loadHardware();
    this.store.startLive();
  }
}
