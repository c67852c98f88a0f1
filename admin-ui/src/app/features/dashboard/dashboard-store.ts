import { Injectable, inject, signal } from '@angular/core';
import { ApiClient, type AuditEntry, type Health, type Share, type Usage } from '../../core/api-client';
import { type ApiProblem, toApiProblem } from '../../core/api-error';
import { AuthStore } from '../../core/auth-store';

export const RECENT_AUDIT_LIMIT = 10;

/**
 * What the dashboard shows today: the server's health and version, your storage use, and for admins the shares'
 * usage and the latest audit events.
 */
@Injectable()
export class DashboardStore {
  private readonly api = inject(ApiClient);
  private readonly auth = inject(AuthStore);

  private readonly healthState = signal<Health | null>(null);
  private readonly healthProblemState = signal<ApiProblem | null>(null);
  private readonly recentAuditState = signal<readonly AuditEntry[] | null>(null);
  private readonly auditProblemState = signal<ApiProblem | null>(null);
  private readonly usageState = signal<Usage | null>(null);
  private readonly usageProblemState = signal<ApiProblem | null>(null);
  private readonly sharesState = signal<readonly Share[] | null>(null);
  private readonly sharesProblemState = signal<ApiProblem | null>(null);

  readonly user = this.auth.user;
  readonly isAdmin = this.auth.isAdmin;
  readonly health = this.healthState.asReadonly();
  readonly healthProblem = this.healthProblemState.asReadonly();
  readonly recentAudit = this.recentAuditState.asReadonly();
  readonly auditProblem = this.auditProblemState.asReadonly();
  readonly usage = this.usageState.asReadonly();
  readonly usageProblem = this.usageProblemState.asReadonly();
  /** Admins only: every share, largest first. */
  readonly shares = this.sharesState.asReadonly();
  readonly sharesProblem = this.sharesProblemState.asReadonly();

  load(): void {
    this.api.health().subscribe({
      next: (health) => {
        this.healthState.set(health);
        this.healthProblemState.set(null);
      },
      error: (err: unknown) => {
        this.healthProblemState.set(toApiProblem(err));
      },
    });
    this.api.usage().subscribe({
      next: (usage) => {
        this.usageState.set(usage);
        this.usageProblemState.set(null);
      },
      error: (err: unknown) => {
        this.usageProblemState.set(toApiProblem(err));
      },
    });
    if (this.auth.isAdmin()) {
      this.api.listShares().subscribe({
        next: (shares) => {
          this.sharesState.set([...shares].sort((a, b) => b.usedBytes - a.usedBytes));
          this.sharesProblemState.set(null);
        },
        error: (err: unknown) => {
          this.sharesProblemState.set(toApiProblem(err));
        },
      });
      this.api.audit({ limit: RECENT_AUDIT_LIMIT }).subscribe({
        next: (page) => {
          this.recentAuditState.set(page.items);
          this.auditProblemState.set(null);
        },
        error: (err: unknown) => {
          this.auditProblemState.set(toApiProblem(err));
        },
      });
    }
  }
}
