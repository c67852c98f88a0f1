import { z } from 'zod';
import type { HardwareService } from '../../hardware/index.js';
import type { AuditActor } from '../../services/audit-service.js';
import { defineJob } from '../job.js';

/** The actor that scheduled jobs act as in the audit log. */
export const SCHEDULER_ACTOR: AuditActor = {
  userId: 0,
  username: 'scheduler',
  address: null,
  protocol: 'system',
};

/** Starts a check (scrub) of every clean md array; arrays that are degraded or already syncing are skipped. */
export function raidScrubJob(hardware: HardwareService) {
  return defineJob({
    name: 'raid_scrub',
    description: 'Starts a consistency check (scrub) of every clean RAID array.',
    defaultSchedule: 'at 03:00 on Sunday',
    options: z.object({}).strict(),
    async run({ signal }) {
      const { arrays } = await hardware.raidOverview();
      const started: string[] = [];
      const skipped: { array: string; state: string }[] = [];
      for (const array of arrays) {
        signal.throwIfAborted();
        if (array.state !== 'clean') {
          skipped.push({ array: array.name, state: array.state });
          continue;
        }
        await hardware.startCheck(SCHEDULER_ACTOR, array.name);
        started.push(array.name);
      }
      return { started, skipped };
    },
  });
}
