import { Injectable, inject } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';
import { toApiProblem } from './api-error';

/** Short messages at the bottom of the screen: confirmations, and the server's message when something fails. */
@Injectable({ providedIn: 'root' })
export class Notifier {
  private readonly snackBar = inject(MatSnackBar);

  info(message: string): void {
    this.snackBar.open(message, 'OK', { duration: 4000 });
  }

  error(err: unknown): void {
    this.snackBar.open(toApiProblem(err).message, 'Dismiss', {
      duration: 10000,
      politeness: 'assertive',
      panelClass: 'bh-snack-error',
    });
  }
}
