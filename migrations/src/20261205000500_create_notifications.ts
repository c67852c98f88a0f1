import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Notifications raised by alert rules. active_key is the rule's condition key while it holds (unique, so a
  // condition raises one notification however many processes evaluate it) and null once it has cleared.
  await knex.schema.createTable('notifications', (t) => {
    t.increments('id').primary();
    t.string('at', 32).notNullable();
    t.string('severity', 16).notNullable();
    t.string('rule', 64).notNullable();
    t.string('title', 200).notNullable();
    t.text('body').notNullable();
    t.string('read_at', 32).nullable();
    t.string('active_key', 200).nullable().unique();
    t.string('resolved_at', 32).nullable();
    t.index(['read_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notifications');
}
