import type { Knex } from 'knex';
import * as createUsers from './20261128000100_create_users.js';
import * as createGroups from './20261128000200_create_groups.js';
import * as createRefreshTokens from './20261128000300_create_refresh_tokens.js';
import * as createAuditLog from './20261128000400_create_audit_log.js';
import * as createSettings from './20261128000500_create_settings.js';
import * as createAuthFailures from './20261128000600_create_auth_failures.js';

/** One schema change: `up` applies it, `down` reverts it. */
export interface Migration {
  readonly name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Every migration in the order it is applied. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  { name: '20261128000100_create_users', ...createUsers },
  { name: '20261128000200_create_groups', ...createGroups },
  { name: '20261128000300_create_refresh_tokens', ...createRefreshTokens },
  { name: '20261128000400_create_audit_log', ...createAuditLog },
  { name: '20261128000500_create_settings', ...createSettings },
  { name: '20261128000600_create_auth_failures', ...createAuthFailures },
];

/** A knex migration source over {@link MIGRATIONS}, so no directory is scanned at run time. */
export class ListMigrationSource implements Knex.MigrationSource<Migration> {
  constructor(private readonly list: readonly Migration[] = MIGRATIONS) {}

  getMigrations(): Promise<Migration[]> {
    return Promise.resolve([...this.list]);
  }

  getMigrationName(migration: Migration): string {
    return migration.name;
  }

  getMigration(migration: Migration): Promise<Knex.Migration> {
    return Promise.resolve({
      up: (knex: Knex) => migration.up(knex),
      down: (knex: Knex) => migration.down(knex),
    });
  }
}
