import type { ApiRoutes } from '../route.js';
import { z } from '../openapi-zod.js';
import { TELEMETRY_METRICS, TELEMETRY_RANGES, type TelemetryService } from '../../telemetry/index.js';

const RANGES = Object.keys(TELEMETRY_RANGES) as [
  keyof typeof TELEMETRY_RANGES,
  ...(keyof typeof TELEMETRY_RANGES)[],
];

const HISTORY_QUERY = z
  .object({
    metric: z.enum(TELEMETRY_METRICS),
    range: z
      .enum(RANGES)
      .optional()
      .openapi({ description: '1h (raw samples), 24h (minutes), 7d and 30d (hours).' }),
  })
  .strict();

export function registerTelemetryRoutes(routes: ApiRoutes, deps: { telemetry: TelemetryService }): void {
  routes.add({
    method: 'get',
    path: '/api/telemetry/history',
    summary:
      'History of one host series (CPU, memory, network, disk I/O) over a range, at the resolution that fits.',
    tag: 'system',
    access: 'user',
    query: HISTORY_QUERY,
    responses: {
      200: {
        description: 'The points, oldest first',
        schema: z
          .object({
            metric: z.enum(TELEMETRY_METRICS),
            range: z.enum(RANGES),
            resolution: z.enum(['raw', 'minute', 'hour']),
            points: z.array(z.object({ at: z.string(), value: z.number() })),
          })
          .openapi('TelemetryHistory'),
      },
    },
    handler: async ({ query }) => ({ body: await deps.telemetry.history(query.metric, query.range ?? '1h') }),
  });
}
