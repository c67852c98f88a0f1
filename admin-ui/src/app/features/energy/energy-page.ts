import { DatePipe, DecimalPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, effect, inject } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { LineChartModule } from '@swimlane/ngx-charts';
import type { EnergySettingsUpdate, TelemetryRange } from '../../core/api-client';
import { EnergyStore } from './energy-store';

/** A host name or address, optionally with :port (what the server accepts). */
const PLUG_HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/;

/** Energy: what the NAS draws, today's and this month's kWh and cost, the watts history, the plug settings. */
@Component({
  selector: 'bh-energy-page',
  imports: [
    DatePipe,
    DecimalPipe,
    LineChartModule,
    MatButtonModule,
    MatButtonToggleModule,
    MatCardModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressBarModule,
    ReactiveFormsModule,
  ],
  providers: [EnergyStore],
  templateUrl: './energy-page.html',
  styleUrl: './energy-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class EnergyPage {
  private readonly store = inject(EnergyStore);

  protected readonly isAdmin = this.store.isAdmin;
  protected readonly status = this.store.status;
  protected readonly statusProblem = this.store.statusProblem;
  protected readonly chart = this.store.chart;
  protected readonly historyProblem = this.store.historyProblem;
  protected readonly range = this.store.range;
  protected readonly settings = this.store.settings;
  protected readonly settingsProblem = this.store.settingsProblem;
  protected readonly isSaving = this.store.isSaving;
  protected readonly ranges: readonly TelemetryRange[] = ['1h', '24h', '7d', '30d'];
  /** Times within a day, dates beyond. */
  protected readonly timeTick = (d: Date | string): string => {
    const range = this.range();
    return range === '1h' || range === '24h'
      ? new Date(d).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
      : new Date(d).toLocaleDateString([], { month: 'numeric', day: 'numeric' });
  };

  protected readonly form = inject(NonNullableFormBuilder).group({
    plugHost: ['', [Validators.pattern(PLUG_HOST)]],
    username: ['', [Validators.maxLength(254)]],
    password: ['', [Validators.maxLength(256)]],
    pricePerKwh: [0, [Validators.required, Validators.min(0), Validators.max(100)]],
    currency: ['EUR', [Validators.required, Validators.pattern(/^[A-Z]{3}$/)]],
  });

  constructor() {
    this.store.start();
    // Fill the form from the stored settings (the account fields stay empty: it is never shown).
    effect(() => {
      const s = this.settings();
      if (s === null) return;
      this.form.reset({
        plugHost: s.plugHost ?? '',
        username: '',
        password: '',
        pricePerKwh: s.pricePerKwh,
        currency: s.currency,
      });
    });
  }

  protected reload(): void {
    this.store.refresh();
  }

  protected setRange(range: TelemetryRange): void {
    this.store.setRange(range);
  }

  /** Account fields: both or neither. */
  protected accountProblem(): string | null {
    const { username, password } = this.form.getRawValue();
    return (username === '') === (password === '')
      ? null
      : 'Enter both the Tapo account email and its password, or neither.';
  }

  protected saveSettings(): void {
    if (this.form.invalid || this.accountProblem() !== null) return;
    const v = this.form.getRawValue();
    const changes: EnergySettingsUpdate = {
      plugHost: v.plugHost.trim() === '' ? null : v.plugHost.trim(),
      pricePerKwh: v.pricePerKwh,
      currency: v.currency,
      ...(v.username === '' ? {} : { username: v.username, password: v.password }),
    };
    this.store.saveSettings(changes);
  }
}
