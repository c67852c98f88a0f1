import type { Routes } from '@angular/router';

export default [{ path: '', loadComponent: () => import('./scheduler-page') }] satisfies Routes;
