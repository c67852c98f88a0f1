import type { Db } from '../db/index.js';
import { TooManyRequestsError } from '../errors/index.js';

export interface LoginTrackerLimits {
  /** Failures for one username within the window before the name is blocked. */
  readonly maxFailuresPerUser: number;
  /** Failures from one address within the window before the address is banned. */
  readonly maxFailuresPerAddress: number;
  readonly windowSeconds: number;
  readonly blockSeconds: number;
}

type Scope = 'user' | 'address';

interface FailureRow {
  scope: Scope;
  key: string;
  failures: number;
  windowStartedAt: string;
  blockedUntil: string | null;
}

/**
 * The failed-login tracker shared by every protocol (API, WebDAV, SMB) and every worker: state lives in the
 * database. A username is blocked after too many failures within the window, and so is an address.
 */
export class LoginTracker {
  private readonly isPostgres: boolean;

  constructor(
    private readonly db: Db,
    private readonly limits: LoginTrackerLimits,
    private readonly clock: () => number = Date.now,
  ) {
    this.isPostgres = (db.client as { config: { client: string } }).config.client === 'pg';
  }

  /**
   * Refuses an attempt while its username or address is blocked.
   * @throws TooManyRequestsError with the seconds until the block ends.
   */
  async assertAllowed(address: string | null, username: string): Promise<void> {
    const keys = this.keys(address, username);
    const rows = await this.db<FailureRow>('auth_failures')
      .where((q) => {
        for (const [scope, key] of keys) void q.orWhere({ scope, key });
      })
      .whereNotNull('blocked_until');
    const now = this.clock();
    let until = 0;
    for (const row of rows) {
      const t = Date.parse(row.blockedUntil ?? '');
      if (t > now) until = Math.max(until, t);
    }
    if (until > 0) {
      throw new TooManyRequestsError(
        'Too many failed logins. Try again later.',
        Math.max(1, Math.ceil((until - now) / 1000)),
      );
    }
  }

  /** Counts a failure; returns true when this failure started a block. */
  async recordFailure(address: string | null, username: string): Promise<boolean> {
    let blocked = false;
    for (const [scope, key] of this.keys(address, username)) {
      const max = scope === 'user' ? this.limits.maxFailuresPerUser : this.limits.maxFailuresPerAddress;
      if (await this.bump(scope, key, max)) blocked = true;
    }
    return blocked;
  }

  /** A successful login clears the username's count (not the address's: a spray from one address still counts). */
  async recordSuccess(username: string): Promise<void> {
    await this.db('auth_failures')
      .where({ scope: 'user', key: normalise(username) })
      .delete();
  }

  private keys(address: string | null, username: string): [Scope, string][] {
    const keys: [Scope, string][] = [['user', normalise(username)]];
    if (address) keys.push(['address', address]);
    return keys;
  }

  private async bump(scope: Scope, key: string, max: number): Promise<boolean> {
    const now = this.clock();
    const windowMs = this.limits.windowSeconds * 1000;
    return this.db.transaction(async (trx) => {
      const select = trx<FailureRow>('auth_failures').where({ scope, key }).first();
      if (this.isPostgres) void select.forUpdate();
      const row = await select;
      const fresh = !row || now - Date.parse(row.windowStartedAt) > windowMs;
      const failures = fresh ? 1 : row.failures + 1;
      const startsBlock = failures >= max;
      const blockedUntil = startsBlock ? new Date(now + this.limits.blockSeconds * 1000).toISOString() : null;
      const values = {
        failures,
        windowStartedAt: fresh ? new Date(now).toISOString() : row.windowStartedAt,
        blockedUntil: blockedUntil ?? (fresh ? null : row.blockedUntil),
      };
      if (row) await trx('auth_failures').where({ scope, key }).update(values);
      else
        await trx('auth_failures')
          .insert({ scope, key, ...values })
          .onConflict(['scope', 'key'])
          .merge();
      return startsBlock && failures === max;
    });
  }
}

function normalise(username: string): string {
  return username.normalize('NFC').toLowerCase().slice(0, 255);
}
