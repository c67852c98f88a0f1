import { z } from 'zod';
import type { Db } from '../../db/index.js';
import { defineJob } from '../job.js';

/** Deletes audit rows older than `days` (default 365), in batches so that a long log never locks for long. */
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
        const ids = db('audit_log').where('at', '<', cutoff).orderBy('id').limit(1000).select('id');
        const n = await db('audit_log').whereIn('id', ids).delete();
        removed += n;
        if (n < 1000) break;
      }
      return { removed, olderThan: cutoff, days: options.days };
    },
  });
}
