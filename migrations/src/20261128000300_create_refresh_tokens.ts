import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('refresh_tokens', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    // All tokens descended from one login share a family; reusing a rotated token revokes the family.
    t.string('family_id', 64).notNullable().index();
    t.string('token_hash', 128).notNullable().unique();
    t.string('created_at', 32).notNullable();
    t.string('expires_at', 32).notNullable();
    t.string('rotated_at', 32).nullable();
    t.string('revoked_at', 32).nullable();
    t.string('address', 64).nullable();
    t.string('user_agent', 255).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('refresh_tokens');
}
