import { Injectable, inject, signal } from '@angular/core';
import { type Observable, finalize, map, tap } from 'rxjs';
import { ApiClient, type Group, type NewUser, type User, type UserChanges } from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { AuthStore } from '../../core/auth-store';
import { Notifier } from '../../core/notifier';

export const USERS_PAGE_SIZES = [10, 25, 50, 100] as const;

/** The users page: one server-side page of users at a time, and the changes an admin makes to them. */
@Injectable()
export class UsersStore {
  private readonly api = inject(ApiClient);
  private readonly auth = inject(AuthStore);
  private readonly notifier = inject(Notifier);

  private readonly usersState = signal<readonly User[]>([]);
  private readonly totalState = signal(0);
  private readonly pageIndexState = signal(0);
  private readonly pageSizeState = signal<number>(25);
  private readonly isLoadingState = signal(false);
  private readonly problemState = signal<ApiProblem | null>(null);
  private readonly groupNamesState = signal<readonly string[]>([]);

  readonly users = this.usersState.asReadonly();
  readonly total = this.totalState.asReadonly();
  readonly pageIndex = this.pageIndexState.asReadonly();
  readonly pageSize = this.pageSizeState.asReadonly();
  readonly isLoading = this.isLoadingState.asReadonly();
  readonly problem = this.problemState.asReadonly();
  /** Names of every group, for the group pickers of the dialogs. */
  readonly groupNames = this.groupNamesState.asReadonly();
  readonly currentUserId = () => this.auth.user()?.id ?? null;

  /** Loads the current page; an empty page after deletions steps back one page. */
  load(): void {
    this.isLoadingState.set(true);
    const limit = this.pageSizeState();
    const offset = this.pageIndexState() * limit;
    this.api
      .listUsers(limit, offset)
      .pipe(
        finalize(() => {
          this.isLoadingState.set(false);
        }),
      )
      .subscribe({
        next: (page) => {
          if (page.items.length === 0 && page.total > 0 && this.pageIndexState() > 0) {
            this.pageIndexState.set(Math.max(0, Math.ceil(page.total / limit) - 1));
            this.load();
            return;
          }
          this.usersState.set(page.items);
          this.totalState.set(page.total);
          this.problemState.set(null);
        },
        error: (err: unknown) => {
          this.problemState.set(toApiProblem(err));
        },
      });
  }

  changePage(pageIndex: number, pageSize: number): void {
    this.pageIndexState.set(pageSize === this.pageSizeState() ? pageIndex : 0);
    this.pageSizeState.set(pageSize);
    this.load();
  }

  loadGroupNames(): void {
    this.api
      .listGroups()
      .pipe(map((groups: readonly Group[]) => groups.map((g) => g.name)))
      .subscribe({
        next: (names) => {
          this.groupNamesState.set(names);
        },
        error: (err: unknown) => {
          this.notifier.error(err);
        },
      });
  }

  /** Creates a user; the caller shows errors on its form. */
  create(user: NewUser): Observable<User> {
    return this.api.createUser(user).pipe(
      tap((created) => {
        this.notifier.info(`User ${created.username} created.`);
        this.load();
      }),
    );
  }

  /** Saves changes; the caller shows errors on its form. */
  update(id: number, changes: UserChanges): Observable<User> {
    return this.api.updateUser(id, changes).pipe(
      tap((updated) => {
        this.replace(updated);
        this.notifier.info(`User ${updated.username} saved.`);
      }),
    );
  }

  setPassword(user: User, password: string): Observable<void> {
    return this.api.setUserPassword(user.id, password).pipe(
      tap(() => {
        this.notifier.info(`Password of ${user.username} set; their sessions have ended.`);
      }),
    );
  }

  setDisabled(user: User, isDisabled: boolean): void {
    this.api.updateUser(user.id, { disabled: isDisabled }).subscribe({
      next: (updated) => {
        this.replace(updated);
        this.notifier.info(`${updated.username} ${isDisabled ? 'disabled' : 'enabled'}.`);
      },
      error: (err: unknown) => {
        this.notifier.error(err);
      },
    });
  }

  /** Turns the user's two-factor login off (audited on the server). */
  resetTotp(user: User): void {
    this.api.resetUserTotp(user.id).subscribe({
      next: () => {
        this.notifier.info(`Two-factor login of ${user.username} is off; their password alone logs in.`);
      },
      error: (err: unknown) => {
        this.notifier.error(err);
      },
    });
  }

  delete(user: User): void {
    this.api.deleteUser(user.id).subscribe({
      next: () => {
        this.notifier.info(`User ${user.username} deleted.`);
        this.load();
      },
      error: (err: unknown) => {
        this.notifier.error(err);
      },
    });
  }

  private replace(updated: User): void {
    this.usersState.update((users) => users.map((u) => (u.id === updated.id ? updated : u)));
    this.auth.updateUser(updated);
  }
}
