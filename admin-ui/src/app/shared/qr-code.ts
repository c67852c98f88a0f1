import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { generate } from 'lean-qr';

/** Modules of white around the code, as ISO/IEC 18004 asks for the quiet zone. */
const QUIET_ZONE = 4;

/**
 * A QR code of `text`, drawn as one SVG path (no canvas and no data: URL, so the console's CSP has nothing to
 * allow). Always dark on white, in either theme: phone cameras read that best.
 */
@Component({
  selector: 'bh-qr-code',
  template: `
    <svg
      role="img"
      [attr.aria-label]="label()"
      [attr.viewBox]="viewBox()"
      shape-rendering="crispEdges"
      xmlns="http://www.w3.org/2000/svg"
    >
      <rect x="0" y="0" width="100%" height="100%" fill="#fff" />
      <path [attr.d]="path()" fill="#000" />
    </svg>
  `,
  styles: `
    :host {
      display: block;
      width: 100%;
      max-width: 240px;
    }
    svg {
      display: block;
      width: 100%;
      height: auto;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QrCode {
  readonly text = input.required<string>();
  /** What a screen reader says instead of the picture. */
  readonly label = input('QR code');

  private readonly code = computed(() => generate(this.text()));
  protected readonly viewBox = computed(() => {
    const side = this.code().size + QUIET_ZONE * 2;
    return `0 0 ${side} ${side}`;
  });
  protected readonly path = computed(() => {
    const code = this.code();
    const parts: string[] = [];
    for (let y = 0; y < code.size; y++) {
      for (let x = 0; x < code.size; x++) {
        if (code.get(x, y)) parts.push(`M${x + QUIET_ZONE} ${y + QUIET_ZONE}h1v1h-1z`);
      }
    }
    return parts.join('');
  });
}
