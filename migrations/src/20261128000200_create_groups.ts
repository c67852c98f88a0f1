import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('groups', (t) => {
    t.increments('id').primary();
    t.string('name', 64).notNullable().unique();
    t.string('description', 500).notNullable().defaultTo('');
    t.string('created_at', 32).notNullable();
  });
  await knex.schema.createTable('user_groups', (t) => {
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('group_id').unsigned().notNullable().references('id').inTable('groups').onDelete('CASCADE');
    t.primary(['user_id', 'group_id']);
    t.index(['group_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('user_groups');
  await knex.schema.dropTable('groups');
}
