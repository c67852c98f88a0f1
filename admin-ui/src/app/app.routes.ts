import type { Routes } from '@angular/router';
import { adminGuard, authGuard, guestGuard } from './core/auth-guards';

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
      {
        path: 'files',
        title: 'Files · BaluHost',
        loadChildren: () => import('./features/files/files.routes'),
      },
      {
        path: 'shares',
        title: 'Shares · BaluHost',
        canActivate: [adminGuard],
        loadChildren: () => import('./features/shares/shares.routes'),
      },
      {
        path: 'users',
        title: 'Users · BaluHost',
        canActivate: [adminGuard],
        loadChildren: () => import('./features/users/users.routes'),
      },
      {
        path: 'groups',
        title: 'Groups · BaluHost',
        canActivate: [adminGuard],
        loadChildren: () => import('./features/groups/groups.routes'),
      },
      {
        path: 'audit',
        title: 'Audit log · BaluHost',
        canActivate: [adminGuard],
        loadChildren: () => import('./features/audit/audit.routes'),
      },
      {
        path: 'raid',
        title: 'RAID · BaluHost',
        loadChildren: () => import('./features/raid/raid.routes'),
      },
      {
        path: 'smart',
        title: 'Disk health · BaluHost',
        loadChildren: () => import('./features/smart/smart.routes'),
      },
      {
        path: 'power',
        title: 'Power · BaluHost',
        loadChildren: () => import('./features/power/power.routes'),
      },
      {
        path: 'fans',
        title: 'Fans · BaluHost',
        loadChildren: () => import('./features/fans/fans.routes'),
      },
      {
        path: 'energy',
        title: 'Energy · BaluHost',
        loadChildren: () => import('./features/energy/energy.routes'),
      },
      {
        path: 'scheduler',
        title: 'Scheduler · BaluHost',
        canActivate: [adminGuard],
        loadChildren: () => import('./features/scheduler/scheduler.routes'),
      },
      {
        path: 'services',
        title: 'Services · BaluHost',
        canActivate: [adminGuard],
        loadChildren: () => import('./features/services/services.routes'),
      },
      {
        path: 'settings',
        title: 'Settings · BaluHost',
        canActivate: [adminGuard],
        loadChildren: () => import('./features/settings/settings.routes'),
      },
      {
        path: 'account',
        title: 'My account · BaluHost',
        loadChildren: () => import('./features/account/account.routes'),
      },
    ],
  },
  { path: '**', redirectTo: '' },
];
