import { Injectable, inject, signal } from '@angular/core';
import { type Observable, finalize, tap } from 'rxjs';
import type { User } from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { AuthStore } from '../../core/auth-store';

/** The login form's state: busy while the server checks, and the server's refusal. */
@Injectable()
export class LoginStore {
  private readonly auth = inject(AuthStore);

  private readonly isBusyState = signal(false);
  private readonly problemState = signal<ApiProblem | null>(null);

  readonly isBusy = this.isBusyState.asReadonly();
  readonly problem = this.problemState.asReadonly();

  logIn(username: string, password: string): Observable<User> {
    this.isBusyState.set(true);
    this.problemState.set(null);
    return this.auth.login(username, password).pipe(
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
