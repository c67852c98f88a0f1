import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, effect, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import {
  type AbstractControl,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  type ValidationErrors,
  Validators,
} from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { BarChartModule } from '@swimlane/ngx-charts';
import { map } from 'rxjs';
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
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    ReactiveFormsModule,
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
  /** Three profile toggles do not fit side by side on a phone: stack them there. */
  protected readonly isNarrow = toSignal(
    inject(BreakpointObserver)
      .observe('(max-width: 479.98px)')
      .pipe(map((state) => state.matches)),
    { initialValue: false },
  );
  /** The frequency limits, in MHz, checked against the hardware's range before sending. */
  protected readonly limitsForm = inject(NonNullableFormBuilder).group(
    {
      minMhz: [0, [Validators.required, Validators.min(1)]],
      maxMhz: [0, [Validators.required, Validators.min(1)]],
    },
    { validators: (group: AbstractControl) => this.limitsError(group) },
  );

  constructor() {
    this.store.load();
    effect(() => {
      const cpu = this.store.overview()?.status.cpus[0];
      if (cpu !== undefined) {
        this.limitsForm.reset({ minMhz: toMhz(cpu.minHz), maxMhz: toMhz(cpu.maxHz) });
      }
    });
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

  protected setEnergyPerformancePreference(preference: string): void {
    this.store.setEnergyPerformancePreference(preference);
  }

  protected saveLimits(): void {
    if (this.limitsForm.invalid) {
      this.limitsForm.markAllAsTouched();
      return;
    }
    const { minMhz, maxMhz } = this.limitsForm.getRawValue();
    this.store.setLimits(Math.round(minMhz * 1e6), Math.round(maxMhz * 1e6));
  }

  protected mhz(hz: number | null): string {
    return hz === null ? '—' : `${Math.round(hz / 1e6)} MHz`;
  }

  /** Min not above max, both within the hardware's range. */
  private limitsError(group: AbstractControl): ValidationErrors | null {
    const { minMhz, maxMhz } = group.value as { minMhz: number; maxMhz: number };
    const status = this.store.overview()?.status;
    const floor = status?.hardwareMinHz ?? null;
    const ceiling = status?.hardwareMaxHz ?? null;
    if ((floor !== null && minMhz * 1e6 < floor) || (ceiling !== null && maxMhz * 1e6 > ceiling)) {
      return { outOfRange: true };
    }
    return minMhz > maxMhz ? { minAboveMax: true } : null;
  }
}

function toMhz(hz: number | null): number {
  return hz === null ? 0 : Math.round(hz / 1e6);
}
