import type { Routes } from '@angular/router';

export default [{ path: '', loadComponent: () => import('./shares-page') }] satisfies Routes;
