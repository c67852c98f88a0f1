import { Injectable, inject } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { EMPTY, type Observable, catchError, switchMap, throwError } from 'rxjs';
import { confirmationOf } from '../core/api-error';
import { ConfirmDialog, type ConfirmDialogData } from './confirm-dialog';

/**
 * The server's two-step confirmation of destructive hardware changes: the first request answers
 * 428 CONFIRMATION_REQUIRED with a token and a message saying what will happen; the message is shown in a
 * confirmation dialog and, when confirmed, the same request is repeated with the token.
 */
@Injectable({ providedIn: 'root' })
export class TwoStep {
  private readonly dialog = inject(MatDialog);

  /**
   * Runs `request` without a token, then with the server's token once the person confirms. Completes without
   * a value when they cancel; other failures pass through.
   */
  run<T>(
    title: string,
    confirmLabel: string,
    request: (confirmToken?: string) => Observable<T>,
  ): Observable<T> {
    return request().pipe(
      catchError((err: unknown) => {
        const confirmation = confirmationOf(err);
        if (confirmation === null) return throwError(() => err);
        const data: ConfirmDialogData = { title, message: confirmation.message, confirmLabel };
        return this.dialog
          .open<ConfirmDialog, ConfirmDialogData, boolean>(ConfirmDialog, { data, maxWidth: '100vw' })
          .afterClosed()
          .pipe(switchMap((isConfirmed) => (isConfirmed === true ? request(confirmation.token) : EMPTY)));
      }),
    );
  }
}
