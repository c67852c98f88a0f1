import { DOCUMENT, Injectable, inject, signal } from '@angular/core';
import { type Observable, finalize, tap } from 'rxjs';
import { ApiClient, type AppPassword, type CreatedAppPassword } from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { AuthStore } from '../../core/auth-store';
import { Notifier } from '../../core/notifier';

/** The WebDAV over HTTPS port when the console is opened over plain HTTP (`baluhost tls selfsigned`). */
export const DAV_TLS_PORT = 8443;

/** Where to reach the drive, for each kind of client, from this browser's view of the server. */
export interface ConnectAddresses {
  /** Windows Explorer's "Map network drive" and macOS Finder's "Connect to Server". */
  readonly webdavHttps: string;
  /** Windows' UNC form of the same WebDAV folder. */
  readonly windowsUnc: string;
  /** GNOME Files, Dolphin and other gvfs/KIO file managers. */
  readonly linuxDavs: string;
  /** The base URL an rclone remote points at. */
  readonly rcloneUrl: string;
  readonly smbWindows: string;
  readonly smbUrl: string;
}

/** The addresses for a page at `location`: HTTPS on the page's own port when it is HTTPS, else on 8443. */
export function connectAddresses(
  location: Pick<Location, 'protocol' | 'hostname' | 'port'>,
): ConnectAddresses {
  const host = location.hostname.includes(':') ? `[${location.hostname}]` : location.hostname;
  const isHttps = location.protocol === 'https:';
  const port = isHttps ? (location.port === '' ? 443 : Number(location.port)) : DAV_TLS_PORT;
  const hostPort = port === 443 ? host : `${host}:${port}`;
  return {
    webdavHttps: `https://${hostPort}/dav/home/`,
    windowsUnc: `\\\\${host}@SSL${port === 443 ? '' : `@${port}`}\\dav\\home`,
    linuxDavs: `davs://${hostPort}/dav/home/`,
    rcloneUrl: `https://${hostPort}/dav/`,
    smbWindows: `\\\\${host}\\home`,
    smbUrl: `smb://${host}/home`,
  };
}

/** My account: changing one's own password, app passwords for devices, and how to connect a drive. */
@Injectable()
export class AccountStore {
  private readonly api = inject(ApiClient);
  private readonly auth = inject(AuthStore);
  private readonly notifier = inject(Notifier);
  private readonly location = inject(DOCUMENT).location;

  private readonly isSavingState = signal(false);
  private readonly appPasswordsState = signal<readonly AppPassword[] | null>(null);
  private readonly appPasswordsProblemState = signal<ApiProblem | null>(null);

  readonly user = this.auth.user;
  readonly isSaving = this.isSavingState.asReadonly();
  readonly addresses: ConnectAddresses = connectAddresses(this.location);
  /** Whether the page itself came over HTTPS (then WebDAV over HTTPS answers on the same port). */
  readonly isHttps = this.location.protocol === 'https:';
  /** Null until loaded. */
  readonly appPasswords = this.appPasswordsState.asReadonly();
  readonly appPasswordsProblem = this.appPasswordsProblemState.asReadonly();

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

  loadAppPasswords(): void {
    this.api.listAppPasswords().subscribe({
      next: (items) => {
        this.appPasswordsState.set(items);
        this.appPasswordsProblemState.set(null);
      },
      error: (err: unknown) => {
        this.appPasswordsProblemState.set(toApiProblem(err));
      },
    });
  }

  /** Creates an app password; the answer holds the password, which the server never shows again. */
  createAppPassword(name: string): Observable<CreatedAppPassword> {
    return this.api.createAppPassword(name).pipe(
      tap((created) => {
        const listed: AppPassword = {
          id: created.id,
          name: created.name,
          createdAt: created.createdAt,
          lastUsedAt: created.lastUsedAt,
        };
        this.appPasswordsState.update((items) => [...(items ?? []), listed]);
      }),
    );
  }

  revokeAppPassword(item: AppPassword): void {
    this.api.revokeAppPassword(item.id).subscribe({
      next: () => {
        this.appPasswordsState.update((items) => (items ?? []).filter((i) => i.id !== item.id));
        this.notifier.info(`App password ${item.name} revoked; devices using it must sign in again.`);
      },
      error: (err: unknown) => {
        this.notifier.error(err);
      },
    });
  }
}
