import type { ApiRoutes } from '../route.js';
import { z } from '../openapi-zod.js';
import type { EnergyService } from '../../energy/index.js';
import { TELEMETRY_RANGES, type TelemetryService } from '../../telemetry/index.js';

const RANGES = Object.keys(TELEMETRY_RANGES) as [
  keyof typeof TELEMETRY_RANGES,
  ...(keyof typeof TELEMETRY_RANGES)[],
];

const STATUS = z
  .object({
    backend: z.enum(['simulated', 'real']),
    configured: z
      .boolean()
      .openapi({ description: 'False until a real (Tapo) plug has an address and account.' }),
    plug: z
      .object({
        id: z.string(),
        name: z.string().nullable(),
        model: z.string().nullable(),
        isOn: z.boolean().nullable(),
      })
      .nullable(),
    powerWatts: z.number().nullable(),
    todayKwh: z.number().nullable(),
    monthKwh: z.number().nullable(),
    costToday: z.number().nullable().openapi({ description: 'todayKwh × pricePerKwh, rounded to the cent.' }),
    costMonth: z.number().nullable(),
    pricePerKwh: z.number(),
    currency: z.string(),
    readAt: z.string().nullable(),
  })
  .openapi('EnergyStatus');

const SETTINGS = z
  .object({
    plugHost: z.string().nullable(),
    hasCredentials: z
      .boolean()
      .openapi({ description: 'Whether a Tapo account is stored; it is never shown.' }),
    pricePerKwh: z.number(),
    currency: z.string(),
  })
  .openapi('EnergySettings');

const SETTINGS_UPDATE = z
  .object({
    plugHost: z
      .string()
      .regex(/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/, 'must be a host name or address, optionally with :port')
      .nullable()
      .optional()
      .openapi({ description: 'The Tapo plug on the LAN, e.g. 192.168.1.40; null forgets it.' }),
    username: z.string().min(1).max(254).optional().openapi({ description: 'The Tapo app account (email).' }),
    password: z.string().min(1).max(256).optional(),
    pricePerKwh: z.number().min(0).max(100).optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as EUR')
      .optional(),
  })
  .strict()
  .refine((b) => (b.username === undefined) === (b.password === undefined), {
    error: 'send username and password together',
    path: ['password'],
  })
  .openapi('EnergySettingsUpdate');

export function registerEnergyRoutes(
  routes: ApiRoutes,
  deps: { energy: EnergyService; telemetry: TelemetryService },
): void {
  routes.add({
    method: 'get',
    path: '/api/energy',
    summary: "The NAS's draw now, today's and this month's kWh, and their cost at the configured price.",
    tag: 'hardware',
    access: 'user',
    responses: {
      200: { description: 'The reading (all null while a real plug is not set up)', schema: STATUS },
      503: { description: 'The plug cannot be reached or refuses the account' },
      504: { description: 'The plug did not answer in time' },
    },
    handler: async () => ({ body: await deps.energy.status() }),
  });
  routes.add({
    method: 'get',
    path: '/api/energy/history',
    summary: "The NAS's draw in watts over a range, from the telemetry history, at the resolution that fits.",
    tag: 'hardware',
    access: 'user',
    query: z
      .object({
        range: z
          .enum(RANGES)
          .optional()
          .openapi({ description: '1h (raw samples, the default), 24h (minutes), 7d and 30d (hours).' }),
      })
      .strict(),
    responses: {
      200: {
        description: 'The points, oldest first',
        schema: z
          .object({
            metric: z.literal('energy.power_watts'),
            range: z.enum(RANGES),
            resolution: z.enum(['raw', 'minute', 'hour']),
            points: z.array(z.object({ at: z.string(), value: z.number() })),
          })
          .openapi('EnergyHistory'),
      },
    },
    handler: async ({ query }) => ({
      body: await deps.telemetry.history('energy.power_watts', query.range ?? '1h'),
    }),
  });
  routes.add({
    method: 'get',
    path: '/api/energy/settings',
    summary: 'The plug address and the price per kWh; whether a Tapo account is stored, never the account.',
    tag: 'hardware',
    access: 'admin',
    responses: { 200: { description: 'The settings', schema: SETTINGS } },
    handler: async () => ({ body: await deps.energy.settings() }),
  });
  routes.add({
    method: 'put',
    path: '/api/energy/settings',
    summary:
      'Change the plug address, the Tapo account (stored encrypted) and the price per kWh; audited (energy.update_settings).',
    tag: 'hardware',
    access: 'admin',
    body: SETTINGS_UPDATE,
    responses: { 200: { description: 'The settings as stored', schema: SETTINGS } },
    handler: async ({ principal, body }) => ({ body: await deps.energy.updateSettings(principal, body) }),
  });
}
