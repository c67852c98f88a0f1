import { timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/index.js';
import { insertedId, nowIso } from '../db/index.js';
import { generatePassword, hashToken, type Principal } from '../auth/index.js';
import { NotFoundError } from '../errors/index.js';
import type { AuditService } from './audit-service.js';
import type { DomainEventBus } from './events.js';

export interface AppPasswordView {
  readonly id: number;
  readonly name: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

interface AppPasswordRow {
  id: number;
  userId: number;
  name: string;
  tokenHash: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/**
 * Per-device passwords for WebDAV and SMB clients. They are random (about 140 bits), so a SHA-256 of each is
 * enough to store, and checking one costs microseconds instead of a password hash.
 */
export class AppPasswordsService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly events: DomainEventBus,
    private readonly clock: () => number = Date.now,
  ) {}

  async list(userId: number): Promise<AppPasswordView[]> {
    const rows = await this.db<AppPasswordRow>('app_passwords').where({ userId }).orderBy('id');
    return rows.map(({ id, name, createdAt, lastUsedAt }) => ({ id, name, createdAt, lastUsedAt }));
  }

  /** Creates one; the password is returned here and never again. */
  async create(actor: Principal, name: string): Promise<AppPasswordView & { password: string }> {
    const password = generatePassword(24);
    const createdAt = nowIso(this.clock);
    const inserted: unknown[] = await this.db('app_passwords')
      .insert({ userId: actor.userId, name, tokenHash: hashToken(password), createdAt, lastUsedAt: null })
      .returning('id');
    const id = insertedId(inserted);
    await this.audit.record(actor, { action: 'app_password.create', result: 'success', target: name });
    return { id, name, createdAt, lastUsedAt: null, password };
  }

  /** @throws NotFoundError */
  async revoke(actor: Principal, id: number): Promise<void> {
    const row = await this.db<AppPasswordRow>('app_passwords').where({ id, userId: actor.userId }).first();
    if (!row) throw new NotFoundError(`No app password with id ${id}.`);
    await this.db('app_passwords').where({ id }).delete();
    await this.audit.record(actor, { action: 'app_password.revoke', result: 'success', target: row.name });
    this.events.emit('user.changed', { userId: actor.userId, username: actor.username });
  }

  /** Whether the password is one of the user's app passwords (records its use). */
  async matches(userId: number, password: string): Promise<boolean> {
    const rows = await this.db<AppPasswordRow>('app_passwords').where({ userId }).select('id', 'tokenHash');
    if (rows.length === 0) return false;
    const candidate = Buffer.from(hashToken(password), 'hex');
    const hit = rows.find((r) => timingSafeEqual(Buffer.from(r.tokenHash, 'hex'), candidate));
    if (!hit) return false;
    await this.db('app_passwords')
      .where({ id: hit.id })
      .update({ lastUsedAt: nowIso(this.clock) });
    return true;
  }
}
