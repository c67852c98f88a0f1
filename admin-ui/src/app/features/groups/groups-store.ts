import { Injectable, inject, signal } from '@angular/core';
import { EMPTY, type Observable, expand, finalize, map, reduce, tap } from 'rxjs';
import { ApiClient, type Group, type GroupChanges, type NewGroup } from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { Notifier } from '../../core/notifier';

/** Largest page the users API serves. */
const USERS_PAGE_LIMIT = 500;

/** The groups page: every group with its members (the API lists them whole), and changes to them. */
@Injectable()
export class GroupsStore {
  private readonly api = inject(ApiClient);
  private readonly notifier = inject(Notifier);

  private readonly groupsState = signal<readonly Group[]>([]);
  private readonly isLoadingState = signal(false);
  private readonly problemState = signal<ApiProblem | null>(null);
  private readonly usernamesState = signal<readonly string[]>([]);

  readonly groups = this.groupsState.asReadonly();
  readonly isLoading = this.isLoadingState.asReadonly();
  readonly problem = this.problemState.asReadonly();
  /** Every username, for the member picker. */
  readonly usernames = this.usernamesState.asReadonly();

  load(): void {
    this.isLoadingState.set(true);
    this.api
      .listGroups()
      .pipe(
        finalize(() => {
          this.isLoadingState.set(false);
        }),
      )
      .subscribe({
        next: (groups) => {
          this.groupsState.set(groups);
          this.problemState.set(null);
        },
        error: (err: unknown) => {
          this.problemState.set(toApiProblem(err));
        },
      });
  }

  /** Pages through the users API for the member picker. */
  loadUsernames(): void {
    this.api
      .listUsers(USERS_PAGE_LIMIT, 0)
      .pipe(
        expand((page, i) => {
          const offset = (i + 1) * USERS_PAGE_LIMIT;
          return offset < page.total ? this.api.listUsers(USERS_PAGE_LIMIT, offset) : EMPTY;
        }),
        map((page) => page.items.map((u) => u.username)),
        reduce((all: string[], names) => [...all, ...names], []),
      )
      .subscribe({
        next: (names) => {
          this.usernamesState.set(names);
        },
        error: (err: unknown) => {
          this.notifier.error(err);
        },
      });
  }

  create(group: NewGroup): Observable<Group> {
    return this.api.createGroup(group).pipe(
      tap((created) => {
        this.notifier.info(`Group ${created.name} created.`);
        this.load();
      }),
    );
  }

  update(id: number, changes: GroupChanges): Observable<Group> {
    return this.api.updateGroup(id, changes).pipe(
      tap((updated) => {
        this.groupsState.update((groups) => groups.map((g) => (g.id === updated.id ? updated : g)));
        this.notifier.info(`Group ${updated.name} saved.`);
      }),
    );
  }

  delete(group: Group): void {
    this.api.deleteGroup(group.id).subscribe({
      next: () => {
        this.groupsState.update((groups) => groups.filter((g) => g.id !== group.id));
        this.notifier.info(`Group ${group.name} deleted.`);
      },
      error: (err: unknown) => {
        this.notifier.error(err);
      },
    });
  }
}
