import type { ApiRoutes } from '../route.js';
import { z } from '../openapi-zod.js';
import { ID_PARAMS } from './common.js';
import type { TotpService } from '../../services/totp-service.js';

const STATUS = z
  .object({ enabled: z.boolean(), pending: z.boolean(), recoveryCodesLeft: z.number().int() })
  .openapi('TotpStatus');
const ENROLMENT = z
  .object({
    secret: z
      .string()
      .openapi({ description: 'The shared secret in base32, to type into an authenticator app.' }),
    otpauthUri: z.string().openapi({ description: 'otpauth://totp/... for a QR code.' }),
  })
  .openapi('TotpEnrolment');

/** Two-factor login: your own enrolment under /api/me/totp, and an admin's reset of a user's. */
export function registerTotpRoutes(routes: ApiRoutes, deps: { totp: TotpService }): void {
  routes.add({
    method: 'get',
    path: '/api/me/totp',
    summary: 'Whether two-factor login is on for you, and how many recovery codes are left.',
    tag: 'auth',
    access: 'user',
    responses: { 200: { description: 'Status', schema: STATUS } },
    handler: async ({ principal }) => ({ body: await deps.totp.status(principal.userId) }),
  });
  routes.add({
    method: 'post',
    path: '/api/me/totp',
    summary:
      'Start two-factor login: a new secret and its otpauth:// URI for an authenticator app. Confirm with a code.',
    tag: 'auth',
    access: 'user',
    responses: {
      201: { description: 'Enrolment started', schema: ENROLMENT },
      409: { description: 'Two-factor login is already on' },
    },
    handler: async ({ principal }) => ({ status: 201, body: await deps.totp.enrol(principal) }),
  });
  routes.add({
    method: 'post',
    path: '/api/me/totp/confirm',
    summary: 'Turn two-factor login on with a code from the app; answers ten recovery codes, shown only now.',
    tag: 'auth',
    access: 'user',
    body: z.object({ code: z.string().regex(/^\d{6}$/, 'must be 6 digits') }).strict(),
    responses: {
      200: {
        description: 'On; keep the recovery codes safe',
        schema: z.object({ recoveryCodes: z.array(z.string()) }),
      },
    },
    handler: async ({ principal, body }) => ({ body: await deps.totp.confirm(principal, body.code) }),
  });
  routes.add({
    method: 'delete',
    path: '/api/me/totp',
    summary: 'Turn your two-factor login off; your password is required.',
    tag: 'auth',
    access: 'user',
    body: z.object({ password: z.string().min(1).max(1024) }).strict(),
    responses: { 204: { description: 'Off' } },
    handler: async ({ principal, body }) => {
      await deps.totp.disable(principal, body.password);
      return { status: 204 };
    },
  });
  routes.add({
    method: 'delete',
    path: '/api/users/:id/totp',
    summary: "Turn a user's two-factor login off (a lost phone and recovery codes); audited.",
    tag: 'users',
    access: 'admin',
    params: ID_PARAMS,
    responses: { 204: { description: 'Off' } },
    handler: async ({ principal, params }) => {
      await deps.totp.reset(principal, params.id);
      return { status: 204 };
    },
  });
}
