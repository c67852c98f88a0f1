import { Injectable, computed, inject, signal } from '@angular/core';
import { type Observable, finalize } from 'rxjs';
import { ApiClient, type PowerOverview, type PowerProfileName } from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { AuthStore } from '../../core/auth-store';
import { Notifier } from '../../core/notifier';

/** One bar of the per-core chart: the core and its current frequency in MHz. */
export interface CoreFrequency {
  readonly name: string;
  readonly value: number;
}

/** Power: the CPU frequency profiles and governor, and each core's current frequency. */
@Injectable()
export class PowerStore {
  private readonly api = inject(ApiClient);
  private readonly notifier = inject(Notifier);

  private readonly overviewState = signal<PowerOverview | null>(null);
  private readonly isLoadingState = signal(false);
  private readonly isSavingState = signal(false);
  private readonly problemState = signal<ApiProblem | null>(null);

  readonly isAdmin = inject(AuthStore).isAdmin;
  readonly overview = this.overviewState.asReadonly();
  readonly isLoading = this.isLoadingState.asReadonly();
  readonly isSaving = this.isSavingState.asReadonly();
  readonly problem = this.problemState.asReadonly();
  readonly coreFrequencies = computed<readonly CoreFrequency[]>(() =>
    (this.overviewState()?.status.cpus ?? []).map((c) => ({
      name: `CPU ${c.cpu}`,
      value: c.currentHz === null ? 0 : Math.round(c.currentHz / 1e6),
    })),
  );

  load(): void {
    this.isLoadingState.set(true);
    this.api
      .power()
      .pipe(
        finalize(() => {
          this.isLoadingState.set(false);
        }),
      )
      .subscribe({
        next: (overview) => {
          this.overviewState.set(overview);
          this.problemState.set(null);
        },
        error: (err: unknown) => {
          this.problemState.set(toApiProblem(err));
        },
      });
  }

  setProfile(name: PowerProfileName): void {
    this.save(this.api.setPowerProfile(name), `Profile ${name} applied.`);
  }

  setGovernor(governor: string): void {
    this.save(this.api.setGovernor(governor), `Governor ${governor} applied.`);
  }

  setEnergyPerformancePreference(preference: string): void {
    this.save(
      this.api.setEnergyPerformancePreference(preference),
      `Energy-performance preference ${preference} applied.`,
    );
  }

  /** Every CPU's frequency range, in hertz. */
  setLimits(minHz: number, maxHz: number): void {
    this.save(
      this.api.setFrequencyLimits(minHz, maxHz),
      `Frequency limits ${Math.round(minHz / 1e6)}–${Math.round(maxHz / 1e6)} MHz applied.`,
    );
  }

  private save(request: Observable<unknown>, done: string): void {
    this.isSavingState.set(true);
    request
      .pipe(
        finalize(() => {
          this.isSavingState.set(false);
        }),
      )
      .subscribe({
        next: () => {
          this.notifier.info(done);
          this.load();
        },
        error: (err: unknown) => {
          this.notifier.error(err);
        },
      });
  }
}
