import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('shares', (t) => {
    t.increments('id').primary();
    t.string('name', 64).notNullable().unique();
    t.string('description', 500).notNullable().defaultTo('');
    t.bigInteger('quota_bytes').nullable();
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });
  // Who may use a share: a user or a group, with read or write access.
  await knex.schema.createTable('share_acl', (t) => {
    t.integer('share_id').unsigned().notNullable().references('id').inTable('shares').onDelete('CASCADE');
    t.string('subject_type', 8).notNullable();
    t.integer('subject_id').notNullable();
    t.string('access', 8).notNullable();
    t.primary(['share_id', 'subject_type', 'subject_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('share_acl');
  await knex.schema.dropTable('shares');
}
