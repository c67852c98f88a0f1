import type { ApiRoutes } from '../route.js';
import { z } from '../openapi-zod.js';
import { ID_PARAMS } from './common.js';
import { GROUP_NAME, USERNAME } from '../../services/validation.js';
import type { GroupsService } from '../../services/groups-service.js';

const GROUP_VIEW = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    members: z.array(z.string()),
    createdAt: z.string(),
  })
  .openapi('Group');

export function registerGroupsRoutes(routes: ApiRoutes, deps: { groups: GroupsService }): void {
  routes.add({
    method: 'get',
    path: '/api/groups',
    summary: 'List groups with their members.',
    tag: 'groups',
    access: 'admin',
    responses: { 200: { description: 'Groups', schema: z.object({ items: z.array(GROUP_VIEW) }) } },
    handler: async () => ({ body: { items: await deps.groups.list() } }),
  });
  routes.add({
    method: 'post',
    path: '/api/groups',
    summary: 'Create a group.',
    tag: 'groups',
    access: 'admin',
    body: z
      .object({
        name: GROUP_NAME,
        description: z.string().max(500).optional(),
        members: z.array(USERNAME).max(10_000).optional(),
      })
      .strict(),
    responses: { 201: { description: 'Created', schema: GROUP_VIEW } },
    handler: async ({ principal, body }) => ({
      status: 201,
      body: await deps.groups.create(principal, body),
    }),
  });
  routes.add({
    method: 'get',
    path: '/api/groups/:id',
    summary: 'One group.',
    tag: 'groups',
    access: 'admin',
    params: ID_PARAMS,
    responses: { 200: { description: 'The group', schema: GROUP_VIEW } },
    handler: async ({ params }) => ({ body: await deps.groups.get(params.id) }),
  });
  routes.add({
    method: 'patch',
    path: '/api/groups/:id',
    summary: 'Rename a group, change its description or replace its members.',
    tag: 'groups',
    access: 'admin',
    params: ID_PARAMS,
    body: z
      .object({
        name: GROUP_NAME.optional(),
        description: z.string().max(500).optional(),
        members: z.array(USERNAME).max(10_000).optional(),
      })
      .strict(),
    responses: { 200: { description: 'The changed group', schema: GROUP_VIEW } },
    handler: async ({ principal, params, body }) => ({
      body: await deps.groups.update(principal, params.id, body),
    }),
  });
  routes.add({
    method: 'delete',
    path: '/api/groups/:id',
    summary: 'Delete a group (its members stay).',
    tag: 'groups',
    access: 'admin',
    params: ID_PARAMS,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ principal, params }) => {
      await deps.groups.delete(principal, params.id);
      return { status: 204 };
    },
  });
}
