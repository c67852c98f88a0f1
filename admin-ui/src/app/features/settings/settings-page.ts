import { ChangeDetectionStrategy, Component, effect, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { applyFieldProblems, toApiProblem } from '../../core/api-error';
import { SettingsStore } from './settings-store';

const NETBIOS = /^[A-Za-z0-9_.-]{1,15}$/;
const TEXT = /^[^\r\n[\]"\\]+$/;
const INTERFACE = /^[A-Za-z0-9_.:/-]{1,64}$/;

/** Settings: SMB (on/off, workgroup, server string, port, interfaces) and status, notification channels. */
@Component({
  selector: 'bh-settings-page',
  imports: [
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressBarModule,
    MatSlideToggleModule,
    ReactiveFormsModule,
  ],
  providers: [SettingsStore],
  templateUrl: './settings-page.html',
  styleUrl: './settings-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export default class SettingsPage {
  private readonly store = inject(SettingsStore);

  protected readonly smbProblem = this.store.smbProblem;
  protected readonly status = this.store.status;
  protected readonly statusProblem = this.store.statusProblem;
  protected readonly channels = this.store.channels;
  protected readonly channelsProblem = this.store.channelsProblem;
  protected readonly testResults = this.store.testResults;
  protected readonly isTesting = this.store.isTesting;
  protected readonly isSaving = signal(false);
  protected readonly saveProblem = signal<string | null>(null);
  protected readonly form = inject(NonNullableFormBuilder).group({
    enabled: [false],
    workgroup: ['', [Validators.required, Validators.pattern(NETBIOS)]],
    serverString: ['', [Validators.required, Validators.maxLength(64), Validators.pattern(TEXT)]],
    port: [445, [Validators.required, Validators.min(1), Validators.max(65535)]],
    interfaces: ['', [Validators.required, (c: { value: string }) => interfacesError(c.value)]],
  });

  constructor() {
    this.store.load();
    effect(() => {
      const s = this.store.smb();
      if (s !== null) this.form.reset({ ...s, interfaces: s.interfaces.join(', ') });
    });
  }

  protected saveSmb(): void {
    this.saveProblem.set(null);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const v = this.form.getRawValue();
    this.isSaving.set(true);
    this.store.saveSmb({ ...v, interfaces: splitInterfaces(v.interfaces) }).subscribe({
      next: () => {
        this.isSaving.set(false);
      },
      error: (err: unknown) => {
        this.isSaving.set(false);
        const problem = toApiProblem(err);
        applyFieldProblems(this.form, problem);
        this.saveProblem.set(problem.message);
      },
    });
  }

  protected testChannels(): void {
    this.store.testChannels();
  }

  protected refreshStatus(): void {
    this.store.loadStatus();
  }
}

function splitInterfaces(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function interfacesError(text: string): Record<string, true> | null {
  const list = splitInterfaces(text);
  if (list.length === 0) return { required: true };
  if (list.length > 32 || list.some((i) => !INTERFACE.test(i))) return { interfaces: true };
  return null;
}
