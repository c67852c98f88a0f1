import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Who runs a job right now: one holder per job until expires_at_ms, renewed while the run lasts.
  await knex.schema.createTable('scheduler_leases', (t) => {
    t.string('job', 64).primary();
    t.string('holder', 128).notNullable();
    t.bigInteger('expires_at_ms').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('scheduler_leases');
}
