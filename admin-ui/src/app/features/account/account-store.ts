import { DOCUMENT, Injectable, inject, signal } from '@angular/core';
import { type Observable, finalize, tap } from 'rxjs';
import { ApiClient } from '../../core/api-client';
import { AuthStore } from '../../core/auth-store';

/** Where to reach the drive from this browser's view of the server. */
export interface ConnectAddresses {
  readonly webdav: string;
  readonly smb: string;
}

/** My account: changing one's own password, and how to connect a drive. */
@Injectable()
export class AccountStore {
  private readonly api = inject(ApiClient);
  private readonly auth = inject(AuthStore);
  private readonly location = inject(DOCUMENT).location;

  private readonly isSavingState = signal(false);

  readonly user = this.auth.user;
  readonly isSaving = this.isSavingState.asReadonly();
  readonly addresses: ConnectAddresses = {
    webdav: `${this.location.protocol}//${this.location.host}/dav/`,
    smb: `\\\\${this.location.hostname}\\home`,
  };

  /** Changes the password; every session ends, so this one is forgotten too (log in again). */
  changePassword(oldPassword: string, newPassword: string): Observable<void> {
    this.isSavingState.set(true);
    return this.api.changeOwnPassword(oldPassword, newPassword).pipe(
      tap(() => {
        this.auth.forget();
      }),
      finalize(() => {
        this.isSavingState.set(false);
      }),
    );
  }
}
