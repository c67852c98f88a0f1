import type { ApiRoutes } from '../route.js';
import { z } from '../openapi-zod.js';
import { ID_PARAMS } from './common.js';
import { SEVERITIES, type AlertService } from '../../alerts/index.js';

const NOTIFICATION = z
  .object({
    id: z.number().int(),
    at: z.string(),
    severity: z.enum(SEVERITIES),
    rule: z.string(),
    title: z.string(),
    body: z.string(),
    readAt: z.string().nullable(),
    resolvedAt: z
      .string()
      .nullable()
      .openapi({ description: 'When the condition cleared; null while it holds.' }),
  })
  .openapi('Notification');

const LIST_QUERY = z
  .object({
    unread: z.enum(['true', 'false']).optional(),
    cursor: z
      .string()
      .regex(/^\d+$/, 'must be the nextCursor of a previous page')
      .transform(Number)
      .optional(),
    limit: z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(1).max(500))
      .optional(),
  })
  .strict();

const WEBHOOK = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2000),
    secret: z
      .string()
      .min(8)
      .max(200)
      .optional()
      .openapi({ description: 'HMAC key of X-BaluHost-Signature.' }),
  })
  .strict();

const CHANNELS = z
  .object({ webhooks: z.array(WEBHOOK).max(20) })
  .strict()
  .openapi('NotificationChannels', {
    description: 'Where notifications go. Email delivery is not implemented yet (TODO(issue 6)).',
  });

const CHANNELS_VIEW = z.object({
  webhooks: z.array(z.object({ url: z.string(), hasSecret: z.boolean() })),
});

function view(channels: { webhooks: readonly { url: string; secret?: string | undefined }[] }) {
  return { webhooks: channels.webhooks.map((w) => ({ url: w.url, hasSecret: w.secret !== undefined })) };
}

export function registerNotificationsRoutes(routes: ApiRoutes, deps: { alerts: AlertService }): void {
  const { alerts } = deps;
  routes.add({
    method: 'get',
    path: '/api/notifications',
    summary: 'Notifications raised by the alert rules, newest first, with cursor pagination.',
    tag: 'notifications',
    access: 'admin',
    query: LIST_QUERY,
    responses: {
      200: {
        description: 'A page of notifications',
        schema: z.object({ items: z.array(NOTIFICATION), nextCursor: z.number().int().nullable() }),
      },
    },
    handler: async ({ query }) => ({
      body: await alerts.list({
        unread: query.unread === 'true',
        cursor: query.cursor,
        limit: query.limit ?? 50,
      }),
    }),
  });
  routes.add({
    method: 'post',
    path: '/api/notifications/:id/read',
    summary: 'Marks a notification read.',
    tag: 'notifications',
    access: 'admin',
    params: ID_PARAMS,
    responses: {
      200: { description: 'The notification', schema: NOTIFICATION },
      404: { description: 'Not found' },
    },
    handler: async ({ params }) => ({ body: await alerts.markRead(params.id) }),
  });
  routes.add({
    method: 'post',
    path: '/api/notifications/read-all',
    summary: 'Marks every notification read.',
    tag: 'notifications',
    access: 'admin',
    responses: {
      200: { description: 'How many were unread', schema: z.object({ updated: z.number().int() }) },
    },
    handler: async () => ({ body: { updated: await alerts.markAllRead() } }),
  });
  routes.add({
    method: 'get',
    path: '/api/notifications/channels',
    summary: 'The notification channels (webhook secrets are not shown).',
    tag: 'notifications',
    access: 'admin',
    responses: { 200: { description: 'The channels', schema: CHANNELS_VIEW } },
    handler: async () => ({ body: view(await alerts.channels()) }),
  });
  routes.add({
    method: 'put',
    path: '/api/notifications/channels',
    summary:
      'Replaces the notification channels (webhooks: a JSON POST per notification, retried with backoff).',
    tag: 'notifications',
    access: 'admin',
    body: CHANNELS,
    responses: { 200: { description: 'The channels', schema: CHANNELS_VIEW } },
    handler: async ({ body, principal }) => ({ body: view(await alerts.setChannels(principal, body)) }),
  });
  routes.add({
    method: 'post',
    path: '/api/notifications/test',
    summary: 'Sends a test notification to every channel and reports each result.',
    tag: 'notifications',
    access: 'admin',
    responses: {
      200: {
        description: 'One result per channel',
        schema: z.object({
          results: z.array(z.object({ channel: z.string(), ok: z.boolean(), error: z.string().nullable() })),
        }),
      },
    },
    handler: async ({ principal }) => ({ body: { results: await alerts.sendTest(principal) } }),
  });
}
