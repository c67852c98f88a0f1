import type { ApiRoutes } from '../route.js';
import { z } from '../openapi-zod.js';
import { ID_PARAMS, PAGE_QUERY, USER_VIEW } from './common.js';
import { ForbiddenError } from '../../errors/index.js';
import { GROUP_NAME, ROLE, USERNAME } from '../../services/validation.js';
import type { UsersService } from '../../services/users-service.js';

const QUOTA = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable();
const EMAIL = z.email('must be an email address').max(254).nullable();

export function registerUsersRoutes(routes: ApiRoutes, deps: { users: UsersService }): void {
  routes.add({
    method: 'get',
    path: '/api/users',
    summary: 'List users, by username.',
    tag: 'users',
    access: 'admin',
    query: PAGE_QUERY,
    responses: {
      200: {
        description: 'A page of users',
        schema: z.object({ items: z.array(USER_VIEW), total: z.number().int() }),
      },
    },
    handler: async ({ query }) => ({ body: await deps.users.list(query.limit ?? 100, query.offset ?? 0) }),
  });
  routes.add({
    method: 'post',
    path: '/api/users',
    summary: 'Create a user.',
    tag: 'users',
    access: 'admin',
    body: z
      .object({
        username: USERNAME,
        password: z.string().max(1024),
        role: ROLE.optional(),
        email: EMAIL.optional(),
        groups: z.array(GROUP_NAME).max(256).optional(),
        quotaBytes: QUOTA.optional(),
        smbEnabled: z.boolean().optional(),
      })
      .strict(),
    responses: { 201: { description: 'Created', schema: USER_VIEW } },
    handler: async ({ principal, body }) => ({ status: 201, body: await deps.users.create(principal, body) }),
  });
  routes.add({
    method: 'get',
    path: '/api/users/:id',
    summary: 'One user (admins: anyone; users: themselves).',
    tag: 'users',
    access: 'user',
    params: ID_PARAMS,
    responses: { 200: { description: 'The user', schema: USER_VIEW } },
    handler: async ({ principal, params }) => {
      if (!principal.isAdmin && principal.userId !== params.id)
        throw new ForbiddenError('You can only read your own account.');
      return { body: await deps.users.get(params.id) };
    },
  });
  routes.add({
    method: 'patch',
    path: '/api/users/:id',
    summary: "Change a user's email, role, groups, quota, disabled flag or SMB access.",
    tag: 'users',
    access: 'admin',
    params: ID_PARAMS,
    body: z
      .object({
        email: EMAIL.optional(),
        role: ROLE.optional(),
        groups: z.array(GROUP_NAME).max(256).optional(),
        quotaBytes: QUOTA.optional(),
        disabled: z.boolean().optional(),
        smbEnabled: z.boolean().optional(),
      })
      .strict(),
    responses: { 200: { description: 'The changed user', schema: USER_VIEW } },
    handler: async ({ principal, params, body }) => ({
      body: await deps.users.update(principal, params.id, body),
    }),
  });
  routes.add({
    method: 'post',
    path: '/api/users/:id/password',
    summary: "Set a user's password (their sessions end).",
    tag: 'users',
    access: 'admin',
    params: ID_PARAMS,
    body: z.object({ password: z.string().max(1024) }).strict(),
    responses: { 204: { description: 'Set' } },
    handler: async ({ principal, params, body }) => {
      await deps.users.resetPassword(principal, params.id, body.password);
      return { status: 204 };
    },
  });
  routes.add({
    method: 'delete',
    path: '/api/users/:id',
    summary: 'Delete a user.',
    tag: 'users',
    access: 'admin',
    params: ID_PARAMS,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ principal, params }) => {
      await deps.users.delete(principal, params.id);
      return { status: 204 };
    },
  });
}
