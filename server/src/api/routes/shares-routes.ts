import type { ApiRoutes } from '../route.js';
import { z } from '../openapi-zod.js';
import { ID_PARAMS } from './common.js';
import { GROUP_NAME, USERNAME } from '../../services/validation.js';
import type { SharesService } from '../../services/shares-service.js';
import type { AppPasswordsService } from '../../services/app-passwords-service.js';
import type { StorageCore } from '../../storage/storage-core.js';

const SHARE_NAME = GROUP_NAME;
const ACL = z
  .array(
    z.union([
      z.object({ type: z.literal('user'), name: USERNAME, access: z.enum(['read', 'write']) }).strict(),
      z.object({ type: z.literal('group'), name: GROUP_NAME, access: z.enum(['read', 'write']) }).strict(),
    ]),
  )
  .max(1000);
const QUOTA = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable();

const SHARE_VIEW = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    quotaBytes: z.number().int().nullable(),
    usedBytes: z.number().int(),
    acl: z.array(
      z.object({ type: z.enum(['user', 'group']), name: z.string(), access: z.enum(['read', 'write']) }),
    ),
    access: z.enum(['read', 'write']).optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Share');

const USAGE = z
  .object({
    usedBytes: z.number().int(),
    quotaBytes: z.number().int().nullable(),
    availableBytes: z.number().int(),
  })
  .openapi('Usage');

export function registerSharesRoutes(
  routes: ApiRoutes,
  deps: { shares: SharesService; storage: StorageCore; appPasswords: AppPasswordsService },
): void {
  routes.add({
    method: 'get',
    path: '/api/shares',
    summary: 'Shares: every share for admins, the ones you may use (with your access) for others.',
    tag: 'shares',
    access: 'user',
    responses: { 200: { description: 'Shares', schema: z.object({ items: z.array(SHARE_VIEW) }) } },
    handler: async ({ principal }) => ({
      body: { items: principal.isAdmin ? await deps.shares.list() : await deps.shares.listFor(principal) },
    }),
  });
  routes.add({
    method: 'post',
    path: '/api/shares',
    summary: 'Create a share with an ACL (user or group → read or write) and an optional quota.',
    tag: 'shares',
    access: 'admin',
    body: z
      .object({
        name: SHARE_NAME,
        description: z.string().max(500).optional(),
        quotaBytes: QUOTA.optional(),
        acl: ACL.optional(),
      })
      .strict(),
    responses: { 201: { description: 'Created', schema: SHARE_VIEW } },
    handler: async ({ principal, body }) => ({
      status: 201,
      body: await deps.shares.create(principal, body),
    }),
  });
  routes.add({
    method: 'get',
    path: '/api/shares/:id',
    summary: 'One share.',
    tag: 'shares',
    access: 'admin',
    params: ID_PARAMS,
    responses: { 200: { description: 'The share', schema: SHARE_VIEW } },
    handler: async ({ params }) => ({ body: await deps.shares.get(params.id) }),
  });
  routes.add({
    method: 'patch',
    path: '/api/shares/:id',
    summary: 'Rename a share, or change its description, quota or ACL.',
    tag: 'shares',
    access: 'admin',
    params: ID_PARAMS,
    body: z
      .object({
        name: SHARE_NAME.optional(),
        description: z.string().max(500).optional(),
        quotaBytes: QUOTA.optional(),
        acl: ACL.optional(),
      })
      .strict(),
    responses: { 200: { description: 'The changed share', schema: SHARE_VIEW } },
    handler: async ({ principal, params, body }) => ({
      body: await deps.shares.update(principal, params.id, body),
    }),
  });
  routes.add({
    method: 'delete',
    path: '/api/shares/:id',
    summary:
      'Delete a share. It must be empty, unless force=true, which sets its files aside in the data root’s orphaned/ folder.',
    tag: 'shares',
    access: 'admin',
    params: ID_PARAMS,
    query: z.object({ force: z.enum(['true', 'false']).optional() }).strict(),
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ principal, params, query }) => {
      await deps.shares.delete(principal, params.id, query.force === 'true');
      return { status: 204 };
    },
  });
  routes.add({
    method: 'get',
    path: '/api/me/usage',
    summary: 'Bytes you own (homes and shares together), your quota, and what is still available.',
    tag: 'storage',
    access: 'user',
    responses: { 200: { description: 'Usage', schema: USAGE } },
    handler: async ({ principal }) => ({ body: await deps.storage.usage(principal) }),
  });
  routes.add({
    method: 'post',
    path: '/api/storage/reconcile',
    summary: 'Recount usage from the files on disk (corrects drift from changes made outside BaluHost).',
    tag: 'storage',
    access: 'admin',
    responses: {
      200: {
        description: 'Counted',
        schema: z.object({
          users: z.number().int(),
          shares: z.number().int(),
          usedBytes: z.number().int(),
          removedOwners: z.number().int(),
        }),
      },
    },
    handler: async () => ({ body: await deps.storage.reconcile() }),
  });
  routes.add({
    method: 'get',
    path: '/api/me/app-passwords',
    summary:
      'Your app passwords (for WebDAV and SMB clients); the passwords themselves are never shown again.',
    tag: 'auth',
    access: 'user',
    responses: {
      200: {
        description: 'App passwords',
        schema: z.object({
          items: z.array(
            z.object({
              id: z.number().int(),
              name: z.string(),
              createdAt: z.string(),
              lastUsedAt: z.string().nullable(),
            }),
          ),
        }),
      },
    },
    handler: async ({ principal }) => ({ body: { items: await deps.appPasswords.list(principal.userId) } }),
  });
  routes.add({
    method: 'post',
    path: '/api/me/app-passwords',
    summary: 'Create an app password for one device; the answer holds the password, shown this once.',
    tag: 'auth',
    access: 'user',
    body: z.object({ name: z.string().min(1).max(100) }).strict(),
    responses: {
      201: {
        description: 'Created',
        schema: z.object({
          id: z.number().int(),
          name: z.string(),
          createdAt: z.string(),
          lastUsedAt: z.null(),
          password: z.string(),
        }),
      },
    },
    handler: async ({ principal, body }) => ({
      status: 201,
      body: await deps.appPasswords.create(principal, body.name),
    }),
  });
  routes.add({
    method: 'delete',
    path: '/api/me/app-passwords/:id',
    summary: 'Revoke one app password.',
    tag: 'auth',
    access: 'user',
    params: ID_PARAMS,
    responses: { 204: { description: 'Revoked' } },
    handler: async ({ principal, params }) => {
      await deps.appPasswords.revoke(principal, params.id);
      return { status: 204 };
    },
  });
}
