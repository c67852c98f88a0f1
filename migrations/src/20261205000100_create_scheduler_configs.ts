import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One row per scheduled job that an admin has configured; a job without a row runs on its default schedule.
  await knex.schema.createTable('scheduler_configs', (t) => {
    t.string('job', 64).primary();
    t.string('schedule', 200).notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.text('options').notNullable().defaultTo('{}');
    t.string('updated_at', 32).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('scheduler_configs');
}
