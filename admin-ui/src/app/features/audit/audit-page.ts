import { DatePipe, JsonPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import {
  type AbstractControl,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  type ValidationErrors,
} from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatTableModule } from '@angular/material/table';
import type { AuditFilters, AuditProtocol, AuditResult } from '../../core/api-client';
import { AuditStore } from './audit-store';

const PROTOCOLS: readonly AuditProtocol[] = ['api', 'webdav', 'smb', 'cli', 'system'];
const RESULTS: readonly AuditResult[] = ['success', 'failure', 'denied'];

/** datetime-local inputs give local wall time ("2026-01-31T12:00"); the API wants ISO-8601 with an offset. */
function toIso(local: string): string | undefined {
  if (local === '') return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function fromBeforeTo(group: AbstractControl): ValidationErrors | null {
  const from = toIso(group.get('from')?.value as string);
  const to = toIso(group.get('to')?.value as string);
  return from !== undefined && to !== undefined && from > to ? { range: true } : null;
}

@Component({
  selector: 'bh-audit-page',
  imports: [
    DatePipe,
    JsonPipe,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    MatTableModule,
    ReactiveFormsModule,
  ],
  providers: [AuditStore],
  templateUrl: './audit-page.html',
  styleUrl: './audit-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class AuditPage {
  private readonly store = inject(AuditStore);

  protected readonly entries = this.store.entries;
  protected readonly isLoading = this.store.isLoading;
  protected readonly isExporting = this.store.isExporting;
  protected readonly problem = this.store.problem;
  protected readonly pageNumber = this.store.pageNumber;
  protected readonly hasNewer = this.store.hasNewer;
  protected readonly hasOlder = this.store.hasOlder;
  protected readonly protocols = PROTOCOLS;
  protected readonly results = RESULTS;
  protected readonly columns = ['at', 'actor', 'action', 'target', 'protocol', 'result'] as const;
  private readonly fb = inject(NonNullableFormBuilder);
  protected readonly form = this.fb.group(
    {
      actor: [''],
      action: [''],
      protocol: this.fb.control<AuditProtocol | ''>(''),
      result: this.fb.control<AuditResult | ''>(''),
      from: [''],
      to: [''],
    },
    { validators: fromBeforeTo },
  );

  constructor() {
    this.store.applyFilters({});
  }

  protected applyFilters(): void {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const value = this.form.getRawValue();
    const filters: AuditFilters = {
      ...(value.actor.trim() !== '' ? { actor: value.actor.trim() } : {}),
      ...(value.action.trim() !== '' ? { action: value.action.trim() } : {}),
      ...(value.protocol !== '' ? { protocol: value.protocol } : {}),
      ...(value.result !== '' ? { result: value.result } : {}),
      ...(toIso(value.from) !== undefined ? { from: toIso(value.from) } : {}),
      ...(toIso(value.to) !== undefined ? { to: toIso(value.to) } : {}),
    };
    this.store.applyFilters(filters);
  }

  protected clearFilters(): void {
    this.form.reset();
    this.store.applyFilters({});
  }

  protected showOlder(): void {
    this.store.showOlder();
  }

  protected showNewer(): void {
    this.store.showNewer();
  }

  protected exportCsv(): void {
    this.store.exportCsv();
  }
}
