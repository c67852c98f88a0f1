import type { ApiRoutes } from '../route.js';
import { z } from '../openapi-zod.js';
import { CURSOR_PARAM, ID_PARAMS, LIMIT_PARAM } from './common.js';
import {
  EMAIL_SECURITY,
  REDACTED_SECRET,
  SEVERITIES,
  type AlertService,
  type NotificationChannels,
} from '../../alerts/index.js';

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
    cursor: CURSOR_PARAM.optional(),
    limit: LIMIT_PARAM.optional(),
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
      .openapi({
        description: `HMAC key of X-BaluHost-Signature. Never shown; "${REDACTED_SECRET}" keeps the one stored for the same URL.`,
      }),
  })
  .strict();

const EMAIL = z
  .object({
    host: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[^\s/]+$/, 'must be a host name or an address')
      .openapi({ description: 'SMTP submission server.' }),
    port: z.number().int().min(1).max(65535).openapi({ description: '465 with tls, 587 with starttls.' }),
    security: z.enum(EMAIL_SECURITY).openapi({
      description:
        'tls: TLS from the start; starttls: upgrade, failing when the server cannot; none: never encrypted ' +
        '(a relay on the same host or a trusted LAN only).',
    }),
    username: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: 'SMTP AUTH user; no AUTH when absent.' }),
    password: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .openapi({
        description: `Stored, never shown: reads answer "${REDACTED_SECRET}", and sending that back keeps the stored one.`,
      }),
    from: z.email().max(254),
    to: z.array(z.email().max(254)).min(1).max(20),
  })
  .strict()
  .refine((e) => e.password === undefined || e.username !== undefined, {
    error: 'a password needs a username',
    path: ['password'],
  });

const CHANNELS = z
  .object({
    webhooks: z.array(WEBHOOK).max(20),
    email: EMAIL.nullable()
      .default(null)
      .openapi({ description: 'Mails every notification to `to`; null or absent: no email.' }),
  })
  .strict()
  .openapi('NotificationChannels', {
    description: 'Where notifications go: webhooks and email, each retried with backoff.',
  });

const CHANNELS_VIEW = z.object({
  webhooks: z.array(z.object({ url: z.string(), hasSecret: z.boolean() })),
  email: z
    .object({
      host: z.string(),
      port: z.number().int(),
      security: z.enum(EMAIL_SECURITY),
      username: z.string().optional(),
      password: z.literal(REDACTED_SECRET).optional().openapi({ description: 'Present when one is stored.' }),
      from: z.string(),
      to: z.array(z.string()),
    })
    .optional()
    .openapi({
      description: 'Absent when notifications are not mailed (the shape clients saw before email).',
    }),
});

/** What the API shows of the channels: no webhook secret, and the SMTP password redacted. */
function view(channels: NotificationChannels): z.infer<typeof CHANNELS_VIEW> {
  const { email } = channels;
  const webhooks = channels.webhooks.map((w) => ({ url: w.url, hasSecret: w.secret !== undefined }));
  if (email === null) return { webhooks };
  return {
    webhooks,
    email: {
      host: email.host,
      port: email.port,
      security: email.security,
      ...(email.username === undefined ? {} : { username: email.username }),
      ...(email.password === undefined ? {} : { password: REDACTED_SECRET }),
      from: email.from,
      to: [...email.to],
    },
  };
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
    summary: 'The notification channels (webhook secrets are not shown, the SMTP password is redacted).',
    tag: 'notifications',
    access: 'admin',
    responses: { 200: { description: 'The channels', schema: CHANNELS_VIEW } },
    handler: async () => ({ body: view(await alerts.channels()) }),
  });
  routes.add({
    method: 'put',
    path: '/api/notifications/channels',
    summary:
      'Replaces the notification channels (webhooks: a JSON POST per notification; email: a mail by SMTP; ' +
      'both retried with backoff).',
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
