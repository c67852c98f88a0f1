import { randomUUID } from 'node:crypto';
import { placeholders, sql, SqlRunner, type Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import type { LockInfo } from '@baluhost/protocols';
import { atOrBelow, parentKey, selfAndAncestors } from './keys.js';

interface LockRow {
  token: string;
  resourceKey: string;
  rootPath: string;
  scope: 'exclusive' | 'shared';
  depth: '0' | 'infinity';
  ownerXml: string | null;
  holderId: number;
  holderName: string;
  timeoutSeconds: number;
  expiresAtMs: number;
}

export const MAX_LOCK_SECONDS = 86_400;

export type LockedOperation = 'modify' | 'create' | 'delete';

/** A lock with the id of the principal who holds it (tokens are bound to principals). */
export type LockRecord = LockInfo & { readonly holderId: number };

function toInfo(row: LockRow): LockRecord {
  return {
    holderId: row.holderId,
    token: row.token,
    root: row.rootPath,
    resourceKey: row.resourceKey,
    scope: row.scope,
    depth: row.depth === '0' ? 0 : 'infinity',
    ownerXml: row.ownerXml,
    holder: row.holderName,
    timeoutSeconds: row.timeoutSeconds,
    expiresAtMs: row.expiresAtMs,
  };
}

/**
 * Write locks in the database, keyed by resource key, bound to their token and the principal who took them.
 * The storage core asks it before every mutation, whatever the protocol.
 */
export class LockTable {
  private readonly sql: SqlRunner;
  /**
   * Whether the table is known to hold no row at all, so that a check needs no query: every upload asks, and the
   * table is empty most of the time. Known only where this process writes every lock (`soleWriter`: SQLite and a
   * single server process; workers and hosts sharing a database always ask the table). `create` clears it before
   * it checks for conflicts; a count sets it, at the first check and after locks are removed, unless a lock was
   * created while the count ran. Rows removed behind its back (a share's deletion, the CLI) leave it stale, never
   * wrong: the table is then asked until the next count.
   */
  private knownEmpty = false;
  private countDue: boolean;
  private creations = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
    private readonly soleWriter = false,
  ) {
    this.sql = new SqlRunner(db);
    this.countDue = soleWriter;
  }

  /** Counts the table's rows (never awaited: a caller inside a transaction would wait for its own connection). */
  private countRows(): void {
    if (!this.soleWriter) return;
    this.countDue = false;
    const creations = this.creations;
    this.sql.first<{ n: number }>(sql('select count(*) as n from locks', [])).then(
      (row) => {
        if (this.creations === creations) this.knownEmpty = (row?.n ?? 1) === 0;
      },
      () => {
        this.countDue = true;
      },
    );
  }

  /** Active locks on `key` itself and on every ancestor, whatever their depth: one query. */
  private async atAndAbove(key: string, trx: Db): Promise<LockRow[]> {
    if (this.knownEmpty) return [];
    if (this.countDue) this.countRows();
    const keys = selfAndAncestors(key);
    if (trx !== this.db) {
      return trx<LockRow>('locks').whereIn('resourceKey', keys).where('expiresAtMs', '>', this.clock());
    }
    // Outside a transaction (every upload asks this): without the query builder.
    return this.sql.all<LockRow>(
      sql(
        'select token, resource_key as "resourceKey", root_path as "rootPath", scope, depth,' +
          ' owner_xml as "ownerXml", holder_id as "holderId", holder_name as "holderName",' +
          ' timeout_seconds as "timeoutSeconds", expires_at_ms as "expiresAtMs" from locks' +
          ` where resource_key in (${placeholders(keys.length)}) and expires_at_ms > ?`,
        [...keys, this.clock()],
      ),
    );
  }

  /** Active locks on `key` itself and on its ancestors with depth infinity. */
  async covering(key: string, trx: Db = this.db): Promise<LockRecord[]> {
    const rows = await this.atAndAbove(key, trx);
    return rows.filter((r) => r.resourceKey === key || r.depth === 'infinity').map(toInfo);
  }

  async below(key: string, trx: Db = this.db): Promise<LockRecord[]> {
    if (this.knownEmpty) return [];
    const rows = (await atOrBelow(trx('locks'), key).where('expiresAtMs', '>', this.clock())) as LockRow[];
    return rows.filter((r) => r.resourceKey !== key).map(toInfo);
  }

  /**
   * Refuses a mutation that a lock forbids unless the caller submitted that lock's token and holds it.
   * `modify` checks locks covering the resource; `create` and `delete` also the parent's (membership changes);
   * `delete` also locks anywhere below (a collection's members).
   * @throws LOCKED
   */
  async assertMayMutate(
    key: string,
    op: LockedOperation,
    holderId: number,
    tokens: readonly string[],
    trx: Db = this.db,
  ): Promise<void> {
    const relevant = new Map<string, LockRecord>();
    // One query for the resource and its ancestors: those with depth infinity cover it, and for a create or a
    // delete the parent's own lock counts too (its membership changes).
    const parent = op === 'modify' ? null : parentKey(key);
    for (const r of await this.atAndAbove(key, trx)) {
      if (r.resourceKey === key || r.depth === 'infinity' || r.resourceKey === parent)
        relevant.set(r.token, toInfo(r));
    }
    if (op === 'delete') for (const l of await this.below(key, trx)) relevant.set(l.token, l);
    if (relevant.size === 0) return;
    const submitted = new Set(tokens);
    const held = (l: LockRecord) => submitted.has(l.token) && l.holderId === holderId;
    const locks = [...relevant.values()];
    const missing = locks.filter((l) => l.scope === 'exclusive' && !held(l));
    // Shared locks: holding any one of those on a resource is enough.
    const sharedOnly = locks.filter((l) => l.scope === 'shared');
    const sharedMissing = sharedOnly.length > 0 && !sharedOnly.some(held) ? sharedOnly : [];
    const blocking = [...missing, ...sharedMissing];
    if (blocking.length > 0) {
      throw new AppError('LOCKED', 'The resource is locked; send the lock token to change it.', {
        details: { lockRoots: [...new Set(blocking.map((l) => l.root))] },
      });
    }
  }

  /**
   * Creates a lock after checking for conflicts: an exclusive lock conflicts with any lock that covers the
   * resource or, for depth infinity, any below it; a shared lock only with exclusive ones.
   * @throws LOCKED
   */
  async create(
    trx: Db,
    input: {
      key: string;
      rootPath: string;
      scope: 'exclusive' | 'shared';
      depth: 0 | 'infinity';
      ownerXml: string | null;
      holderId: number;
      holderName: string;
      timeoutSeconds: number;
    },
  ): Promise<LockInfo> {
    // Before the checks and the insert: from here on every check asks the table, this one's too.
    this.knownEmpty = false;
    this.creations++;
    const existing = await this.covering(input.key, trx);
    if (input.depth === 'infinity') existing.push(...(await this.below(input.key, trx)));
    const conflicts =
      input.scope === 'exclusive' ? existing : existing.filter((l) => l.scope === 'exclusive');
    if (conflicts.length > 0) {
      throw new AppError('LOCKED', 'The resource is already locked.', {
        details: { lockRoots: [...new Set(conflicts.map((l) => l.root))] },
      });
    }
    const timeoutSeconds = Math.min(Math.max(1, input.timeoutSeconds), MAX_LOCK_SECONDS);
    const row: LockRow = {
      token: `urn:uuid:${randomUUID()}`,
      resourceKey: input.key,
      rootPath: input.rootPath,
      scope: input.scope,
      depth: input.depth === 0 ? '0' : 'infinity',
      ownerXml: input.ownerXml,
      holderId: input.holderId,
      holderName: input.holderName,
      timeoutSeconds,
      expiresAtMs: this.clock() + timeoutSeconds * 1000,
    };
    await trx('locks').insert(row);
    return toInfo(row);
  }

  /** The lock with this token that covers `key` (on it, or on an ancestor with depth infinity). */
  async find(token: string, key: string): Promise<LockRecord | null> {
    const row = await this.db<LockRow>('locks')
      .where({ token })
      .where('expiresAtMs', '>', this.clock())
      .first();
    if (!row) return null;
    const covers =
      row.resourceKey === key || (row.depth === 'infinity' && key.startsWith(`${row.resourceKey}/`));
    return covers ? toInfo(row) : null;
  }

  async refresh(token: string, timeoutSeconds: number): Promise<LockInfo> {
    const t = Math.min(Math.max(1, timeoutSeconds), MAX_LOCK_SECONDS);
    await this.db('locks')
      .where({ token })
      .update({ timeoutSeconds: t, expiresAtMs: this.clock() + t * 1000 });
    const row = await this.db<LockRow>('locks').where({ token }).first();
    if (!row) throw new AppError('PRECONDITION_FAILED', 'The lock has gone.');
    return toInfo(row);
  }

  async remove(token: string): Promise<void> {
    await this.db('locks').where({ token }).delete();
    this.countRows();
  }

  /** Drops every lock at or below a key (the resource was deleted or moved away). */
  async removeAtOrBelow(trx: Db, key: string): Promise<void> {
    if (this.knownEmpty) return;
    const removed = await atOrBelow(trx('locks'), key).delete();
    // Counted once the transaction has let go of the connection.
    if (removed > 0) this.countRows();
  }

  async removeExpired(): Promise<number> {
    const removed = await this.db('locks').where('expiresAtMs', '<=', this.clock()).delete();
    if (removed > 0) this.countRows();
    return removed;
  }
}
