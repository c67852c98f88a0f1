import { Injectable, computed, inject, signal } from '@angular/core';
import { type Observable, finalize, tap } from 'rxjs';
import {
  ApiClient,
  type Fan,
  type FanCurve,
  type FanCurveInput,
  type FanCurvePoint,
  type FansOverview,
} from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { AuthStore } from '../../core/auth-store';
import { Notifier } from '../../core/notifier';

export const MAX_CURVE_POINTS = 16;

/** The default curve a fan without one starts from. */
export const DEFAULT_CURVE: FanCurve = {
  points: [
    { temperatureCelsius: 30, pwmPercent: 20 },
    { temperatureCelsius: 50, pwmPercent: 50 },
    { temperatureCelsius: 70, pwmPercent: 100 },
  ],
  hysteresisCelsius: 2,
  minPwmPercent: 0,
  maxPwmPercent: 100,
};

/** What is wrong with a curve's points (the server's rules), or null when they are fine. */
export function curveProblem(points: readonly FanCurvePoint[]): string | null {
  if (points.length === 0) return 'A curve needs at least one point.';
  if (points.length > MAX_CURVE_POINTS) return `At most ${MAX_CURVE_POINTS} points.`;
  let previous: FanCurvePoint | null = null;
  for (const [i, p] of points.entries()) {
    if (!Number.isFinite(p.temperatureCelsius) || p.temperatureCelsius < -50 || p.temperatureCelsius > 150) {
      return `Point ${i + 1}: the temperature must be between -50 and 150 °C.`;
    }
    if (!Number.isFinite(p.pwmPercent) || p.pwmPercent < 0 || p.pwmPercent > 100) {
      return `Point ${i + 1}: the fan speed must be between 0 and 100 %.`;
    }
    if (previous !== null && p.temperatureCelsius <= previous.temperatureCelsius) {
      return `Point ${i + 1}: temperatures must rise from point to point.`;
    }
    previous = p;
  }
  return null;
}

/** Fans: speeds and modes, and each controllable fan's temperature → PWM curve. */
@Injectable()
export class FansStore {
  private readonly api = inject(ApiClient);
  private readonly notifier = inject(Notifier);

  private readonly overviewState = signal<FansOverview | null>(null);
  private readonly isLoadingState = signal(false);
  private readonly problemState = signal<ApiProblem | null>(null);

  readonly isAdmin = inject(AuthStore).isAdmin;
  readonly overview = this.overviewState.asReadonly();
  readonly fans = computed<readonly Fan[]>(() => this.overviewState()?.fans ?? []);
  readonly isLoading = this.isLoadingState.asReadonly();
  readonly problem = this.problemState.asReadonly();

  load(): void {
    this.isLoadingState.set(true);
    this.api
      .fans()
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

  /** The fan's curve and input, or the default curve on the hottest disk. */
  curveOf(fanId: string): { readonly curve: FanCurve; readonly input: FanCurveInput } {
    const view = this.overviewState()?.curves.find((c) => c.fanId === fanId);
    return view ?? { curve: DEFAULT_CURVE, input: { kind: 'hottest-disk' } };
  }

  /** Saves a curve; the caller shows errors. */
  saveCurve(fanId: string, curve: FanCurve, input: FanCurveInput): Observable<unknown> {
    return this.api.setFanCurve(fanId, curve, input).pipe(
      tap(() => {
        this.notifier.info(`Curve of ${fanId} saved.`);
        this.load();
      }),
    );
  }

  setMode(fan: Fan, mode: 'auto' | 'manual' | 'curve'): void {
    this.api.setFanMode(fan.id, mode).subscribe({
      next: () => {
        this.notifier.info(`${fan.label} set to ${mode}.`);
        this.load();
      },
      error: (err: unknown) => {
        this.notifier.error(err);
      },
    });
  }
}
