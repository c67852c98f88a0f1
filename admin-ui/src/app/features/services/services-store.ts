import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { type Observable, finalize } from 'rxjs';
import { ApiClient, type HardwareFamily, type ServiceStatus } from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { Notifier } from '../../core/notifier';

/** How often the page asks for the latest sample while it is open. */
export const SERVICES_REFRESH_MS = 10_000;

const HARDWARE_PREFIX = 'hardware.';

/** The hardware driver family of a `hardware.<family>` entry; null for the other parts. */
export function hardwareFamilyOf(service: ServiceStatus): HardwareFamily | null {
  return service.name.startsWith(HARDWARE_PREFIX)
    ? (service.name.slice(HARDWARE_PREFIX.length) as HardwareFamily)
    : null;
}

/**
 * Services: the state of every part of the server, asked again every SERVICES_REFRESH_MS, and the admin's
 * actions (restart smbd, probe a hardware driver family now), each showing which row is busy.
 */
@Injectable()
export class ServicesStore {
  private readonly api = inject(ApiClient);
  private readonly notifier = inject(Notifier);

  private readonly servicesState = signal<readonly ServiceStatus[] | null>(null);
  private readonly isLoadingState = signal(false);
  private readonly problemState = signal<ApiProblem | null>(null);
  private readonly busyState = signal<string | null>(null);
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private isDestroyed = false;

  /** Null until the first answer. */
  readonly services = this.servicesState.asReadonly();
  readonly isLoading = this.isLoadingState.asReadonly();
  readonly problem = this.problemState.asReadonly();
  /** The name of the part being restarted or probed; null when none is. */
  readonly busy = this.busyState.asReadonly();
  readonly troubled = computed(
    () => (this.servicesState() ?? []).filter((s) => s.state === 'degraded' || s.state === 'stopped').length,
  );

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.isDestroyed = true;
      this.stopRefresh();
    });
  }

  /** Loads the latest sample (`probeNow`: probe every part first), then again every SERVICES_REFRESH_MS. */
  load(probeNow = false): void {
    this.stopRefresh();
    this.isLoadingState.set(true);
    this.api
      .services(probeNow)
      .pipe(
        finalize(() => {
          this.isLoadingState.set(false);
          this.scheduleRefresh();
        }),
      )
      .subscribe({
        next: (services) => {
          this.servicesState.set(services);
          this.problemState.set(null);
        },
        error: (err: unknown) => {
          this.problemState.set(toApiProblem(err));
        },
      });
  }

  restartSmb(): void {
    this.act('smb', this.api.restartSmb(), 'smbd restarted.');
  }

  probe(family: HardwareFamily): void {
    this.act(`${HARDWARE_PREFIX}${family}`, this.api.probeHardware(family), `The ${family} driver answered.`);
  }

  private act(name: string, request: Observable<ServiceStatus>, done: string): void {
    this.busyState.set(name);
    request
      .pipe(
        finalize(() => {
          this.busyState.set(null);
        }),
      )
      .subscribe({
        next: (updated) => {
          this.servicesState.update((all) => (all ?? []).map((s) => (s.name === updated.name ? updated : s)));
          if (updated.state === 'running') this.notifier.info(done);
          else
            this.notifier.info(
              `${updated.name} is ${updated.state}: ${updated.lastError ?? 'no error given'}`,
            );
        },
        error: (err: unknown) => {
          this.notifier.error(err);
        },
      });
  }

  private scheduleRefresh(): void {
    if (this.isDestroyed) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      this.load();
    }, SERVICES_REFRESH_MS);
  }

  private stopRefresh(): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }
}
