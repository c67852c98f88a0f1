import { Injectable, inject, signal } from '@angular/core';
import { type Observable, tap } from 'rxjs';
import { ApiClient, type NewShare, type Share, type ShareChanges } from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { Notifier } from '../../core/notifier';

/** The shares page (admins): every share with its usage and ACL, and the names an ACL can refer to. */
@Injectable()
export class SharesStore {
  private readonly api = inject(ApiClient);
  private readonly notifier = inject(Notifier);

  private readonly sharesState = signal<readonly Share[]>([]);
  private readonly isLoadingState = signal(false);
  private readonly problemState = signal<ApiProblem | null>(null);
  private readonly usernamesState = signal<readonly string[]>([]);
  private readonly groupNamesState = signal<readonly string[]>([]);

  readonly shares = this.sharesState.asReadonly();
  readonly isLoading = this.isLoadingState.asReadonly();
  readonly problem = this.problemState.asReadonly();
  /** For the ACL editor's pickers. */
  readonly usernames = this.usernamesState.asReadonly();
  readonly groupNames = this.groupNamesState.asReadonly();

  load(): void {
    this.isLoadingState.set(true);
    this.api.listShares().subscribe({
      next: (shares) => {
        this.sharesState.set([...shares].sort((a, b) => a.name.localeCompare(b.name)));
        this.problemState.set(null);
        this.isLoadingState.set(false);
      },
      error: (err: unknown) => {
        this.problemState.set(toApiProblem(err));
        this.isLoadingState.set(false);
      },
    });
  }

  /** Users (the first 500, which the API allows in one page) and groups, for the ACL rows. */
  loadPrincipals(): void {
    this.api.listUsers(500, 0).subscribe({
      next: (page) => {
        this.usernamesState.set(page.items.map((u) => u.username));
      },
      error: (err: unknown) => {
        this.notifier.error(err);
      },
    });
    this.api.listGroups().subscribe({
      next: (groups) => {
        this.groupNamesState.set(groups.map((g) => g.name));
      },
      error: (err: unknown) => {
        this.notifier.error(err);
      },
    });
  }

  /** Creates a share; the caller shows errors on its form. */
  create(share: NewShare): Observable<Share> {
    return this.api.createShare(share).pipe(
      tap((created) => {
        this.notifier.info(`Share ${created.name} created.`);
        this.load();
      }),
    );
  }

  /** Saves changes; the caller shows errors on its form. */
  update(id: number, changes: ShareChanges): Observable<Share> {
    return this.api.updateShare(id, changes).pipe(
      tap((updated) => {
        this.sharesState.update((list) => list.map((s) => (s.id === updated.id ? updated : s)));
        this.notifier.info(`Share ${updated.name} saved.`);
      }),
    );
  }

  /**
   * Deletes a share. Without `force` the server refuses a share that still holds files (409 CONFLICT); the
   * caller may then ask again with `force`, which sets the files aside on the server.
   */
  delete(share: Share, force: boolean): Observable<void> {
    return this.api.deleteShare(share.id, force).pipe(
      tap(() => {
        this.notifier.info(
          force ? `Share ${share.name} deleted; its files were set aside.` : `Share ${share.name} deleted.`,
        );
        this.load();
      }),
    );
  }
}
