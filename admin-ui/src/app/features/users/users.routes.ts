import type { Routes } from '@angular/router';

export default [{ path: '', loadComponent: () => import('./users-page') }] satisfies Routes;
