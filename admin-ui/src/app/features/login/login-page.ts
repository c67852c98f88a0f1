import {
  ChangeDetectionStrategy,
  Component,
  type ElementRef,
  effect,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router } from '@angular/router';
import type { SecondFactor } from '../../core/api-client';
import { LoginStore } from './login-store';

const TOTP_CODE = /^\d{6}$/;

@Component({
  selector: 'bh-login-page',
  imports: [
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    ReactiveFormsModule,
  ],
  providers: [LoginStore],
  templateUrl: './login-page.html',
  styleUrl: './login-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class LoginPage {
  private readonly store = inject(LoginStore);
  private readonly router = inject(Router);
  private readonly fb = inject(NonNullableFormBuilder);

  /** Where to go after logging in (set by the auth guard). */
  readonly returnUrl = input<string>();

  protected readonly isBusy = this.store.isBusy;
  protected readonly problem = this.store.problem;
  protected readonly needsSecondFactor = this.store.needsSecondFactor;
  /** The second step asks for a single-use recovery code instead of the app's code. */
  protected readonly isRecovery = signal(false);
  protected readonly form = this.fb.group({
    username: ['', Validators.required],
    password: ['', Validators.required],
  });
  protected readonly secondFactorForm = this.fb.group({
    code: ['', [Validators.required, Validators.pattern(TOTP_CODE)]],
  });
  private readonly codeInput = viewChild<ElementRef<HTMLInputElement>>('codeInput');

  constructor() {
    // The second step replaces the form that had focus: put it on the code field, for keyboard and screen reader.
    effect(() => {
      this.codeInput()?.nativeElement.focus();
    });
  }

  protected logIn(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { username, password } = this.form.getRawValue();
    this.store.logIn(username.trim(), password).subscribe({
      next: () => {
        this.leave();
      },
      error: () => {
        if (!this.needsSecondFactor()) this.form.controls.password.reset();
      },
    });
  }

  protected logInWithSecondFactor(): void {
    if (this.secondFactorForm.invalid) {
      this.secondFactorForm.markAllAsTouched();
      return;
    }
    const { username, password } = this.form.getRawValue();
    const code = this.secondFactorForm.controls.code.value.trim();
    const secondFactor: SecondFactor = this.isRecovery() ? { recoveryCode: code } : { totpCode: code };
    this.store.logIn(username.trim(), password, secondFactor).subscribe({
      next: () => {
        this.leave();
      },
      error: () => {
        this.secondFactorForm.reset();
      },
    });
  }

  protected useRecoveryCode(isRecovery: boolean): void {
    this.isRecovery.set(isRecovery);
    const control = this.secondFactorForm.controls.code;
    control.setValidators(
      isRecovery
        ? [Validators.required, Validators.maxLength(64)]
        : [Validators.required, Validators.pattern(TOTP_CODE)],
    );
    control.reset();
  }

  protected startOver(): void {
    this.store.startOver();
    this.useRecoveryCode(false);
    this.form.controls.password.reset();
  }

  private leave(): void {
    const target = this.returnUrl();
    // Only same-app paths: a returnUrl is never a way off the console.
    void this.router.navigateByUrl(target?.startsWith('/') && !target.startsWith('//') ? target : '/');
  }
}
