import type { Routes } from '@angular/router';

export default [{ path: '', loadComponent: () => import('./audit-page') }] satisfies Routes;
