import type { ApiRoutes } from '../route.js';
import { z } from '../openapi-zod.js';
import type { DbInspector } from '../../operations/db-inspector.js';

/** A SQL identifier as the schema spells it; checked against the live schema before use. */
const IDENTIFIER = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a table or column name')
  .openapi({ example: 'users' });

const WHOLE = z.string().regex(/^\d+$/, 'must be a whole number').transform(Number);

const TABLES = z
  .object({
    client: z.enum(['sqlite', 'postgres']),
    fileSizeBytes: z.number().nullable(),
    tables: z.array(z.object({ name: z.string(), rowCount: z.number(), sizeBytes: z.number().nullable() })),
  })
  .openapi('DbTables');

const ROWS = z
  .object({
    table: z.string(),
    columns: z.array(z.object({ name: z.string(), isRedacted: z.boolean(), canFilter: z.boolean() })),
    rows: z.array(z.record(z.string(), z.unknown())),
    total: z.number().int(),
    offset: z.number().int(),
    limit: z.number().int(),
  })
  .openapi('DbRows');

export function registerDbRoutes(routes: ApiRoutes, inspector: DbInspector): void {
  routes.add({
    method: 'get',
    path: '/api/db/tables',
    summary: 'Database inspector (read-only): every table with its row count and size.',
    tag: 'db',
    access: 'admin',
    responses: { 200: { description: 'The tables', schema: TABLES } },
    handler: async () => ({ body: await inspector.tables() }),
  });
  routes.add({
    method: 'get',
    path: '/api/db/tables/:table/rows',
    summary:
      'Database inspector (read-only): a page of a table, sorted and filtered (substring, case-insensitive) on one column; secrets come out as "[redacted]".',
    tag: 'db',
    access: 'admin',
    params: z.object({ table: IDENTIFIER }).strict(),
    query: z
      .object({
        offset: WHOLE.optional(),
        limit: WHOLE.pipe(z.number().int().min(1).max(500)).optional(),
        sort: IDENTIFIER.optional(),
        order: z.enum(['asc', 'desc']).optional(),
        filterColumn: IDENTIFIER.optional(),
        filterValue: z.string().max(200).optional(),
      })
      .strict(),
    responses: {
      200: { description: 'The rows', schema: ROWS },
      404: { description: 'No such table' },
    },
    handler: async ({ params, query }) => ({
      body: await inspector.rows(params.table, {
        offset: query.offset ?? 0,
        limit: query.limit ?? 50,
        sort: query.sort,
        order: query.order,
        filterColumn: query.filterColumn,
        filterValue: query.filterValue,
      }),
    }),
  });
}
