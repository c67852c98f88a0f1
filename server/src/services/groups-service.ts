import type { Db } from '../db/index.js';
import { GroupModel, nowIso } from '../db/index.js';
import type { Principal } from '../auth/index.js';
import { AlreadyExistsError, NotFoundError } from '../errors/index.js';
import type { AuditService } from './audit-service.js';
import type { DomainEventBus } from './events.js';

export interface GroupView {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly members: string[];
  readonly createdAt: string;
}

/** Groups of users; shares grant access to groups. Membership is edited here or on the user. */
export class GroupsService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly events: DomainEventBus,
    private readonly clock: () => number = Date.now,
  ) {}

  async list(): Promise<GroupView[]> {
    const groups = await GroupModel.query(this.db).orderBy('name');
    const members = await this.db('user_groups')
      .join('users', 'users.id', 'user_groups.user_id')
      .select<{ groupId: number; username: string }[]>('user_groups.group_id', 'users.username')
      .orderBy('users.username');
    return groups.map((g) =>
      this.view(
        g,
        members.filter((m) => m.groupId === g.id).map((m) => m.username),
      ),
    );
  }

  /** @throws NotFoundError */
  async get(id: number): Promise<GroupView> {
    const group = await GroupModel.query(this.db).findById(id);
    if (!group) throw new NotFoundError(`No group with id ${id}.`);
    return this.view(group, await this.memberNames(this.db, id));
  }

  /** @throws AlreadyExistsError, NotFoundError (unknown member) */
  async create(
    actor: Principal,
    input: { name: string; description?: string | undefined; members?: readonly string[] | undefined },
  ): Promise<GroupView> {
    const id = await this.db.transaction(async (trx) => {
      if (await GroupModel.query(trx).where('name', input.name).first()) {
        throw new AlreadyExistsError(`A group named '${input.name}' already exists.`);
      }
      const group = await GroupModel.query(trx).insertAndFetch({
        name: input.name,
        description: input.description ?? '',
        createdAt: nowIso(this.clock),
      });
      await this.setMembers(trx, group.id, input.members ?? []);
      await this.audit.record(
        actor,
        {
          action: 'group.create',
          result: 'success',
          target: input.name,
          details: { members: input.members ?? [] },
        },
        trx,
      );
      return group.id;
    });
    this.events.emit('group.changed', { groupId: id, name: input.name });
    return this.get(id);
  }

  /** @throws NotFoundError, AlreadyExistsError (rename onto a taken name) */
  async update(
    actor: Principal,
    id: number,
    patch: {
      name?: string | undefined;
      description?: string | undefined;
      members?: readonly string[] | undefined;
    },
  ): Promise<GroupView> {
    const name = await this.db.transaction(async (trx) => {
      const group = await GroupModel.query(trx).findById(id);
      if (!group) throw new NotFoundError(`No group with id ${id}.`);
      if (
        patch.name !== undefined &&
        patch.name !== group.name &&
        (await GroupModel.query(trx).where('name', patch.name).first())
      ) {
        throw new AlreadyExistsError(`A group named '${patch.name}' already exists.`);
      }
      const changes: Partial<GroupModel> = {};
      if (patch.name !== undefined) changes.name = patch.name;
      if (patch.description !== undefined) changes.description = patch.description;
      if (Object.keys(changes).length > 0) await GroupModel.query(trx).patch(changes).where('id', id);
      if (patch.members !== undefined) await this.setMembers(trx, id, patch.members);
      await this.audit.record(
        actor,
        { action: 'group.update', result: 'success', target: group.name, details: { ...patch } },
        trx,
      );
      return patch.name ?? group.name;
    });
    this.events.emit('group.changed', { groupId: id, name });
    return this.get(id);
  }

  /** @throws NotFoundError */
  async delete(actor: Principal, id: number): Promise<void> {
    const name = await this.db.transaction(async (trx) => {
      const group = await GroupModel.query(trx).findById(id);
      if (!group) throw new NotFoundError(`No group with id ${id}.`);
      await trx('user_groups').where({ groupId: id }).delete();
      await trx('groups').where({ id }).delete();
      await this.audit.record(actor, { action: 'group.delete', result: 'success', target: group.name }, trx);
      return group.name;
    });
    this.events.emit('group.changed', { groupId: id, name });
  }

  private async setMembers(trx: Db, groupId: number, usernames: readonly string[]): Promise<void> {
    const unique = [...new Set(usernames)];
    const users =
      unique.length > 0
        ? await trx('users')
            .whereIn('username', unique)
            .select<{ id: number; username: string }[]>('id', 'username')
        : [];
    const missing = unique.filter((u) => !users.some((x) => x.username === u));
    if (missing.length > 0) throw new NotFoundError(`No such user: ${missing.join(', ')}.`);
    await trx('user_groups').where({ groupId }).delete();
    if (users.length > 0) await trx('user_groups').insert(users.map((u) => ({ userId: u.id, groupId })));
  }

  private async memberNames(trx: Db, groupId: number): Promise<string[]> {
    const rows = await trx('user_groups')
      .join('users', 'users.id', 'user_groups.user_id')
      .where('user_groups.group_id', groupId)
      .orderBy('users.username')
      .select<{ username: string }[]>('users.username');
    return rows.map((r) => r.username);
  }

  private view(group: GroupModel, members: string[]): GroupView {
    return {
      id: group.id,
      name: group.name,
      description: group.description,
      members,
      createdAt: group.createdAt,
    };
  }
}
