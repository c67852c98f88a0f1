import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('username', 64).notNullable().unique();
    t.string('email', 254).nullable();
    t.string('password_hash', 255).notNullable();
    t.string('role', 16).notNullable().defaultTo('user');
    t.boolean('is_disabled').notNullable().defaultTo(false);
    t.bigInteger('quota_bytes').nullable();
    t.boolean('smb_enabled').notNullable().defaultTo(true);
    // Bumped on password change, disable and reset: tokens issued before carry the old value and stop working.
    t.integer('session_version').notNullable().defaultTo(0);
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}
