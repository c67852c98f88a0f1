import type { ApiRoutes } from '../route.js';
import { z } from '../openapi-zod.js';
import type { Db } from '../../db/index.js';
import { ServiceUnavailableError } from '../../errors/index.js';

export function registerSystemRoutes(
  routes: ApiRoutes,
  deps: { db: Db; dbClient: string; version: string },
): void {
  routes.add({
    method: 'get',
    path: '/api/health',
    summary: 'Liveness: the process answers.',
    tag: 'system',
    access: 'public',
    responses: {
      200: { description: 'Alive', schema: z.object({ status: z.literal('ok'), version: z.string() }) },
    },
    handler: () => Promise.resolve({ body: { status: 'ok', version: deps.version } }),
  });
  routes.add({
    method: 'get',
    path: '/api/ready',
    summary: 'Readiness: the database answers.',
    tag: 'system',
    access: 'public',
    responses: {
      200: { description: 'Ready', schema: z.object({ status: z.literal('ready'), database: z.string() }) },
      503: { description: 'The database is not reachable' },
    },
    handler: async () => {
      try {
        await deps.db.raw('select 1');
      } catch (err) {
        throw new ServiceUnavailableError('The database is not reachable.', { cause: err });
      }
      return { body: { status: 'ready', database: deps.dbClient } };
    },
  });
}
