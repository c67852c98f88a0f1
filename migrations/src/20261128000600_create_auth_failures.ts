import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // The failed-login tracker, shared by every protocol and every worker.
  await knex.schema.createTable('auth_failures', (t) => {
    t.string('scope', 16).notNullable();
    t.string('key', 255).notNullable();
    t.integer('failures').notNullable();
    t.string('window_started_at', 32).notNullable();
    t.string('blocked_until', 32).nullable();
    t.primary(['scope', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('auth_failures');
}
