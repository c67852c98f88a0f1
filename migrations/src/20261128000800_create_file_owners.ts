import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Who created each file and folder in a share (in a home, the home's user owns everything).
  await knex.schema.createTable('file_owners', (t) => {
    t.text('resource_key').primary();
    t.integer('owner_id').nullable().references('id').inTable('users').onDelete('SET NULL');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('file_owners');
}
