import type { ApiRoutes } from '../route.js';
import { z } from '../openapi-zod.js';
import { SESSION, USER_VIEW } from './common.js';
import { originOf } from '../middleware.js';
import type { AuthService } from '../../services/auth-service.js';
import type { UsersService } from '../../services/users-service.js';
import type { TotpService } from '../../services/totp-service.js';

export function registerAuthRoutes(
  routes: ApiRoutes,
  deps: { auth: AuthService; users: UsersService; totp: TotpService },
): void {
  routes.add({
    method: 'post',
    path: '/api/auth/login',
    summary:
      'Log in with a username and password, plus a TOTP code or a recovery code when two-factor login is on.',
    tag: 'auth',
    access: 'public',
    body: z
      .object({
        username: z.string().min(1).max(255),
        password: z.string().min(1).max(1024),
        totpCode: z
          .string()
          .regex(/^\d{6}$/, 'must be 6 digits')
          .optional(),
        recoveryCode: z.string().min(1).max(64).optional(),
      })
      .strict(),
    responses: {
      200: { description: 'Logged in', schema: SESSION },
      401: { description: 'INVALID_CREDENTIALS, or TOTP_REQUIRED: send totpCode or recoveryCode as well' },
      429: { description: 'Too many failed logins; see Retry-After' },
    },
    handler: async ({ req, body }) => ({
      body: await deps.auth.login(originOf(req), body.username, body.password, (user) =>
        deps.totp.check(user, { totpCode: body.totpCode, recoveryCode: body.recoveryCode }),
      ),
    }),
  });
  routes.add({
    method: 'post',
    path: '/api/auth/refresh',
    summary: 'Trade a refresh token for a new access and refresh token (the old one stops working).',
    tag: 'auth',
    access: 'public',
    body: z.object({ refreshToken: z.string().min(1).max(512) }).strict(),
    responses: { 200: { description: 'New tokens', schema: SESSION } },
    handler: async ({ req, body }) => ({ body: await deps.auth.refresh(originOf(req), body.refreshToken) }),
  });
  routes.add({
    method: 'post',
    path: '/api/auth/logout',
    summary: 'End the login that the refresh token belongs to.',
    tag: 'auth',
    access: 'user',
    body: z.object({ refreshToken: z.string().min(1).max(512).optional() }).strict(),
    responses: { 204: { description: 'Logged out' } },
    handler: async ({ principal, body }) => {
      await deps.auth.logout(principal, body.refreshToken);
      return { status: 204 };
    },
  });
  routes.add({
    method: 'get',
    path: '/api/auth/me',
    summary: 'The calling user.',
    tag: 'auth',
    access: 'user',
    responses: { 200: { description: 'The user', schema: USER_VIEW } },
    handler: async ({ principal }) => ({ body: await deps.users.get(principal.userId) }),
  });
  routes.add({
    method: 'put',
    path: '/api/me/password',
    summary: 'Change your own password (the old one is required). Every session ends; log in again.',
    tag: 'auth',
    access: 'user',
    body: z
      .object({ oldPassword: z.string().min(1).max(1024), newPassword: z.string().min(1).max(1024) })
      .strict(),
    responses: { 204: { description: 'Changed' } },
    handler: async ({ principal, body }) => {
      await deps.users.changeOwnPassword(principal, body.oldPassword, body.newPassword);
      return { status: 204 };
    },
  });
}
