import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router } from '@angular/router';
import { LoginStore } from './login-store';

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

  /** Where to go after logging in (set by the auth guard). */
  readonly returnUrl = input<string>();

  protected readonly isBusy = this.store.isBusy;
  protected readonly problem = this.store.problem;
  protected readonly form = inject(NonNullableFormBuilder).group({
    username: ['', Validators.required],
    password: ['', Validators.required],
  });

  protected logIn(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { username, password } = this.form.getRawValue();
    this.store.logIn(username.trim(), password).subscribe({
      next: () => {
        const target = this.returnUrl();
        // Only same-app paths: a returnUrl is never a way off the console.
        void this.router.navigateByUrl(target?.startsWith('/') && !target.startsWith('//') ? target : '/');
      },
      error: () => {
        this.form.controls.password.reset();
      },
    });
  }
}
