import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Every run of a scheduled job. A due run is recorded once, whichever process gets there first:
  // (job, scheduled_for) is unique, and manual runs and retries leave scheduled_for null.
  await knex.schema.createTable('scheduler_executions', (t) => {
    t.increments('id').primary();
    t.string('job', 64).notNullable();
    t.string('trigger', 16).notNullable();
    t.string('scheduled_for', 32).nullable();
    t.string('started_at', 32).notNullable();
    t.string('finished_at', 32).nullable();
    t.string('status', 16).notNullable();
    t.text('summary').nullable();
    t.text('error').nullable();
    t.integer('retry_of').nullable();
    t.unique(['job', 'scheduled_for']);
    t.index(['job', 'id']);
    t.index(['status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('scheduler_executions');
}
