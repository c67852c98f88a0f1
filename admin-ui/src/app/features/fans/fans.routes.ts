import type { Routes } from '@angular/router';

export default [{ path: '', loadComponent: () => import('./fans-page') }] satisfies Routes;
