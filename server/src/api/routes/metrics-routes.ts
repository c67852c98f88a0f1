import type { ApiRoutes } from '../route.js';
import { z } from '../openapi-zod.js';
import { UnauthenticatedError } from '../../errors/index.js';
import type { MetricsAccess, MetricsService } from '../../metrics/index.js';

export function registerMetricsRoutes(
  routes: ApiRoutes,
  deps: { metrics: MetricsService; metricsAccess: MetricsAccess },
): void {
  routes.add({
    method: 'get',
    path: '/api/metrics',
    summary:
      'Prometheus metrics (text exposition). Needs the metrics token (BALUHOST_METRICS_TOKEN) as a bearer ' +
      'token, or an address in BALUHOST_METRICS_ALLOW; not an admin login.',
    tag: 'monitoring',
    access: 'public',
    responses: {
      200: { description: 'Every metric', schema: z.string(), contentType: 'text/plain; version=0.0.4' },
      401: { description: 'No valid metrics token, and the address is not allowed' },
    },
    handler: async ({ req, res }) => {
      if (!deps.metricsAccess.permits(req.get('authorization'), req.ip ?? req.socket.remoteAddress)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="baluhost-metrics"');
        throw new UnauthenticatedError(
          'Scraping needs the metrics token (Authorization: Bearer <BALUHOST_METRICS_TOKEN>) or an allowed address.',
        );
      }
      const { contentType, body } = await deps.metrics.exposition();
      res.status(200).setHeader('Content-Type', contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.end(body);
      return undefined;
    },
  });
}
