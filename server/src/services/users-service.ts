import type { Db, Role } from '../db/index.js';
import { UserModel, GroupModel, nowIso } from '../db/index.js';
import { hashPassword, verifyPassword, generatePassword, type Principal } from '../auth/index.js';
import {
  AlreadyExistsError,
  ConflictError,
  ForbiddenError,
  InvalidCredentialsError,
  NotFoundError,
  ValidationError,
} from '../errors/index.js';
import type { AuditService } from './audit-service.js';
import type { DomainEventBus } from './events.js';
import { RESERVED_USERNAMES } from './validation.js';

/** A user as the API shows it: never the password hash. */
export interface UserView {
  readonly id: number;
  readonly username: string;
  readonly email: string | null;
  readonly role: Role;
  readonly disabled: boolean;
  readonly quotaBytes: number | null;
  readonly smbEnabled: boolean;
  readonly groups: string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NewUser {
  readonly username: string;
  readonly password: string;
  readonly role?: Role | undefined;
  readonly email?: string | null | undefined;
  readonly groups?: readonly string[] | undefined;
  readonly quotaBytes?: number | null | undefined;
  readonly smbEnabled?: boolean | undefined;
}

export interface UserPatch {
  readonly email?: string | null | undefined;
  readonly role?: Role | undefined;
  readonly groups?: readonly string[] | undefined;
  readonly quotaBytes?: number | null | undefined;
  readonly disabled?: boolean | undefined;
  readonly smbEnabled?: boolean | undefined;
}

export function toUserView(user: UserModel): UserView {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    role: user.role,
    disabled: user.isDisabled,
    quotaBytes: user.quotaBytes,
    smbEnabled: user.smbEnabled,
    groups: (user.groups ?? []).map((g) => g.name).sort(),
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

/** Accounts: create, read, change, delete; passwords; the first admin. Every change is audited. */
export class UsersService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly events: DomainEventBus,
    private readonly passwordMinLength: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** @throws ValidationError when the password is too short. */
  assertPasswordAcceptable(password: string): void {
    // Counted in characters as people see them, not UTF-16 units.
    if ([...new Intl.Segmenter().segment(password)].length < this.passwordMinLength) {
      throw new ValidationError(`The password must be at least ${this.passwordMinLength} characters long.`, {
        details: [{ field: 'password', message: `must be at least ${this.passwordMinLength} characters` }],
      });
    }
  }

  async count(): Promise<number> {
    const row = (await this.db('users').count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  async list(limit: number, offset: number): Promise<{ items: UserView[]; total: number }> {
    const [users, total] = await Promise.all([
      UserModel.query(this.db).withGraphFetched('groups').orderBy('username').limit(limit).offset(offset),
      this.count(),
    ]);
    return { items: users.map(toUserView), total };
  }

  /** @throws NotFoundError */
  async get(id: number): Promise<UserView> {
    return toUserView(await this.load(id));
  }

  async findByUsername(username: string): Promise<UserModel | undefined> {
    return UserModel.query(this.db).where('username', username).withGraphFetched('groups').first();
  }

  async findById(id: number): Promise<UserModel | undefined> {
    return UserModel.query(this.db).findById(id).withGraphFetched('groups');
  }

  /**
   * Creates a user.
   * @throws ValidationError (short password, reserved name, unknown group), AlreadyExistsError (taken name)
   */
  async create(actor: Principal, input: NewUser): Promise<UserView> {
    if (RESERVED_USERNAMES.has(input.username)) {
      throw new ValidationError(`The username '${input.username}' is reserved for the system.`, {
        details: [{ field: 'username', message: 'is reserved' }],
      });
    }
    this.assertPasswordAcceptable(input.password);
    const passwordHash = await hashPassword(input.password);
    const now = nowIso(this.clock);
    const user = await this.db.transaction(async (trx) => {
      if (await UserModel.query(trx).where('username', input.username).first()) {
        throw new AlreadyExistsError(`A user named '${input.username}' already exists.`);
      }
      const groupIds = await this.groupIds(trx, input.groups ?? []);
      const created = await UserModel.query(trx).insertAndFetch({
        username: input.username,
        email: input.email ?? null,
        passwordHash,
        role: input.role ?? 'user',
        isDisabled: false,
        quotaBytes: input.quotaBytes ?? null,
        smbEnabled: input.smbEnabled ?? true,
        sessionVersion: 0,
        createdAt: now,
        updatedAt: now,
      });
      if (groupIds.length > 0) {
        await trx('user_groups').insert(groupIds.map((groupId) => ({ userId: created.id, groupId })));
      }
      await this.audit.record(
        actor,
        {
          action: 'user.create',
          result: 'success',
          target: input.username,
          details: { role: created.role, groups: input.groups ?? [], quotaBytes: created.quotaBytes },
        },
        trx,
      );
      return created;
    });
    this.events.emit('user.created', { userId: user.id, username: user.username, password: input.password });
    return this.get(user.id);
  }

  /**
   * Changes a user's email, role, groups, quota, disabled flag or SMB switch.
   * @throws NotFoundError, ValidationError (unknown group), ConflictError (would leave no active admin),
   *   ForbiddenError (an admin disabling or demoting themselves)
   */
  async update(actor: Principal, id: number, patch: UserPatch): Promise<UserView> {
    const user = await this.db.transaction(async (trx) => {
      const current = await this.load(id, trx);
      if (
        current.id === actor.userId &&
        (patch.disabled === true || (patch.role !== undefined && patch.role !== 'admin'))
      ) {
        throw new ForbiddenError('You cannot disable or demote your own account; ask another admin.');
      }
      const losesAdmin =
        current.role === 'admin' && !current.isDisabled && (patch.disabled === true || patch.role === 'user');
      if (losesAdmin) await this.assertAnotherActiveAdmin(trx, current.id);

      const changes: Partial<UserModel> = { updatedAt: nowIso(this.clock) };
      if (patch.email !== undefined) changes.email = patch.email;
      if (patch.role !== undefined) changes.role = patch.role;
      if (patch.quotaBytes !== undefined) changes.quotaBytes = patch.quotaBytes;
      if (patch.smbEnabled !== undefined) changes.smbEnabled = patch.smbEnabled;
      if (patch.disabled !== undefined) {
        changes.isDisabled = patch.disabled;
        // Disabling ends every session at once.
        if (patch.disabled && !current.isDisabled) {
          changes.sessionVersion = current.sessionVersion + 1;
          await trx('refresh_tokens')
            .where({ userId: id })
            .whereNull('revokedAt')
            .update({ revokedAt: nowIso(this.clock) });
        }
      }
      await UserModel.query(trx).patch(changes).where('id', id);
      if (patch.groups !== undefined) {
        const groupIds = await this.groupIds(trx, patch.groups);
        await trx('user_groups').where({ userId: id }).delete();
        if (groupIds.length > 0)
          await trx('user_groups').insert(groupIds.map((groupId) => ({ userId: id, groupId })));
      }
      await this.audit.record(
        actor,
        { action: 'user.update', result: 'success', target: current.username, details: { ...patch } },
        trx,
      );
      return current;
    });
    this.events.emit('user.changed', { userId: user.id, username: user.username });
    return this.get(id);
  }

  /** An admin sets a new password; the user's sessions end. @throws NotFoundError, ValidationError */
  async resetPassword(actor: Principal, id: number, password: string): Promise<void> {
    this.assertPasswordAcceptable(password);
    const passwordHash = await hashPassword(password);
    const user = await this.db.transaction(async (trx) => {
      const current = await this.load(id, trx);
      await this.setPassword(trx, current, passwordHash);
      await this.audit.record(
        actor,
        { action: 'user.password.reset', result: 'success', target: current.username },
        trx,
      );
      return current;
    });
    this.events.emit('user.password', { userId: user.id, username: user.username, password });
  }

  /**
   * A user changes their own password; the old one is required. Every other session ends.
   * @throws InvalidCredentialsError (old password wrong), ValidationError (new one too short)
   */
  async changeOwnPassword(actor: Principal, oldPassword: string, newPassword: string): Promise<void> {
    const current = await this.load(actor.userId);
    if (!(await verifyPassword(oldPassword, current.passwordHash))) {
      await this.audit.record(actor, {
        action: 'user.password.change',
        result: 'failure',
        target: current.username,
      });
      throw new InvalidCredentialsError();
    }
    this.assertPasswordAcceptable(newPassword);
    const passwordHash = await hashPassword(newPassword);
    await this.db.transaction(async (trx) => {
      await this.setPassword(trx, current, passwordHash);
      await this.audit.record(
        actor,
        { action: 'user.password.change', result: 'success', target: current.username },
        trx,
      );
    });
    this.events.emit('user.password', {
      userId: current.id,
      username: current.username,
      password: newPassword,
    });
  }

  /** @throws NotFoundError, ForbiddenError (yourself), ConflictError (the last active admin) */
  async delete(actor: Principal, id: number): Promise<void> {
    const user = await this.db.transaction(async (trx) => {
      const current = await this.load(id, trx);
      if (current.id === actor.userId) throw new ForbiddenError('You cannot delete your own account.');
      if (current.role === 'admin' && !current.isDisabled)
        await this.assertAnotherActiveAdmin(trx, current.id);
      await trx('refresh_tokens').where({ userId: id }).delete();
      await trx('user_groups').where({ userId: id }).delete();
      await trx('users').where({ id }).delete();
      await this.audit.record(
        actor,
        { action: 'user.delete', result: 'success', target: current.username },
        trx,
      );
      return current;
    });
    this.events.emit('user.deleted', { userId: user.id, username: user.username });
  }

  /**
   * Creates the first admin when there are no users. Returns the password when it was generated (to print once).
   */
  async ensureInitialAdmin(
    configuredPassword: string | undefined,
  ): Promise<{ username: string; generatedPassword: string | null } | null> {
    if ((await this.count()) > 0) return null;
    const password = configuredPassword ?? generatePassword();
    this.assertPasswordAcceptable(password);
    const now = nowIso(this.clock);
    const passwordHash = await hashPassword(password);
    const created = await this.db.transaction(async (trx) => {
      const row = (await trx('users').count({ n: '*' }).first()) as { n: number | string } | undefined;
      if (Number(row?.n ?? 0) !== 0) return false;
      await UserModel.query(trx).insert({
        username: 'admin',
        email: null,
        passwordHash,
        role: 'admin',
        isDisabled: false,
        quotaBytes: null,
        smbEnabled: true,
        sessionVersion: 0,
        createdAt: now,
        updatedAt: now,
      });
      await this.audit.recordAnonymous(
        { protocol: 'system', address: null, reqId: null },
        null,
        {
          action: 'user.create',
          result: 'success',
          target: 'admin',
          details: { role: 'admin', initial: true },
        },
        trx,
      );
      return true;
    });
    if (!created) return null;
    const admin = await this.findByUsername('admin');
    if (admin) this.events.emit('user.created', { userId: admin.id, username: 'admin', password });
    return { username: 'admin', generatedPassword: configuredPassword === undefined ? password : null };
  }

  private async setPassword(trx: Db, user: UserModel, passwordHash: string): Promise<void> {
    await UserModel.query(trx)
      .patch({ passwordHash, sessionVersion: user.sessionVersion + 1, updatedAt: nowIso(this.clock) })
      .where('id', user.id);
    await trx('refresh_tokens')
      .where({ userId: user.id })
      .whereNull('revokedAt')
      .update({ revokedAt: nowIso(this.clock) });
  }

  private async load(id: number, trx: Db = this.db): Promise<UserModel> {
    const user = await UserModel.query(trx).findById(id).withGraphFetched('groups');
    if (!user) throw new NotFoundError(`No user with id ${id}.`);
    return user;
  }

  private async assertAnotherActiveAdmin(trx: Db, exceptId: number): Promise<void> {
    const other: unknown = await trx('users')
      .where({ role: 'admin', isDisabled: false })
      .whereNot({ id: exceptId })
      .first('id');
    if (!other) throw new ConflictError('This is the last active admin; make another user admin first.');
  }

  private async groupIds(trx: Db, names: readonly string[]): Promise<number[]> {
    if (names.length === 0) return [];
    const unique = [...new Set(names)];
    const groups = await GroupModel.query(trx).whereIn('name', unique);
    const missing = unique.filter((n) => !groups.some((g) => g.name === n));
    if (missing.length > 0) {
      throw new ValidationError(`No such group: ${missing.join(', ')}.`, {
        details: [{ field: 'groups', message: `unknown: ${missing.join(', ')}` }],
      });
    }
    return groups.map((g) => g.id);
  }
}
