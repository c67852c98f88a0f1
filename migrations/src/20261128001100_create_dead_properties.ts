import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dead_properties', (t) => {
    t.text('resource_key').notNullable();
    t.text('namespace').notNullable();
    t.string('name', 255).notNullable();
    t.text('value_xml').notNullable();
    t.primary(['resource_key', 'namespace', 'name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('dead_properties');
}
