import { DOCUMENT, Injectable, effect, inject, signal } from '@angular/core';

export type ThemeMode = 'light' | 'dark';

const THEME_KEY = 'baluhost.theme';

/** Light or dark, remembered in localStorage; the first visit follows the system setting. */
@Injectable({ providedIn: 'root' })
export class ThemeStore {
  private readonly document = inject(DOCUMENT);
  private readonly modeState = signal<ThemeMode>(this.initialMode());

  readonly mode = this.modeState.asReadonly();

  constructor() {
    effect(() => {
      // styles.scss builds the Material theme with light-dark(); color-scheme picks the side.
      this.document.documentElement.style.colorScheme = this.modeState();
    });
  }

  toggle(): void {
    const next: ThemeMode = this.modeState() === 'dark' ? 'light' : 'dark';
    this.modeState.set(next);
    this.document.defaultView?.localStorage.setItem(THEME_KEY, next);
  }

  private initialMode(): ThemeMode {
    const view = this.document.defaultView;
    const saved = view?.localStorage.getItem(THEME_KEY);
    if (saved === 'light' || saved === 'dark') return saved;
    return view?.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
}
