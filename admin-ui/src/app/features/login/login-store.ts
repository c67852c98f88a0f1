import { Injectable, inject, signal } from '@angular/core';
import { type Observable, finalize, tap } from 'rxjs';
import type { SecondFactor, User } from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { AuthStore } from '../../core/auth-store';

/**
 * The login form's state: busy while the server checks, the server's refusal, and whether the account asked
 * for a second factor (401 TOTP_REQUIRED: the password was right, a code must come with it).
 */
@Injectable()
export class LoginStore {
  private readonly auth = inject(AuthStore);

  private readonly isBusyState = signal(false);
  private readonly problemState = signal<ApiProblem | null>(null);
  private readonly needsSecondFactorState = signal(false);

  readonly isBusy = this.isBusyState.asReadonly();
  readonly problem = this.problemState.asReadonly();
  readonly needsSecondFactor = this.needsSecondFactorState.asReadonly();

  logIn(username: string, password: string, secondFactor?: SecondFactor): Observable<User> {
    this.isBusyState.set(true);
    this.problemState.set(null);
    return this.auth.login(username, password, secondFactor).pipe(
      tap({
        error: (err: unknown) => {
          const problem = toApiProblem(err);
          if (problem.code === 'TOTP_REQUIRED' && secondFactor === undefined) {
            // Not a failure: the next step of the same login.
            this.needsSecondFactorState.set(true);
            return;
          }
          this.problemState.set(problem);
        },
      }),
      finalize(() => {
        this.isBusyState.set(false);
      }),
    );
  }

  /** Back to the username and password. */
  startOver(): void {
    this.needsSecondFactorState.set(false);
    this.problemState.set(null);
  }
}
