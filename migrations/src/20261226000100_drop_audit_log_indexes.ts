import type { Knex } from 'knex';

// The audit log is written on the request path: every upload, delete, move and login adds a row, in the same
// transaction as the change it records, and each index is one more page written per row (on SQLite one more WAL
// frame). Without three of the four, a small upload costs about 35 µs less of the server's time (4 KiB PUTs, side
// by side on one machine). What they served, and what serves it now:
// - `at`: rows are appended in time order, so the primary key orders them by time as well. The retention job
//   takes the oldest rows by id; the console pages newest first by id.
// - `protocol`, `action`: a filter on them walks the rows newest first until a page is full, as a filter on
//   `result` always did: immediate for the common values (file writes, logins), a scan of the log for a rare one.
// `actor` stays: one user's trail among many users' rows is the selective filter an administrator runs most.
const DROPPED = ['at', 'protocol', 'action'] as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_log', (t) => {
    for (const column of DROPPED) t.dropIndex([column]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_log', (t) => {
    for (const column of DROPPED) t.index([column]);
  });
}
