import path from 'node:path';
import { mkdir, readdir, rename } from 'node:fs/promises';
import type { Db } from '../db/index.js';
import { insertedId, nowIso } from '../db/index.js';
import type { Principal } from '../auth/index.js';
import { AlreadyExistsError, ConflictError, NotFoundError, ValidationError } from '../errors/index.js';
import type { AuditService } from './audit-service.js';
import type { DomainEventBus } from './events.js';
import type { StorageLayout } from '../storage/layout.js';

export type Access = 'read' | 'write';

export interface AclEntry {
  readonly type: 'user' | 'group';
  readonly name: string;
  readonly access: Access;
}

export interface ShareView {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly quotaBytes: number | null;
  readonly usedBytes: number;
  readonly acl: AclEntry[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ShareRecord {
  readonly id: number;
  readonly name: string;
  readonly quotaBytes: number | null;
}

/** Names a share may not take: they are the namespace's own top-level entries. */
export const RESERVED_SHARE_NAMES = new Set(['home', 'homes']);

interface ShareRow {
  id: number;
  name: string;
  description: string;
  quotaBytes: number | null;
  createdAt: string;
  updatedAt: string;
}

interface AclRow {
  shareId: number;
  subjectType: 'user' | 'group';
  subjectId: number;
  access: Access;
}

/** Shares: folders with an ACL (user or group → read or write) and an optional quota. */
export class SharesService {
  constructor(
    private readonly db: Db,
    private readonly layout: StorageLayout,
    private readonly audit: AuditService,
    private readonly events: DomainEventBus,
    private readonly clock: () => number = Date.now,
  ) {}

  shareDir(name: string): string {
    return path.join(this.layout.shares, name);
  }

  async list(): Promise<ShareView[]> {
    const rows = await this.db<ShareRow>('shares').orderBy('name');
    return this.views(rows);
  }

  /** Shares the principal may read, with the access they have (admins: write on every share). */
  async listFor(principal: Principal): Promise<(ShareView & { access: Access })[]> {
    const all = await this.list();
    const out: (ShareView & { access: Access })[] = [];
    for (const share of all) {
      const access = principal.isAdmin ? 'write' : accessFromAcl(share.acl, principal);
      if (access) out.push({ ...share, access });
    }
    return out;
  }

  /** @throws NotFoundError */
  async get(id: number): Promise<ShareView> {
    const row = await this.db<ShareRow>('shares').where({ id }).first();
    if (!row) throw new NotFoundError(`No share with id ${id}.`);
    const [view] = await this.views([row]);
    if (!view) throw new NotFoundError(`No share with id ${id}.`);
    return view;
  }

  async findByName(name: string): Promise<(ShareRecord & { acl: AclEntry[] }) | undefined> {
    const row = await this.db<ShareRow>('shares').where({ name }).first();
    if (!row) return undefined;
    const [view] = await this.views([row]);
    return view;
  }

  async getRecord(id: number): Promise<ShareRecord | undefined> {
    return this.db<ShareRow>('shares').where({ id }).first('id', 'name', 'quotaBytes');
  }

  /** @throws ValidationError (reserved name, unknown user or group), AlreadyExistsError */
  async create(
    actor: Principal,
    input: {
      name: string;
      description?: string | undefined;
      quotaBytes?: number | null | undefined;
      acl?: readonly AclEntry[] | undefined;
    },
  ): Promise<ShareView> {
    assertShareName(input.name);
    const id = await this.db.transaction(async (trx) => {
      if (await trx('shares').where({ name: input.name }).first('id')) {
        throw new AlreadyExistsError(`A share named '${input.name}' already exists.`);
      }
      const now = nowIso(this.clock);
      const inserted: unknown[] = await trx('shares')
        .insert({
          name: input.name,
          description: input.description ?? '',
          quotaBytes: input.quotaBytes ?? null,
          createdAt: now,
          updatedAt: now,
        })
        .returning('id');
      const shareId = insertedId(inserted);
      await this.replaceAcl(trx, shareId, input.acl ?? []);
      await mkdir(this.shareDir(input.name), { recursive: true, mode: 0o770 });
      await this.audit.record(
        actor,
        {
          action: 'share.create',
          result: 'success',
          target: input.name,
          details: { quotaBytes: input.quotaBytes ?? null, acl: input.acl ?? [] },
        },
        trx,
      );
      return shareId;
    });
    this.events.emit('share.changed', { shareId: id, name: input.name });
    return this.get(id);
  }

  /** Renames (the folder moves with it), changes the description, quota or ACL. @throws NotFoundError, AlreadyExistsError, ValidationError */
  async update(
    actor: Principal,
    id: number,
    patch: {
      name?: string | undefined;
      description?: string | undefined;
      quotaBytes?: number | null | undefined;
      acl?: readonly AclEntry[] | undefined;
    },
  ): Promise<ShareView> {
    const name = await this.db.transaction(async (trx) => {
      const current = await trx<ShareRow>('shares').where({ id }).first();
      if (!current) throw new NotFoundError(`No share with id ${id}.`);
      const changes: Partial<ShareRow> = { updatedAt: nowIso(this.clock) };
      if (patch.name !== undefined && patch.name !== current.name) {
        assertShareName(patch.name);
        if (await trx('shares').where({ name: patch.name }).first('id')) {
          throw new AlreadyExistsError(`A share named '${patch.name}' already exists.`);
        }
        changes.name = patch.name;
      }
      if (patch.description !== undefined) changes.description = patch.description;
      if (patch.quotaBytes !== undefined) changes.quotaBytes = patch.quotaBytes;
      await trx('shares').where({ id }).update(changes);
      if (patch.acl !== undefined) await this.replaceAcl(trx, id, patch.acl);
      if (changes.name !== undefined) {
        await mkdir(this.shareDir(current.name), { recursive: true });
        await rename(this.shareDir(current.name), this.shareDir(changes.name));
      }
      await this.audit.record(
        actor,
        { action: 'share.update', result: 'success', target: current.name, details: { ...patch } },
        trx,
      );
      return changes.name ?? current.name;
    });
    this.events.emit('share.changed', { shareId: id, name });
    return this.get(id);
  }

  /**
   * Deletes a share. Its folder must be empty unless `force`, which moves the files aside to the data root's
   * orphaned/ folder for an admin to remove; nothing is destroyed here.
   * @throws NotFoundError, ConflictError (not empty)
   */
  async delete(actor: Principal, id: number, force: boolean): Promise<void> {
    const row = await this.db<ShareRow>('shares').where({ id }).first();
    if (!row) throw new NotFoundError(`No share with id ${id}.`);
    const dir = this.shareDir(row.name);
    const entries = await readdir(dir).catch(() => []);
    if (entries.length > 0 && !force) {
      throw new ConflictError(
        `The share '${row.name}' is not empty; empty it first, or delete with force to set its files aside.`,
      );
    }
    await this.db.transaction(async (trx) => {
      await trx('share_acl').where({ shareId: id }).delete();
      await trx('shares').where({ id }).delete();
      await trx('storage_usage').where({ scope: 'share', subjectId: id }).delete();
      const prefix = `s:${id}`;
      for (const table of ['file_owners', 'dead_properties', 'locks']) {
        await trx(table)
          .where('resourceKey', prefix)
          .orWhereRaw('substr(resource_key, 1, ?) = ?', [prefix.length + 1, `${prefix}/`])
          .delete();
      }
      await this.audit.record(
        actor,
        {
          action: 'share.delete',
          result: 'success',
          target: row.name,
          details: { force, files: entries.length },
        },
        trx,
      );
    });
    if (entries.length > 0) {
      await rename(
        dir,
        path.join(
          this.layout.orphaned,
          `share-${row.name}-${new Date(this.clock()).toISOString().replace(/[:.]/g, '-')}`,
        ),
      );
    } else {
      await rename(dir, path.join(this.layout.orphaned, `share-${row.name}-empty-${this.clock()}`)).catch(
        () => undefined,
      );
    }
    this.events.emit('share.changed', { shareId: id, name: row.name });
  }

  private async replaceAcl(trx: Db, shareId: number, acl: readonly AclEntry[]): Promise<void> {
    const users = acl.filter((a) => a.type === 'user').map((a) => a.name);
    const groups = acl.filter((a) => a.type === 'group').map((a) => a.name);
    const userRows =
      users.length > 0
        ? await trx('users')
            .whereIn('username', users)
            .select<{ id: number; username: string }[]>('id', 'username')
        : [];
    const groupRows =
      groups.length > 0
        ? await trx('groups').whereIn('name', groups).select<{ id: number; name: string }[]>('id', 'name')
        : [];
    const missing = [
      ...users.filter((u) => !userRows.some((r) => r.username === u)).map((u) => `user ${u}`),
      ...groups.filter((g) => !groupRows.some((r) => r.name === g)).map((g) => `group ${g}`),
    ];
    if (missing.length > 0) {
      throw new ValidationError(`No such ${missing.join(', ')}.`, {
        details: [{ field: 'acl', message: `unknown: ${missing.join(', ')}` }],
      });
    }
    const rows = new Map<string, AclRow>();
    for (const entry of acl) {
      const subjectId =
        entry.type === 'user'
          ? userRows.find((r) => r.username === entry.name)?.id
          : groupRows.find((r) => r.name === entry.name)?.id;
      if (subjectId === undefined) continue;
      const key = `${entry.type}:${subjectId}`;
      // The stronger of two entries for one subject wins.
      if (rows.get(key)?.access !== 'write')
        rows.set(key, { shareId, subjectType: entry.type, subjectId, access: entry.access });
    }
    await trx('share_acl').where({ shareId }).delete();
    if (rows.size > 0) await trx('share_acl').insert([...rows.values()]);
  }

  private async views(rows: ShareRow[]): Promise<ShareView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const acl = await this.db('share_acl')
      .leftJoin('users', function joinUsers() {
        this.on('users.id', '=', 'share_acl.subject_id').andOnVal('share_acl.subject_type', '=', 'user');
      })
      .leftJoin('groups', function joinGroups() {
        this.on('groups.id', '=', 'share_acl.subject_id').andOnVal('share_acl.subject_type', '=', 'group');
      })
      .whereIn('share_acl.share_id', ids)
      .select<
        {
          shareId: number;
          subjectType: 'user' | 'group';
          access: Access;
          username: string | null;
          groupName: string | null;
        }[]
      >(
        'share_acl.share_id',
        'share_acl.subject_type',
        'share_acl.access',
        'users.username',
        'groups.name as group_name',
      );
    const usage = await this.db('storage_usage')
      .where({ scope: 'share' })
      .whereIn('subject_id', ids)
      .select<{ subjectId: number; usedBytes: number }[]>('subject_id', 'used_bytes');
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      quotaBytes: r.quotaBytes,
      usedBytes: usage.find((u) => u.subjectId === r.id)?.usedBytes ?? 0,
      acl: acl
        .filter((a) => a.shareId === r.id)
        .map((a) => ({
          type: a.subjectType,
          name: (a.subjectType === 'user' ? a.username : a.groupName) ?? '',
          access: a.access,
        }))
        .filter((a) => a.name !== '')
        .sort((a, b) => `${a.type}:${a.name}`.localeCompare(`${b.type}:${b.name}`)),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    }));
  }
}

/** The access an ACL gives a principal: the strongest of its user entry and its groups' entries. */
export function accessFromAcl(
  acl: readonly AclEntry[],
  principal: { username: string; groups: readonly string[] },
): Access | null {
  let best: Access | null = null;
  for (const entry of acl) {
    const applies =
      entry.type === 'user' ? entry.name === principal.username : principal.groups.includes(entry.name);
    if (applies && (best === null || entry.access === 'write')) best = entry.access;
  }
  return best;
}

function assertShareName(name: string): void {
  if (RESERVED_SHARE_NAMES.has(name)) {
    throw new ValidationError(`'${name}' is reserved for the namespace; choose another share name.`, {
      details: [{ field: 'name', message: 'is reserved' }],
    });
  }
}
