import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id').primary();
    t.string('at', 32).notNullable().index();
    t.string('actor', 64).nullable().index();
    t.integer('actor_id').nullable();
    t.string('address', 64).nullable();
    t.string('protocol', 16).notNullable().index();
    t.string('action', 64).notNullable().index();
    t.string('target', 1024).nullable();
    t.string('result', 16).notNullable();
    t.text('details').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_log');
}
