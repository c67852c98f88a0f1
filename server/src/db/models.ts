import { Model } from 'objection';

export type Role = 'admin' | 'user';

export class GroupModel extends Model {
  static override tableName = 'groups';
  id!: number;
  name!: string;
  description!: string;
  createdAt!: string;
}

export class UserModel extends Model {
  static override tableName = 'users';
  id!: number;
  username!: string;
  email!: string | null;
  passwordHash!: string;
  role!: Role;
  isDisabled!: boolean;
  quotaBytes!: number | null;
  smbEnabled!: boolean;
  sessionVersion!: number;
  createdAt!: string;
  updatedAt!: string;
  groups?: GroupModel[];

  // SQLite hands booleans back as 0/1.
  override $parseDatabaseJson(json: Record<string, unknown>): Record<string, unknown> {
    const parsed = super.$parseDatabaseJson(json);
    if ('isDisabled' in parsed) parsed['isDisabled'] = Boolean(parsed['isDisabled']);
    if ('smbEnabled' in parsed) parsed['smbEnabled'] = Boolean(parsed['smbEnabled']);
    return parsed;
  }

  static override get relationMappings() {
    return {
      groups: {
        relation: Model.ManyToManyRelation,
        modelClass: GroupModel,
        join: {
          from: 'users.id',
          through: { from: 'user_groups.user_id', to: 'user_groups.group_id' },
          to: 'groups.id',
        },
      },
    };
  }
}
