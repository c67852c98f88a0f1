import type { Routes } from '@angular/router';

export default [{ path: '', loadComponent: () => import('./power-page') }] satisfies Routes;
