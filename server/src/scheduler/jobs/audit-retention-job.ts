import { z } from 'zod';
import type { Db } from '../../db/index.js';
import { defineJob } from '../job.js';

/** Rows read per batch; a batch deletes those of them that are past the cutoff. */
const BATCH = 1000;

/**
 * Deletes audit rows older than `days` (default 365), oldest first, in batches so that a long log never locks for
 * long. Rows are appended in time order, so each batch is the oldest rows by id (the primary key; `at` has no
 * index, see migrations/src/20261226000100_drop_audit_log_indexes.ts), and the run stops at the first batch that
 * holds a row still inside the retention period: a run reads at most one batch beyond what it deletes, however
 * long the log. A row written while the clock stood behind its predecessors' goes once it is among the oldest
 * batch.
 */
export function auditRetentionJob(db: Db) {
  return defineJob({
    name: 'audit_retention',
    description: 'Deletes audit log entries older than the configured number of days (default 365).',
    defaultSchedule: 'at 05:00',
    options: z.object({ days: z.number().int().min(1).max(36_500).default(365) }).strict(),
    async run({ now, options, signal }) {
      const cutoff = new Date(now() - options.days * 86_400_000).toISOString();
      let removed = 0;
      for (;;) {
        signal.throwIfAborted();
        const oldest = db('audit_log').orderBy('id').limit(BATCH).select('id', 'at').as('oldest');
        const expired = db.from(oldest).where('at', '<', cutoff).select('id');
        const n = await db('audit_log').whereIn('id', expired).delete();
        removed += n;
        if (n < BATCH) break;
      }
      return { removed, olderThan: cutoff, days: options.days };
    },
  });
}
