import type { ApiRoutes } from '../route.js';
import { z } from '../openapi-zod.js';
import type { SmbService } from '../../smb/smb-service.js';

const SETTINGS = z
  .object({
    enabled: z.boolean(),
    workgroup: z.string(),
    serverString: z.string(),
    port: z.number().int(),
    interfaces: z.array(z.string()),
  })
  .openapi('SmbSettings');

const STATUS = z
  .object({
    enabled: z.boolean(),
    running: z.boolean(),
    pid: z.number().int().nullable(),
    version: z.string().nullable(),
    port: z.number().int(),
    interfaces: z.array(z.string()),
    sessions: z.array(
      z.object({
        sessionId: z.string(),
        pid: z.number().int(),
        username: z.string(),
        uid: z.number().int().nullable(),
        address: z.string(),
        dialect: z.string().nullable(),
        encrypted: z.boolean(),
        signed: z.boolean(),
        shares: z.array(z.string()),
      }),
    ),
    openFiles: z.array(
      z.object({
        path: z.string(),
        pid: z.number().int(),
        uid: z.number().int().nullable(),
        openedAt: z.string().nullable(),
      }),
    ),
    usersWithoutPassword: z.array(z.string()),
    overQuota: z.array(z.string()),
    lastError: z.string().nullable(),
  })
  .openapi('SmbStatus');

// smb.conf holds these verbatim: no line breaks, brackets or quotes.
const TEXT = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\r\n[\]"\\]+$/, 'must not contain line breaks, brackets, quotes or backslashes');

export function registerSmbRoutes(routes: ApiRoutes, deps: { smb: SmbService }): void {
  routes.add({
    method: 'get',
    path: '/api/smb',
    summary: 'SMB settings: on or off, workgroup, server string, port, interfaces.',
    tag: 'smb',
    access: 'admin',
    responses: { 200: { description: 'The settings', schema: SETTINGS } },
    handler: async () => ({ body: await deps.smb.settings.get() }),
  });
  routes.add({
    method: 'put',
    path: '/api/smb',
    summary:
      'Change SMB settings; applied at once (Samba started, stopped, restarted for a new port or interfaces, or reloaded) and audited.',
    tag: 'smb',
    access: 'admin',
    body: z
      .object({
        enabled: z.boolean().optional(),
        workgroup: TEXT.regex(
          /^[A-Za-z0-9_.-]{1,15}$/,
          'must be a NetBIOS name (1-15 letters, digits, _ . -)',
        ).optional(),
        serverString: TEXT.optional(),
        port: z.number().int().min(1).max(65535).optional(),
        interfaces: z
          .array(z.string().regex(/^[A-Za-z0-9_.:/-]{1,64}$/, 'must be an interface name or address'))
          .min(1)
          .max(32)
          .optional(),
      })
      .strict(),
    responses: { 200: { description: 'The settings now in force', schema: SETTINGS } },
    handler: async ({ principal, body }) => ({ body: await deps.smb.updateSettings(principal, body) }),
  });
  routes.add({
    method: 'get',
    path: '/api/smb/status',
    summary:
      'Samba: running, pid, version, sessions and open files, users without a Samba password yet, users read-only for being over quota.',
    tag: 'smb',
    access: 'admin',
    responses: { 200: { description: 'The status', schema: STATUS } },
    handler: async () => ({ body: await deps.smb.status() }),
  });
}
