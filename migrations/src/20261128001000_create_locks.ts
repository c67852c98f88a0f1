import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // WebDAV write locks, enforced by the storage core for every protocol; in the database so that they survive
  // restarts and every worker sees them.
  await knex.schema.createTable('locks', (t) => {
    t.string('token', 80).primary();
    t.text('resource_key').notNullable().index();
    t.text('root_path').notNullable();
    t.string('scope', 12).notNullable();
    t.string('depth', 12).notNullable();
    t.text('owner_xml').nullable();
    t.integer('holder_id').notNullable();
    t.string('holder_name', 64).notNullable();
    t.integer('timeout_seconds').notNullable();
    t.bigInteger('expires_at_ms').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('locks');
}
