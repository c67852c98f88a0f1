import type { Routes } from '@angular/router';

export default [{ path: '', loadComponent: () => import('./dashboard-page') }] satisfies Routes;
