import { inject } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';
import { map } from 'rxjs';
import { AuthStore } from './auth-store';

/** Lets signed-in users through (restoring the session after a reload); others go to the login page. */
export const authGuard: CanActivateFn = (_route, state) => {
  const auth = inject(AuthStore);
  const router = inject(Router);
  return auth
    .restore()
    .pipe(
      map((isLoggedIn) =>
        isLoggedIn ? true : router.createUrlTree(['/login'], { queryParams: { returnUrl: state.url } }),
      ),
    );
};

/** Admin pages: users who are not admins go to the dashboard. Runs after authGuard. */
export const adminGuard: CanActivateFn = () => {
  const auth = inject(AuthStore);
  const router = inject(Router);
  return auth.restore().pipe(map(() => (auth.isAdmin() ? true : router.createUrlTree(['/']))));
};

/** The login page: already signed-in users go straight on. */
export const guestGuard: CanActivateFn = () => {
  const auth = inject(AuthStore);
  const router = inject(Router);
  return auth.restore().pipe(map((isLoggedIn) => (isLoggedIn ? router.createUrlTree(['/']) : true)));
};
