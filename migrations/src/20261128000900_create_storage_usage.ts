import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Bytes stored per user (owned, homes and shares together) and per share, changed in the step that commits a write.
  await knex.schema.createTable('storage_usage', (t) => {
    t.string('scope', 8).notNullable();
    t.integer('subject_id').notNullable();
    t.bigInteger('used_bytes').notNullable().defaultTo(0);
    t.primary(['scope', 'subject_id']);
  });
  // Bytes promised to uploads in flight, so that parallel uploads cannot overshoot a quota.
  await knex.schema.createTable('quota_reservations', (t) => {
    t.string('id', 32).primary();
    t.integer('user_id').nullable();
    t.integer('share_id').nullable();
    t.bigInteger('bytes').notNullable();
    t.bigInteger('expires_at_ms').notNullable();
    t.index(['user_id']);
    t.index(['share_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('quota_reservations');
  await knex.schema.dropTable('storage_usage');
}
