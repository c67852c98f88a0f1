import { z } from 'zod';
import type { StorageCore } from '../../storage/storage-core.js';
import { removeStaleTmp } from '../../storage/layout.js';
import { defineJob } from '../job.js';

/** Recounts usage from the files on disk (drift from changes made outside BaluHost). */
export function quotaReconcileJob(storage: StorageCore) {
  return defineJob({
    name: 'quota_reconcile',
    description: 'Recounts every user and share usage from the files on disk.',
    defaultSchedule: 'at 04:00',
    options: z.object({}).strict(),
    async run() {
      return { ...(await storage.reconcile()) };
    },
  });
}

/** Removes uploads abandoned by dead processes, and expired quota reservations and locks. */
export function uploadCleanupJob(storage: StorageCore) {
  return defineJob({
    name: 'upload_cleanup',
    description: 'Removes stale upload files, expired quota reservations and expired locks.',
    defaultSchedule: 'at 04:30',
    options: z.object({}).strict(),
    async run({ now, signal }) {
      const staleFiles = await removeStaleTmp(storage.layout, now());
      signal.throwIfAborted();
      const expiredReservations = await storage.quota.removeExpired();
      const expiredLocks = await storage.locks.removeExpired();
      return { staleFiles, expiredReservations, expiredLocks };
    },
  });
}
