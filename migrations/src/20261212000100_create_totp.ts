import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // Two-factor login (RFC 6238 TOTP). The shared secret is stored sealed with AES-256-GCM under a key kept in
  // <data dir>/keys/totp-key, so a copy of the database alone cannot mint codes. One row per user; login asks for
  // a code only once confirmed_at is set. last_step is the newest time step used, refused next time (replay).
  await knex.schema.createTable('totp_enrolments', (t) => {
    t.integer('user_id').unsigned().primary().references('id').inTable('users').onDelete('CASCADE');
    t.string('secret_sealed', 255).notNullable();
    t.string('created_at', 32).notNullable();
    t.string('confirmed_at', 32).nullable();
    t.bigInteger('last_step').nullable();
  });
  // Single-use recovery codes; only a SHA-256 of each is stored, and used_at marks one spent.
  await knex.schema.createTable('totp_recovery_codes', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('code_hash', 128).notNullable();
    t.string('used_at', 32).nullable();
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('totp_recovery_codes');
  await knex.schema.dropTable('totp_enrolments');
}
