import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Per-device passwords for WebDAV and SMB clients, revocable one by one; only a hash is stored.
  await knex.schema.createTable('app_passwords', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('name', 100).notNullable();
    t.string('token_hash', 128).notNullable().unique();
    t.string('created_at', 32).notNullable();
    t.string('last_used_at', 32).nullable();
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('app_passwords');
}
