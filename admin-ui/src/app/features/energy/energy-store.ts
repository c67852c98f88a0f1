import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { finalize } from 'rxjs';
import {
  ApiClient,
  type EnergySettings,
  type EnergySettingsUpdate,
  type EnergyStatus,
  type TelemetryHistory,
  type TelemetryRange,
} from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { AuthStore } from '../../core/auth-store';
import { Notifier } from '../../core/notifier';

/** How often the page reads the plug and the history again. */
export const ENERGY_REFRESH_MS = 15_000;

/** One line of the watts chart, in ngx-charts' shape. */
export interface WattsSeries {
  readonly name: string;
  readonly series: readonly { readonly name: Date; readonly value: number }[];
}

/**
 * The Energy page: the plug's reading (watts, kWh, cost), the watts history over a range, refreshed every
 * {@link ENERGY_REFRESH_MS}, and for admins the plug settings.
 */
@Injectable()
export class EnergyStore {
  private readonly api = inject(ApiClient);
  private readonly notifier = inject(Notifier);

  private readonly statusState = signal<EnergyStatus | null>(null);
  private readonly statusProblemState = signal<ApiProblem | null>(null);
  private readonly historyState = signal<TelemetryHistory | null>(null);
  private readonly historyProblemState = signal<ApiProblem | null>(null);
  private readonly rangeState = signal<TelemetryRange>('1h');
  private readonly settingsState = signal<EnergySettings | null>(null);
  private readonly settingsProblemState = signal<ApiProblem | null>(null);
  private readonly isSavingState = signal(false);
  private timer: ReturnType<typeof setInterval> | null = null;

  readonly isAdmin = inject(AuthStore).isAdmin;
  readonly status = this.statusState.asReadonly();
  readonly statusProblem = this.statusProblemState.asReadonly();
  readonly historyProblem = this.historyProblemState.asReadonly();
  readonly range = this.rangeState.asReadonly();
  readonly settings = this.settingsState.asReadonly();
  readonly settingsProblem = this.settingsProblemState.asReadonly();
  readonly isSaving = this.isSavingState.asReadonly();
  /** The watts history as one chart line; null before the first answer. */
  readonly chart = computed<readonly WattsSeries[] | null>(() => {
    const history = this.historyState();
    if (history === null) return null;
    return [{ name: 'Watts', series: history.points.map((p) => ({ name: new Date(p.at), value: p.value })) }];
  });

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.stop();
    });
  }

  /** Loads everything, then the reading and history again every ENERGY_REFRESH_MS until the page goes. */
  start(): void {
    this.stop();
    this.refresh();
    if (this.isAdmin()) this.loadSettings();
    this.timer = setInterval(() => {
      this.refresh();
    }, ENERGY_REFRESH_MS);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  refresh(): void {
    this.api.energy().subscribe({
      next: (status) => {
        this.statusState.set(status);
        this.statusProblemState.set(null);
      },
      error: (err: unknown) => {
        this.statusProblemState.set(toApiProblem(err));
      },
    });
    this.loadHistory();
  }

  setRange(range: TelemetryRange): void {
    this.rangeState.set(range);
    this.loadHistory();
  }

  loadSettings(): void {
    this.api.energySettings().subscribe({
      next: (settings) => {
        this.settingsState.set(settings);
        this.settingsProblemState.set(null);
      },
      error: (err: unknown) => {
        this.settingsProblemState.set(toApiProblem(err));
      },
    });
  }

  /** Stores the settings, then reads the plug again (a new address or price changes what it shows). */
  saveSettings(changes: EnergySettingsUpdate): void {
    this.isSavingState.set(true);
    this.api
      .updateEnergySettings(changes)
      .pipe(
        finalize(() => {
          this.isSavingState.set(false);
        }),
      )
      .subscribe({
        next: (settings) => {
          this.settingsState.set(settings);
          this.settingsProblemState.set(null);
          this.notifier.info('Energy settings saved.');
          this.refresh();
        },
        error: (err: unknown) => {
          this.settingsProblemState.set(toApiProblem(err));
        },
      });
  }

  private loadHistory(): void {
    this.api.energyHistory(this.rangeState()).subscribe({
      next: (history) => {
        this.historyState.set(history);
        this.historyProblemState.set(null);
      },
      error: (err: unknown) => {
        this.historyProblemState.set(toApiProblem(err));
      },
    });
  }
}
