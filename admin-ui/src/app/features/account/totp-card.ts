import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Notifier } from '../../core/notifier';
import { QrCode } from '../../shared/qr-code';
import { TotpStore } from './totp-store';

/**
 * My account's two-factor login card: turn it on (a QR code of the otpauth URI and the secret as text, then a
 * code from the app), the ten recovery codes shown once, and turning it off with the password.
 */
@Component({
  selector: 'bh-totp-card',
  imports: [
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressBarModule,
    QrCode,
    ReactiveFormsModule,
  ],
  providers: [TotpStore],
  templateUrl: './totp-card.html',
  styleUrl: './totp-card.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TotpCard {
  private readonly store = inject(TotpStore);
  private readonly notifier = inject(Notifier);
  private readonly clipboard = inject(Clipboard);
  private readonly fb = inject(NonNullableFormBuilder);

  protected readonly status = this.store.status;
  protected readonly enrolment = this.store.enrolment;
  protected readonly recoveryCodes = this.store.recoveryCodes;
  protected readonly isBusy = this.store.isBusy;
  protected readonly problem = this.store.problem;
  protected readonly confirmForm = this.fb.group({
    code: ['', [Validators.required, Validators.pattern(/^\d{6}$/)]],
  });
  protected readonly disableForm = this.fb.group({
    password: ['', Validators.required],
  });

  constructor() {
    this.store.load();
  }

  protected start(): void {
    this.confirmForm.reset();
    this.store.start();
  }

  protected cancel(): void {
    this.store.cancel();
  }

  protected confirm(): void {
    if (this.confirmForm.invalid) {
      this.confirmForm.markAllAsTouched();
      return;
    }
    this.store.confirm(this.confirmForm.controls.code.value.trim()).subscribe({
      next: () => {
        this.confirmForm.reset();
        this.notifier.info('Two-factor login is on.');
      },
      error: () => {
        this.confirmForm.controls.code.reset();
      },
    });
  }

  protected disable(): void {
    if (this.disableForm.invalid) {
      this.disableForm.markAllAsTouched();
      return;
    }
    this.store.disable(this.disableForm.controls.password.value).subscribe({
      next: () => {
        this.disableForm.reset();
        this.notifier.info('Two-factor login is off.');
      },
      error: () => {
        this.disableForm.reset();
      },
    });
  }

  protected copy(text: string, what: string): void {
    if (this.clipboard.copy(text)) this.notifier.info(`${what} copied.`);
    else this.notifier.info(`${what} could not be copied; select and copy by hand.`);
  }

  protected dismissRecoveryCodes(): void {
    this.store.dismissRecoveryCodes();
  }
}
