import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { ByteSizePipe } from '../../shared/byte-size';
import { SmartStore, powerOnHours } from './smart-store';

/** Disk health: the drives with health and temperature; one drive's attributes and self-tests. */
@Component({
  selector: 'bh-smart-page',
  imports: [ByteSizePipe, MatButtonModule, MatCardModule, MatIconModule, MatProgressBarModule],
  providers: [SmartStore],
  templateUrl: './smart-page.html',
  styleUrl: '../raid/raid-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class SmartPage {
  private readonly store = inject(SmartStore);

  protected readonly devices = this.store.devices;
  protected readonly isLoading = this.store.isLoading;
  protected readonly problem = this.store.problem;
  protected readonly report = this.store.report;
  protected readonly reportLoading = this.store.reportLoading;
  protected readonly reportProblem = this.store.reportProblem;
  protected readonly isAdmin = this.store.isAdmin;
  protected readonly powerOnHours = powerOnHours;

  constructor() {
    this.store.load();
  }

  protected reload(): void {
    this.store.load();
  }

  protected showReport(device: string): void {
    this.store.select(device);
  }

  protected startSelfTest(device: string, type: 'short' | 'long'): void {
    this.store.startSelfTest(device, type);
  }
}
