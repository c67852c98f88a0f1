import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import type { Clock } from './clock.js';
import { ConfirmationRequiredError } from './errors.js';

/** Why a destructive action was not performed yet. */
export type ConfirmationRefusal = 'missing' | 'expired' | 'invalid' | 'used';

/** Options of {@link ConfirmationGate}. */
export interface ConfirmationGateOptions {
  readonly clock: Clock;
  /** Token lifetime in milliseconds (default 120 000). */
  readonly ttlMs?: number;
  /**
   * HMAC key. Give every worker of one server the same key so that a token issued by one is
   * accepted by another; a random per-process key is used when omitted.
   */
  readonly secret?: string | Uint8Array;
}

/** Default token lifetime: two minutes. */
export const DEFAULT_CONFIRMATION_TTL_MS = 120_000;

function stableJson(value: unknown): string {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Two-step confirmation for destructive actions. The first call (no token) throws
 * CONFIRMATION_REQUIRED with a short-lived token bound to the action and its arguments; the same
 * call repeated with that token goes through. Tokens are stateless HMACs of
 * (action, canonical arguments, expiry), so any worker holding the secret can check them; a token
 * is accepted once per process.
 */
export class ConfirmationGate {
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly secret: Uint8Array | string;
  private readonly used = new Map<string, number>();

  constructor(options: ConfirmationGateOptions) {
    this.clock = options.clock;
    this.ttlMs = options.ttlMs ?? DEFAULT_CONFIRMATION_TTL_MS;
    this.secret = options.secret ?? randomBytes(32);
  }

  /**
   * Returns when `confirmToken` confirms `action` with exactly these `args`; otherwise throws.
   * @param action - a stable action name, e.g. `raid.failMember`.
   * @param args - the arguments the token is bound to (key order does not matter).
   * @param description - what will happen, for the message, e.g. "mark /dev/sdb faulty in md0".
   * @throws ConfirmationRequiredError (`CONFIRMATION_REQUIRED`) with `details.confirmToken`, `details.expiresAt`,
   *   `details.howToConfirm` and `details.reason` (`missing`, `expired`, `invalid` or `used`).
   */
  check(
    action: string,
    args: Readonly<Record<string, unknown>>,
    description: string,
    confirmToken?: string,
  ): void {
    const now = this.clock.now();
    for (const [token, expiresAtMs] of this.used) {
      if (expiresAtMs < now) this.used.delete(token);
    }
    const refusal = confirmToken === undefined ? 'missing' : this.verify(action, args, confirmToken, now);
    if (refusal === null && confirmToken !== undefined) {
      this.used.set(confirmToken, now + this.ttlMs);
      return;
    }
    const expiresAtMs = now + this.ttlMs;
    const token = this.sign(action, args, expiresAtMs);
    const seconds = Math.round(this.ttlMs / 1000);
    const why =
      refusal === 'expired'
        ? 'The confirmation token has expired. '
        : refusal === 'invalid'
          ? 'The confirmation token does not match this request. '
          : refusal === 'used'
            ? 'The confirmation token was already used. '
            : '';
    throw new ConfirmationRequiredError(
      `${why}Confirmation required to ${description}: repeat the request with confirmToken=${token} within ${seconds} s.`,
      {
        details: {
          action,
          confirmToken: token,
          expiresAt: new Date(expiresAtMs).toISOString(),
          howToConfirm: `repeat the request with confirmToken=${token}`,
          reason: refusal ?? 'missing',
        },
      },
    );
  }

  private sign(action: string, args: Readonly<Record<string, unknown>>, expiresAtMs: number): string {
    const expiry = expiresAtMs.toString(36);
    const mac = createHmac('sha256', this.secret)
      .update(`${action}\n${stableJson(args)}\n${expiry}`)
      .digest('base64url')
      .slice(0, 22);
    return `${expiry}.${mac}`;
  }

  private verify(
    action: string,
    args: Readonly<Record<string, unknown>>,
    token: string,
    now: number,
  ): ConfirmationRefusal | null {
    const match = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})$/.exec(token);
    if (match?.[1] === undefined) return 'invalid';
    const expiresAtMs = parseInt(match[1], 36);
    const expected = Buffer.from(this.sign(action, args, expiresAtMs));
    const given = Buffer.from(token);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
    if (expiresAtMs < now) return 'expired';
    if (this.used.has(token)) return 'used';
    return null;
  }
}
