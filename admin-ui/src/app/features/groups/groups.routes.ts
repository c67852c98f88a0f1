import type { Routes } from '@angular/router';

export default [{ path: '', loadComponent: () => import('./groups-page') }] satisfies Routes;
