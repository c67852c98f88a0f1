import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // express-rate-limit's counters, shared by every worker and host on the database: hits of one client key
  // (an address under a limiter's prefix) in the window that ends at reset_at_ms.
  await knex.schema.createTable('rate_limit_hits', (t) => {
    t.string('client_key', 255).primary();
    t.integer('hits').notNullable();
    t.bigInteger('reset_at_ms').notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rate_limit_hits');
}
