import type { Routes } from '@angular/router';
import { authGuard, guestGuard } from './core/auth-guards';

export const routes: Routes = [
  {
    path: 'login',
    title: 'Log in · BaluHost',
    canActivate: [guestGuard],
    loadChildren: () => import('./features/login/login.routes'),
  },
  {
    path: '',
    canActivate: [authGuard],
    loadComponent: () => import('./core/shell'),
    children: [
      {
        path: '',
        pathMatch: 'full',
        title: 'Dashboard · BaluHost',
        loadChildren: () => import('./features/dashboard/dashboard.routes'),
      },
    ],
  },
  { path: '**', redirectTo: '' },
];
