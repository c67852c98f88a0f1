import type { Routes } from '@angular/router';

export default [{ path: '', loadComponent: () => import('./smart-page') }] satisfies Routes;
