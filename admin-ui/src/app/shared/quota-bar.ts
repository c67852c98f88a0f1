import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { Usage } from '../core/api-client';
import { ByteSizePipe } from './byte-size';

/** Used space against the quota (or against the free disk space when there is no quota). */
@Component({
  selector: 'bh-quota-bar',
  imports: [ByteSizePipe, MatProgressBarModule],
  template: `
    @let u = usage();
    <mat-progress-bar
      mode="determinate"
      [value]="percent()"
      [class.full]="percent() >= 90"
      [attr.aria-label]="label() + ' storage used'"
    />
    <p class="label">
      @if (u.quotaBytes === null) {
        {{ u.usedBytes | byteSize }} used · {{ u.availableBytes | byteSize }} free · no quota
      } @else {
        {{ u.usedBytes | byteSize }} of {{ u.quotaBytes | byteSize }} used ·
        {{ u.availableBytes | byteSize }} left
      }
    </p>
  `,
  styles: `
    :host {
      display: block;
      min-width: 200px;
    }
    mat-progress-bar {
      height: 8px;
      border-radius: 4px;
      --mat-progress-bar-track-height: 8px;
      --mat-progress-bar-active-indicator-height: 8px;
    }
    .full {
      --mat-progress-bar-active-indicator-color: var(--mat-sys-error);
    }
    .label {
      margin: 4px 0 0;
      color: var(--mat-sys-on-surface-variant);
      font: var(--mat-sys-body-small);
    }
  `,
  host: { role: 'group', '[attr.aria-label]': 'label()' },
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QuotaBar {
  readonly usage = input.required<Usage>();
  /** What the bar is about, for screen readers: "Your", "Share media". */
  readonly label = input('Your');

  protected readonly percent = computed(() => {
    const { usedBytes, quotaBytes, availableBytes } = this.usage();
    const whole = quotaBytes ?? usedBytes + availableBytes;
    return whole <= 0 ? 100 : Math.min(100, Math.round((usedBytes / whole) * 1000) / 10);
  });
}
