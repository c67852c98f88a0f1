import type { Routes } from '@angular/router';

export default [{ path: '', loadComponent: () => import('./raid-page') }] satisfies Routes;
