import type { Db } from '../db/index.js';

export type Severity = 'info' | 'warning' | 'critical';
export const SEVERITIES = ['info', 'warning', 'critical'] as const;

export interface Notification {
  readonly id: number;
  readonly at: string;
  readonly severity: Severity;
  readonly rule: string;
  readonly title: string;
  readonly body: string;
  readonly readAt: string | null;
  /** Null while the condition still holds (or for one-off notifications, such as tests). */
  readonly resolvedAt: string | null;
}

interface Row extends Notification {
  readonly activeKey: string | null;
}

const COLUMNS = ['id', 'at', 'severity', 'rule', 'title', 'body', 'read_at', 'resolved_at'];

/** The `notifications` table. */
export class NotificationRepository {
  constructor(private readonly db: Db) {}

  /**
   * Inserts a notification for a condition unless one is active for `key` already (in any process): returns it
   * when this call created it, null otherwise. `key` null makes a one-off notification.
   */
  async raise(
    n: Omit<Notification, 'id' | 'readAt' | 'resolvedAt'>,
    key: string | null,
  ): Promise<Notification | null> {
    const rows = await this.db('notifications')
      .insert({ ...n, activeKey: key, readAt: null, resolvedAt: key === null ? n.at : null })
      .onConflict('active_key')
      .ignore()
      .returning<{ id: number }[]>('id');
    const id = rows[0]?.id;
    return id === undefined ? null : { ...n, id, readAt: null, resolvedAt: key === null ? n.at : null };
  }

  /** Keys of the conditions of `rule` that are active now. */
  async activeKeys(rule: string): Promise<string[]> {
    const rows = await this.db<Row>('notifications')
      .where({ rule })
      .whereNotNull('activeKey')
      .select<{ activeKey: string }[]>('active_key');
    return rows.map((r) => r.activeKey);
  }

  /** Marks conditions as cleared: a new notification is raised if they come back. */
  async resolve(keys: readonly string[], at: string): Promise<void> {
    if (keys.length === 0) return;
    await this.db('notifications').whereIn('activeKey', keys).update({ activeKey: null, resolvedAt: at });
  }

  async list(q: {
    unread: boolean;
    cursor?: number | undefined;
    limit: number;
  }): Promise<{ items: Notification[]; nextCursor: number | null }> {
    const query = this.db<Row>('notifications')
      .orderBy('id', 'desc')
      .limit(q.limit + 1)
      .select<Notification[]>(COLUMNS);
    if (q.unread) void query.whereNull('readAt');
    if (q.cursor !== undefined) void query.where('id', '<', q.cursor);
    const rows = await query;
    const items = rows.slice(0, q.limit);
    return { items, nextCursor: rows.length > q.limit ? (items.at(-1)?.id ?? null) : null };
  }

  async get(id: number): Promise<Notification | null> {
    return (
      (await this.db<Row>('notifications').where({ id }).first<Notification | undefined>(COLUMNS)) ?? null
    );
  }

  async markRead(id: number, at: string): Promise<boolean> {
    const n = await this.db('notifications').where({ id }).whereNull('readAt').update({ readAt: at });
    return n > 0;
  }

  async markAllRead(at: string): Promise<number> {
    return this.db('notifications').whereNull('readAt').update({ readAt: at });
  }
}
