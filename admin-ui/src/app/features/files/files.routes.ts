import type { Routes } from '@angular/router';

export default [{ path: '', loadComponent: () => import('./files-page') }] satisfies Routes;
