import { z } from 'zod';
import { defineJob } from '../scheduler/job.js';
import type { TelemetryService } from './telemetry-service.js';

/** Downsamples telemetry history and deletes what each resolution no longer keeps. */
export function telemetryRetentionJob(telemetry: TelemetryService) {
  return defineJob({
    name: 'telemetry_retention',
    description:
      'Averages telemetry into minutes and hours and deletes old samples (raw 1 day, minutes 7 days).',
    defaultSchedule: 'at 05:30',
    options: z
      .object({
        rawHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 31)
          .default(24),
        minuteDays: z.number().int().min(1).max(366).default(7),
        hourDays: z.number().int().min(1).max(3660).default(365),
      })
      .strict(),
    async run({ options, signal }) {
      return telemetry.retain(options, signal);
    },
  });
}
