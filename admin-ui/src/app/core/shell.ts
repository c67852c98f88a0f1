import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, computed, inject, viewChild } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatListModule } from '@angular/material/list';
import { MatMenuModule } from '@angular/material/menu';
import { MatSidenav, MatSidenavModule } from '@angular/material/sidenav';
import { MatToolbarModule } from '@angular/material/toolbar';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { map } from 'rxjs';
import { AuthStore } from './auth-store';
import { ThemeStore } from './theme-store';

interface NavItem {
  readonly path: string;
  readonly label: string;
  readonly icon: string;
  readonly isAdminOnly: boolean;
}

const NAV_ITEMS: readonly NavItem[] = [
  { path: '/', label: 'Dashboard', icon: 'dashboard', isAdminOnly: false },
  { path: '/files', label: 'Files', icon: 'folder', isAdminOnly: false },
  { path: '/shares', label: 'Shares', icon: 'folder_shared', isAdminOnly: true },
  { path: '/users', label: 'Users', icon: 'people', isAdminOnly: true },
  { path: '/groups', label: 'Groups', icon: 'groups', isAdminOnly: true },
  { path: '/raid', label: 'RAID', icon: 'storage', isAdminOnly: false },
  { path: '/smart', label: 'Disk health', icon: 'health_and_safety', isAdminOnly: false },
  { path: '/power', label: 'Power', icon: 'bolt', isAdminOnly: false },
  { path: '/fans', label: 'Fans', icon: 'toys', isAdminOnly: false },
  { path: '/energy', label: 'Energy', icon: 'electric_meter', isAdminOnly: false },
  { path: '/scheduler', label: 'Scheduler', icon: 'schedule', isAdminOnly: true },
  { path: '/services', label: 'Services', icon: 'monitor_heart', isAdminOnly: true },
  { path: '/settings', label: 'Settings', icon: 'settings', isAdminOnly: true },
  { path: '/audit', label: 'Audit log', icon: 'history', isAdminOnly: true },
  { path: '/account', label: 'My account', icon: 'manage_accounts', isAdminOnly: false },
];

/** The frame around every signed-in page: toolbar, navigation (a drawer on narrow screens), content. */
@Component({
  selector: 'bh-shell',
  imports: [
    MatButtonModule,
    MatIconModule,
    MatListModule,
    MatMenuModule,
    MatSidenavModule,
    MatToolbarModule,
    RouterLink,
    RouterLinkActive,
    RouterOutlet,
  ],
  templateUrl: './shell.html',
  styleUrl: './shell.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class Shell {
  private readonly auth = inject(AuthStore);
  private readonly theme = inject(ThemeStore);
  private readonly router = inject(Router);
  private readonly sidenav = viewChild.required(MatSidenav);

  protected readonly user = this.auth.user;
  protected readonly isDark = computed(() => this.theme.mode() === 'dark');
  protected readonly isNarrow = toSignal(
    inject(BreakpointObserver)
      .observe('(max-width: 839.98px)')
      .pipe(map((state) => state.matches)),
    { initialValue: false },
  );
  protected readonly navItems = computed(() =>
    NAV_ITEMS.filter((item) => !item.isAdminOnly || this.auth.isAdmin()),
  );

  protected toggleTheme(): void {
    this.theme.toggle();
  }

  protected closeDrawerOnNarrow(): void {
    if (this.isNarrow()) void this.sidenav().close();
  }

  protected logOut(): void {
    this.auth.logout().subscribe(() => {
      void this.router.navigate(['/login']);
    });
  }
}
