import { nowIso, runSql, sql, type Db, type Sql } from '../db/index.js';
import type { Principal, Protocol, RequestOrigin } from '../auth/index.js';

/** The parts of a principal an audit row names. */
export type AuditActor = Pick<Principal, 'userId' | 'username' | 'address' | 'protocol'>;

export type AuditResult = 'success' | 'failure' | 'denied';

export interface AuditEvent {
  readonly action: string;
  readonly result: AuditResult;
  readonly target?: string | null;
  readonly details?: Record<string, unknown> | null;
}

export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: string | null;
  readonly actorId: number | null;
  readonly address: string | null;
  readonly protocol: Protocol;
  readonly action: string;
  readonly target: string | null;
  readonly result: AuditResult;
  readonly details: Record<string, unknown> | null;
}

export interface AuditQuery {
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
  readonly protocol?: string | undefined;
  readonly result?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** Return entries older than this id (the previous page's nextCursor). */
  readonly cursor?: number | undefined;
  readonly limit: number;
}

/** Sees every recorded audit event; must not throw. */
export type AuditObserver = (event: AuditEvent, protocol: Protocol) => void;

interface AuditRow {
  id: number;
  at: string;
  actor: string | null;
  actorId: number | null;
  address: string | null;
  protocol: Protocol;
  action: string;
  target: string | null;
  result: AuditResult;
  details: string | null;
}

/** The audit trail: one row per mutation and auth event, from any protocol. */
export class AuditService {
  private readonly observers = new Set<AuditObserver>();

  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Calls `observer` after each recorded event (metrics count failed logins per protocol this way). */
  observe(observer: AuditObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Records an event by a known principal. Pass `trx` to commit it with the change it describes. */
  async record(principal: AuditActor, event: AuditEvent, trx?: Db): Promise<void> {
    await this.insert(this.statement(principal, event), event, principal.protocol, trx);
  }

  /** Records an event whose actor may be unknown (failed logins, system jobs). */
  async recordAnonymous(
    origin: RequestOrigin,
    actor: string | null,
    event: AuditEvent,
    trx?: Db,
  ): Promise<void> {
    const who = { actor, actorId: null, address: origin.address, protocol: origin.protocol };
    await this.insert(this.rowStatement(who, event), event, origin.protocol, trx);
  }

  /**
   * The insert of an event's row, for a caller that commits it in its own transaction (see SqlRunner); it then
   * calls {@link recorded} once that transaction has committed.
   */
  statement(principal: AuditActor, event: AuditEvent): Sql {
    return this.rowStatement(
      {
        actor: principal.username,
        actorId: principal.userId > 0 ? principal.userId : null,
        address: principal.address,
        protocol: principal.protocol,
      },
      event,
    );
  }

  /** Tells the observers of an event whose {@link statement} has been committed. */
  recorded(event: AuditEvent, protocol: Protocol): void {
    for (const observer of this.observers) observer(event, protocol);
  }

  private rowStatement(
    who: { actor: string | null; actorId: number | null; address: string | null; protocol: Protocol },
    event: AuditEvent,
  ): Sql {
    return sql(
      'insert into audit_log (at, actor, actor_id, address, protocol, action, target, result, details)' +
        ' values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        nowIso(this.clock),
        who.actor?.slice(0, 64) ?? null,
        who.actorId,
        who.address,
        who.protocol,
        event.action,
        event.target?.slice(0, 1024) ?? null,
        event.result,
        event.details ? JSON.stringify(event.details) : null,
      ],
    );
  }

  private async insert(row: Sql, event: AuditEvent, protocol: Protocol, trx?: Db): Promise<void> {
    await runSql(trx ?? this.db, row);
    this.recorded(event, protocol);
  }

  /** Newest first, `limit` entries older than `cursor`; `nextCursor` is null on the last page. */
  async query(q: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor: number | null }> {
    const query = this.db<AuditRow>('audit_log')
      .orderBy('id', 'desc')
      .limit(q.limit + 1);
    if (q.actor !== undefined) void query.where('actor', q.actor);
    if (q.action !== undefined) {
      // `user.` matches every user action; an exact name matches itself.
      if (q.action.endsWith('.')) void query.where('action', 'like', `${q.action.replace(/[%_\\]/g, '')}%`);
      else void query.where('action', q.action);
    }
    if (q.protocol !== undefined) void query.where('protocol', q.protocol);
    if (q.result !== undefined) void query.where('result', q.result);
    if (q.from !== undefined) void query.where('at', '>=', q.from);
    if (q.to !== undefined) void query.where('at', '<', q.to);
    if (q.cursor !== undefined) void query.where('id', '<', q.cursor);
    const rows = await query;
    const page = rows.slice(0, q.limit);
    return {
      items: page.map(toEntry),
      nextCursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
    };
  }
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    actorId: row.actorId,
    address: row.address,
    protocol: row.protocol,
    action: row.action,
    target: row.target,
    result: row.result,
    details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
  };
}
