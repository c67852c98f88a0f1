import { Injectable, inject, signal } from '@angular/core';
import { type Observable, finalize, tap } from 'rxjs';
import { ApiClient, type TotpEnrolment, type TotpStatus } from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';

/**
 * Two-factor login for the signed-in user: its status, an enrolment (secret and otpauth URI) waiting for a
 * code, the recovery codes the confirmation answers (held only until dismissed), and turning it off.
 */
@Injectable()
export class TotpStore {
  private readonly api = inject(ApiClient);

  private readonly statusState = signal<TotpStatus | null>(null);
  private readonly enrolmentState = signal<TotpEnrolment | null>(null);
  private readonly recoveryCodesState = signal<readonly string[] | null>(null);
  private readonly isBusyState = signal(false);
  private readonly problemState = signal<ApiProblem | null>(null);

  /** Null until loaded. */
  readonly status = this.statusState.asReadonly();
  /** The enrolment started in this page, until confirmed or abandoned. */
  readonly enrolment = this.enrolmentState.asReadonly();
  /** Shown once after the confirmation; the server never shows them again. */
  readonly recoveryCodes = this.recoveryCodesState.asReadonly();
  readonly isBusy = this.isBusyState.asReadonly();
  readonly problem = this.problemState.asReadonly();

  load(): void {
    this.api.totpStatus().subscribe({
      next: (status) => {
        this.statusState.set(status);
      },
      error: (err: unknown) => {
        this.problemState.set(toApiProblem(err));
      },
    });
  }

  /** Starts (or restarts) an enrolment: a new secret each time. */
  start(): void {
    this.run(this.api.startTotp()).subscribe({
      next: (enrolment) => {
        this.enrolmentState.set(enrolment);
      },
      error: () => {
        // Shown from `problem`.
      },
    });
  }

  cancel(): void {
    this.enrolmentState.set(null);
    this.problemState.set(null);
  }

  /** Turns it on with a code from the app; fails with the server's message when the code does not match. */
  confirm(code: string): Observable<unknown> {
    return this.run(this.api.confirmTotp(code)).pipe(
      tap(({ recoveryCodes }) => {
        this.enrolmentState.set(null);
        this.recoveryCodesState.set(recoveryCodes);
        this.statusState.set({ enabled: true, pending: false, recoveryCodesLeft: recoveryCodes.length });
      }),
    );
  }

  dismissRecoveryCodes(): void {
    this.recoveryCodesState.set(null);
  }

  disable(password: string): Observable<unknown> {
    return this.run(this.api.disableTotp(password)).pipe(
      tap(() => {
        this.recoveryCodesState.set(null);
        this.statusState.set({ enabled: false, pending: false, recoveryCodesLeft: 0 });
      }),
    );
  }

  /** Marks busy, clears the last problem, and keeps the server's message when the request fails. */
  private run<T>(request: Observable<T>): Observable<T> {
    this.isBusyState.set(true);
    this.problemState.set(null);
    return request.pipe(
      tap({
        error: (err: unknown) => {
          this.problemState.set(toApiProblem(err));
        },
      }),
      finalize(() => {
        this.isBusyState.set(false);
      }),
    );
  }
}
