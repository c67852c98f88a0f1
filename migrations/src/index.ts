import type { Knex } from 'knex';
import * as createUsers from './20261128000100_create_users.js';
import * as createGroups from './20261128000200_create_groups.js';
import * as createRefreshTokens from './20261128000300_create_refresh_tokens.js';
import * as createAuditLog from './20261128000400_create_audit_log.js';
import * as createSettings from './20261128000500_create_settings.js';
import * as createAuthFailures from './20261128000600_create_auth_failures.js';
import * as createShares from './20261128000700_create_shares.js';
import * as createFileOwners from './20261128000800_create_file_owners.js';
import * as createStorageUsage from './20261128000900_create_storage_usage.js';
import * as createLocks from './20261128001000_create_locks.js';
import * as createDeadProperties from './20261128001100_create_dead_properties.js';
import * as createAppPasswords from './20261128001200_create_app_passwords.js';
import * as createSchedulerConfigs from './20261205000100_create_scheduler_configs.js';
import * as createSchedulerExecutions from './20261205000200_create_scheduler_executions.js';
import * as createSchedulerLeases from './20261205000300_create_scheduler_leases.js';
import * as createTelemetrySamples from './20261205000400_create_telemetry_samples.js';
import * as createNotifications from './20261205000500_create_notifications.js';
import * as createTotp from './20261212000100_create_totp.js';
import * as createRateLimitHits from './20261219000100_create_rate_limit_hits.js';
import * as dropAuditLogIndexes from './20261226000100_drop_audit_log_indexes.js';

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
  { name: '20261128000700_create_shares', ...createShares },
  { name: '20261128000800_create_file_owners', ...createFileOwners },
  { name: '20261128000900_create_storage_usage', ...createStorageUsage },
  { name: '20261128001000_create_locks', ...createLocks },
  { name: '20261128001100_create_dead_properties', ...createDeadProperties },
  { name: '20261128001200_create_app_passwords', ...createAppPasswords },
  { name: '20261205000100_create_scheduler_configs', ...createSchedulerConfigs },
  { name: '20261205000200_create_scheduler_executions', ...createSchedulerExecutions },
  { name: '20261205000300_create_scheduler_leases', ...createSchedulerLeases },
  { name: '20261205000400_create_telemetry_samples', ...createTelemetrySamples },
  { name: '20261205000500_create_notifications', ...createNotifications },
  { name: '20261212000100_create_totp', ...createTotp },
  { name: '20261219000100_create_rate_limit_hits', ...createRateLimitHits },
  { name: '20261226000100_drop_audit_log_indexes', ...dropAuditLogIndexes },
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
