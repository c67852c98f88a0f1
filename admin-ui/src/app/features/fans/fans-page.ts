import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { LineChartModule } from '@swimlane/ngx-charts';
import type { Fan, FanCurve, FanCurveInput, FanCurvePoint } from '../../core/api-client';
import { toApiProblem } from '../../core/api-error';
import { FansStore, MAX_CURVE_POINTS, curveProblem } from './fans-store';

/** Fans: speeds and modes; a curve editor (temperature → PWM %) drawn as a line chart with editable points. */
@Component({
  selector: 'bh-fans-page',
  imports: [
    FormsModule,
    LineChartModule,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
  ],
  providers: [FansStore],
  templateUrl: './fans-page.html',
  styleUrl: './fans-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class FansPage {
  private readonly store = inject(FansStore);

  protected readonly overview = this.store.overview;
  protected readonly fans = this.store.fans;
  protected readonly isLoading = this.store.isLoading;
  protected readonly problem = this.store.problem;
  protected readonly isAdmin = this.store.isAdmin;
  protected readonly maxPoints = MAX_CURVE_POINTS;
  protected readonly sensors = computed(() => this.overview()?.sensors ?? []);

  protected readonly editing = signal<Fan | null>(null);
  protected readonly points = signal<readonly FanCurvePoint[]>([]);
  protected readonly input = signal<FanCurveInput>({ kind: 'hottest-disk' });
  private readonly baseCurve = signal<FanCurve | null>(null);
  protected readonly isSaving = signal(false);
  protected readonly saveProblem = signal<string | null>(null);
  protected readonly pointsProblem = computed(() => curveProblem(this.points()));
  protected readonly series = computed(() => [
    {
      name: 'Fan speed',
      series: this.points().map((p) => ({ name: p.temperatureCelsius, value: p.pwmPercent })),
    },
  ]);
  protected readonly inputValue = computed(() => {
    const i = this.input();
    return i.kind === 'sensor' ? `sensor:${i.sensorId}` : 'hottest-disk';
  });

  constructor() {
    this.store.load();
  }

  protected reload(): void {
    this.store.load();
  }

  protected editCurve(fan: Fan): void {
    const { curve, input } = this.store.curveOf(fan.id);
    this.editing.set(fan);
    this.points.set(curve.points);
    this.input.set(input);
    this.baseCurve.set(curve);
    this.saveProblem.set(null);
  }

  protected setPoint(index: number, field: keyof FanCurvePoint, value: number | string): void {
    const n = typeof value === 'number' ? value : Number(value);
    this.points.update((ps) => ps.map((p, i) => (i === index ? { ...p, [field]: n } : p)));
  }

  protected addPoint(): void {
    this.points.update((ps) => {
      const last = ps.at(-1);
      return [
        ...ps,
        {
          temperatureCelsius: Math.min(150, (last?.temperatureCelsius ?? 30) + 10),
          pwmPercent: Math.min(100, last?.pwmPercent ?? 50),
        },
      ];
    });
  }

  protected removePoint(index: number): void {
    this.points.update((ps) => ps.filter((_, i) => i !== index));
  }

  protected chooseInput(value: string): void {
    this.input.set(
      value.startsWith('sensor:') ? { kind: 'sensor', sensorId: value.slice(7) } : { kind: 'hottest-disk' },
    );
  }

  protected saveCurve(): void {
    const fan = this.editing();
    const base = this.baseCurve();
    if (fan === null || base === null || this.pointsProblem() !== null) return;
    this.isSaving.set(true);
    this.saveProblem.set(null);
    this.store.saveCurve(fan.id, { ...base, points: this.points() }, this.input()).subscribe({
      next: () => {
        this.isSaving.set(false);
        this.editing.set(null);
      },
      error: (err: unknown) => {
        this.isSaving.set(false);
        this.saveProblem.set(toApiProblem(err).message);
      },
    });
  }

  protected cancelEdit(): void {
    this.editing.set(null);
  }

  protected setMode(fan: Fan, mode: 'auto' | 'manual' | 'curve'): void {
    this.store.setMode(fan, mode);
  }
}
