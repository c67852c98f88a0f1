import { randomBytes } from 'node:crypto';
import { runSql, sql, SqlRunner, type Db, type Sql } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { DomainEventBus } from '../services/events.js';

export interface Reservation {
  readonly id: string;
  readonly userId: number | null;
  readonly shareId: number | null;
  bytes: number;
}

/** Whether a quota applies to a user and share, as read at some time (see QuotaLedger.known). */
interface KnownQuota {
  readonly user: number | null;
  readonly share: number | null;
  readonly applies: boolean;
  readonly freshUntil: number;
}

/** How long a read of whether a quota applies is trusted (QuotaLedger.known). */
const FRESH_MS = 5_000;
/** Answers kept at most; past this the map starts again. */
const KNOWN_MAX = 10_000;

/** How long a reservation lives without being extended; an upload refreshes it as it streams. */
const RESERVATION_TTL_MS = 15 * 60_000;

/**
 * Quota accounting in the database: bytes used per user and per share, and reservations for uploads in flight.
 * A reservation is checked and inserted in one transaction that holds the usage row, so parallel uploads on any
 * worker cannot together pass a quota.
 */
export class QuotaLedger {
  private readonly isPostgres: boolean;
  private readonly sql: SqlRunner;
  /**
   * {@link applies} as last read, by user and share, and until when that read is trusted: every upload asks. A
   * change to a user or share (a quota set or lifted, a deletion) drops their answers at once, in every worker
   * (the cluster relays the events); FRESH_MS bounds what a change that no event told of can cost (another host
   * on the same PostgreSQL database), as for the user's other state (BasicAuthenticator).
   */
  private readonly known = new Map<string, KnownQuota>();
  /** Changes heard so far: an answer read while one arrived is not kept. */
  private changes = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
    events: DomainEventBus | null = null,
  ) {
    this.isPostgres = (db.client as { config: { client: string } }).config.client === 'pg';
    this.sql = new SqlRunner(db);
    if (events) {
      const forget = (user: number | null, share: number | null) => {
        this.changes++;
        for (const [k, v] of this.known) {
          if ((user !== null && v.user === user) || (share !== null && v.share === share))
            this.known.delete(k);
        }
      };
      events.on('user.changed', ({ userId }) => {
        forget(userId, null);
      });
      events.on('user.deleted', ({ userId }) => {
        forget(userId, null);
      });
      events.on('share.changed', ({ shareId }) => {
        forget(null, shareId);
      });
    }
  }

  async used(scope: 'user' | 'share', id: number, trx: Db = this.db): Promise<number> {
    const row = await trx('storage_usage')
      .where({ scope, subjectId: id })
      .first<{ usedBytes: number } | undefined>('used_bytes');
    return row?.usedBytes ?? 0;
  }

  async userQuota(userId: number, trx: Db = this.db): Promise<number | null> {
    const row = await trx('users')
      .where({ id: userId })
      .first<{ quotaBytes: number | null } | undefined>('quota_bytes');
    return row?.quotaBytes ?? null;
  }

  async shareQuota(shareId: number, trx: Db = this.db): Promise<number | null> {
    const row = await trx('shares')
      .where({ id: shareId })
      .first<{ quotaBytes: number | null } | undefined>('quota_bytes');
    return row?.quotaBytes ?? null;
  }

  /** Whether any quota applies to bytes charged to this user and share (asked on every upload). */
  async applies(userId: number | null, shareId: number | null): Promise<boolean> {
    if (userId === null && shareId === null) return false;
    const key = `${String(userId)}:${String(shareId)}`;
    const now = this.clock();
    const cached = this.known.get(key);
    if (cached !== undefined && cached.freshUntil > now) return cached.applies;
    const changes = this.changes;
    const row = await this.sql.first<{ n: number }>(
      sql(
        'select (select count(*) from users where id = ? and quota_bytes is not null)' +
          ' + (select count(*) from shares where id = ? and quota_bytes is not null) as n',
        [userId, shareId],
      ),
    );
    const applies = row !== undefined && row.n > 0;
    if (changes === this.changes) {
      if (this.known.size >= KNOWN_MAX) this.known.clear();
      this.known.set(key, { user: userId, share: shareId, applies, freshUntil: now + FRESH_MS });
    }
    return applies;
  }

  /**
   * Reserves bytes against the user's and the share's quota.
   * @throws QUOTA_EXCEEDED when either would be passed
   */
  async reserve(userId: number | null, shareId: number | null, bytes: number): Promise<Reservation> {
    const reservation: Reservation = {
      id: randomBytes(12).toString('base64url'),
      userId,
      shareId,
      bytes: Math.max(0, bytes),
    };
    await this.db.transaction(async (trx) => {
      await this.assertRoom(trx, userId, shareId, reservation.bytes, null);
      await trx('quota_reservations').insert({
        id: reservation.id,
        userId,
        shareId,
        bytes: reservation.bytes,
        expiresAtMs: this.clock() + RESERVATION_TTL_MS,
      });
    });
    return reservation;
  }

  /** Grows a reservation to `bytes` (a chunked upload that has sent more). @throws QUOTA_EXCEEDED */
  async extend(reservation: Reservation, bytes: number): Promise<void> {
    if (bytes <= reservation.bytes) return;
    await this.db.transaction(async (trx) => {
      await this.assertRoom(trx, reservation.userId, reservation.shareId, bytes, reservation.id);
      await trx('quota_reservations')
        .where({ id: reservation.id })
        .update({ bytes, expiresAtMs: this.clock() + RESERVATION_TTL_MS });
    });
    reservation.bytes = bytes;
  }

  async release(reservation: Reservation, trx: Db = this.db): Promise<void> {
    await runSql(trx, this.releaseStatement(reservation));
  }

  /** The statement that drops a reservation, for a commit's transaction. */
  releaseStatement(reservation: Reservation): Sql {
    return sql('delete from quota_reservations where id = ?', [reservation.id]);
  }

  /** Adds a (possibly negative) delta to a user's or share's usage, inside the commit's transaction. */
  async add(trx: Db, scope: 'user' | 'share', id: number | null, delta: number): Promise<void> {
    const s = this.addStatement(scope, id, delta);
    if (s) await runSql(trx, s);
  }

  /** The statement of {@link add}, for a commit's transaction; null when there is nothing to add. */
  addStatement(scope: 'user' | 'share', id: number | null, delta: number): Sql | null {
    if (id === null || delta === 0) return null;
    return sql(
      'insert into storage_usage (scope, subject_id, used_bytes) values (?, ?, ?)' +
        ' on conflict (scope, subject_id) do update set used_bytes = storage_usage.used_bytes + ?',
      [scope, id, Math.max(0, delta), delta],
    );
  }

  /** Sets usage to what a reconcile scan counted. */
  async set(trx: Db, scope: 'user' | 'share', id: number, usedBytes: number): Promise<void> {
    await trx('storage_usage')
      .insert({ scope, subjectId: id, usedBytes })
      .onConflict(['scope', 'subject_id'])
      .merge({ usedBytes });
  }

  async removeExpired(): Promise<number> {
    return this.db('quota_reservations').where('expiresAtMs', '<', this.clock()).delete();
  }

  private async assertRoom(
    trx: Db,
    userId: number | null,
    shareId: number | null,
    bytes: number,
    excluding: string | null,
  ): Promise<void> {
    const checks: ['user' | 'share', number, number | null][] = [];
    if (userId !== null) checks.push(['user', userId, await this.userQuota(userId, trx)]);
    if (shareId !== null) checks.push(['share', shareId, await this.shareQuota(shareId, trx)]);
    for (const [scope, id, quota] of checks) {
      if (quota === null) continue;
      // Hold the usage row so that a concurrent reservation on another connection waits for this one.
      await trx('storage_usage')
        .insert({ scope, subjectId: id, usedBytes: 0 })
        .onConflict(['scope', 'subject_id'])
        .ignore();
      const usageQuery = trx('storage_usage')
        .where({ scope, subjectId: id })
        .first<{ usedBytes: number }>('used_bytes');
      if (this.isPostgres) void usageQuery.forUpdate();
      const used = (await usageQuery).usedBytes;
      const reservedQuery = trx('quota_reservations')
        .where(scope === 'user' ? 'userId' : 'shareId', id)
        .where('expiresAtMs', '>=', this.clock())
        .sum<{ total: number | string | null }>({ total: 'bytes' })
        .first();
      if (excluding !== null) void reservedQuery.whereNot({ id: excluding });
      const reserved = Number((await reservedQuery)?.total ?? 0);
      if (used + reserved + bytes > quota) {
        throw new AppError(
          'QUOTA_EXCEEDED',
          scope === 'user' ? 'Your storage quota is full.' : 'The share’s quota is full.',
          {
            details: {
              scope,
              quotaBytes: quota,
              usedBytes: used,
              reservedBytes: reserved,
              requestedBytes: bytes,
            },
          },
        );
      }
    }
  }
}
