import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { BarChartModule } from '@swimlane/ngx-charts';
import type { PowerProfileName } from '../../core/api-client';
import { PowerStore } from './power-store';

/** Power: profiles, governor, and a chart of each core's current frequency. */
@Component({
  selector: 'bh-power-page',
  imports: [
    BarChartModule,
    MatButtonModule,
    MatButtonToggleModule,
    MatCardModule,
    MatFormFieldModule,
    MatIconModule,
    MatProgressBarModule,
    MatSelectModule,
  ],
  providers: [PowerStore],
  templateUrl: './power-page.html',
  styleUrl: './power-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class PowerPage {
  private readonly store = inject(PowerStore);

  protected readonly overview = this.store.overview;
  protected readonly isLoading = this.store.isLoading;
  protected readonly isSaving = this.store.isSaving;
  protected readonly problem = this.store.problem;
  protected readonly isAdmin = this.store.isAdmin;
  protected readonly coreFrequencies = this.store.coreFrequencies;

  constructor() {
    this.store.load();
  }

  protected reload(): void {
    this.store.load();
  }

  protected setProfile(name: PowerProfileName): void {
    this.store.setProfile(name);
  }

  protected setGovernor(governor: string): void {
    this.store.setGovernor(governor);
  }

  protected mhz(hz: number | null): string {
    return hz === null ? '—' : `${Math.round(hz / 1e6)} MHz`;
  }
}
