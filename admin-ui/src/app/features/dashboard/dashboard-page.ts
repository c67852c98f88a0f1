import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatIconModule } from '@angular/material/icon';
import { MatListModule } from '@angular/material/list';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { ByteSizePipe } from '../../shared/byte-size';
import { QuotaBar } from '../../shared/quota-bar';
import { DashboardStore } from './dashboard-store';

/** Planned cards whose API is still being built; each names what will fill it. */
interface PendingSlot {
  readonly id: string;
  readonly title: string;
  readonly icon: string;
  readonly waitsFor: string;
}

const PENDING_SLOTS: readonly PendingSlot[] = [
  { id: 'raid', title: 'RAID arrays', icon: 'dns', waitsFor: 'the RAID API (array state, rebuilds)' },
  { id: 'smart', title: 'Disk health (SMART)', icon: 'health_and_safety', waitsFor: 'the SMART API' },
  { id: 'charts', title: 'Activity charts', icon: 'monitoring', waitsFor: 'the telemetry API' },
];

@Component({
  selector: 'bh-dashboard-page',
  imports: [
    ByteSizePipe,
    DatePipe,
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
  protected readonly pendingSlots = PENDING_SLOTS;

  constructor() {
    this.store.load();
  }
}
