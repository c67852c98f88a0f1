import { DatePipe, formatDate } from '@angular/common';
import { ChangeDetectionStrategy, Component, LOCALE_ID, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { HardwareFamily, ServiceState, ServiceStatus } from '../../core/api-client';
import { ConfirmDialog, type ConfirmDialogData } from '../../shared/confirm-dialog';
import { ServicesStore, hardwareFamilyOf } from './services-store';

const LABELS: Readonly<Record<string, string>> = {
  http: 'Web server',
  webdav: 'WebDAV',
  smb: 'SMB (smbd)',
  scheduler: 'Scheduler',
  telemetry: 'Telemetry sampler',
  database: 'Database',
};

/** A figure that is a time: shown in the reader's format. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

const STATE_ICONS: Readonly<Record<ServiceState, string>> = {
  running: 'check_circle',
  degraded: 'warning',
  stopped: 'error',
  disabled: 'block',
};

/** Services: every part of the server with its state, since when, the last error and key figures. */
@Component({
  selector: 'bh-services-page',
  imports: [DatePipe, MatButtonModule, MatCardModule, MatIconModule, MatProgressBarModule],
  providers: [ServicesStore],
  templateUrl: './services-page.html',
  styleUrl: './services-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class ServicesPage {
  private readonly store = inject(ServicesStore);
  private readonly dialog = inject(MatDialog);
  private readonly locale = inject(LOCALE_ID);

  protected readonly services = this.store.services;
  protected readonly isLoading = this.store.isLoading;
  protected readonly problem = this.store.problem;
  protected readonly busy = this.store.busy;
  protected readonly troubled = this.store.troubled;
  protected readonly familyOf = hardwareFamilyOf;
  protected readonly stateIcons = STATE_ICONS;

  constructor() {
    this.store.load();
  }

  protected probeAll(): void {
    this.store.load(true);
  }

  protected label(service: ServiceStatus): string {
    const family = hardwareFamilyOf(service);
    if (family !== null) return `${family === 'raid' ? 'RAID' : capitalise(family)} driver`;
    return LABELS[service.name] ?? service.name;
  }

  protected figures(service: ServiceStatus): readonly { readonly key: string; readonly value: string }[] {
    return Object.entries(service.figures).map(([key, value]) => ({
      key,
      value: this.figureText(value),
    }));
  }

  private figureText(value: ServiceStatus['figures'][string]): string {
    if (value === null) return '—';
    if (typeof value === 'boolean') return value ? 'yes' : 'no';
    if (typeof value === 'string' && ISO_TIME.test(value)) return formatDate(value, 'medium', this.locale);
    return String(value);
  }

  protected confirmRestartSmb(): void {
    const data: ConfirmDialogData = {
      title: 'Restart smbd?',
      message: 'Open SMB connections drop and clients reconnect; files being copied over SMB may fail.',
      confirmLabel: 'Restart',
    };
    this.dialog
      .open<ConfirmDialog, ConfirmDialogData, boolean>(ConfirmDialog, { data, maxWidth: '100vw' })
      .afterClosed()
      .subscribe((isConfirmed) => {
        if (isConfirmed === true) this.store.restartSmb();
      });
  }

  protected probe(family: HardwareFamily): void {
    this.store.probe(family);
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
