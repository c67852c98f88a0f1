import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Host telemetry history: raw samples, and minute and hour averages made from them.
  // One row per metric, resolution and time, so that two processes sampling the same instant store it once.
  await knex.schema.createTable('telemetry_samples', (t) => {
    t.string('metric', 64).notNullable();
    t.string('resolution', 8).notNullable();
    t.bigInteger('at_ms').notNullable();
    t.double('value').notNullable();
    t.primary(['metric', 'resolution', 'at_ms']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('telemetry_samples');
}
