import type { Routes } from '@angular/router';

export default [{ path: '', loadComponent: () => import('./account-page') }] satisfies Routes;
