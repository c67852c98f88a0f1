import type { Routes } from '@angular/router';

export default [{ path: '', loadComponent: () => import('./energy-page') }] satisfies Routes;
