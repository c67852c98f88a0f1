import type { ApiRoutes } from '../route.js';
import { z } from '../openapi-zod.js';
import { SERVICE_DRIVER_FAMILIES, type ServiceStatusService } from '../../operations/service-status.js';

const SERVICE = z
  .object({
    name: z.string().openapi({ example: 'smb' }),
    state: z.enum(['running', 'degraded', 'stopped', 'disabled']),
    since: z.string(),
    lastError: z.string().nullable(),
    figures: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .openapi('ServiceStatus');

const FAMILY_PARAMS = z.object({ family: z.enum(SERVICE_DRIVER_FAMILIES) }).strict();

export function registerServicesRoutes(
  routes: ApiRoutes,
  deps: { serviceStatus: ServiceStatusService },
): void {
  routes.add({
    method: 'get',
    path: '/api/services',
    summary:
      'The state of every part of the server (HTTP, WebDAV, SMB, scheduler, telemetry, database, each hardware driver family and the energy meter): running, degraded, stopped or disabled, since when, the last error and key figures.',
    tag: 'services',
    access: 'admin',
    query: z.object({ refresh: z.enum(['true', 'false']).optional() }).strict(),
    responses: { 200: { description: 'One entry per part', schema: z.array(SERVICE) } },
    handler: async ({ query }) => ({
      body: query.refresh === 'true' ? await deps.serviceStatus.sample() : await deps.serviceStatus.current(),
    }),
  });
  routes.add({
    method: 'post',
    path: '/api/services/smb/restart',
    summary: 'Restart smbd and wait until it runs again; audited.',
    tag: 'services',
    access: 'admin',
    responses: {
      200: { description: 'SMB as it now is', schema: SERVICE },
      409: { description: 'SMB is disabled' },
      503: { description: 'smbd did not come back in time' },
    },
    handler: async ({ principal }) => ({ body: await deps.serviceStatus.restartSmb(principal) }),
  });
  routes.add({
    method: 'post',
    path: '/api/services/hardware/:family/probe',
    summary: 'Probe one hardware driver family now; audited.',
    tag: 'services',
    access: 'admin',
    params: FAMILY_PARAMS,
    responses: { 200: { description: 'The family as it now is', schema: SERVICE } },
    handler: async ({ principal, params }) => ({
      body: await deps.serviceStatus.probeHardwareFamily(principal, params.family),
    }),
  });
}
