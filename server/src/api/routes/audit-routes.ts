import type { ApiRoutes } from '../route.js';
import { CURSOR_PARAM, LIMIT_PARAM } from './common.js';
import { z } from '../openapi-zod.js';
import type { AuditEntry, AuditService } from '../../services/audit-service.js';

const ISO = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 date-time, e.g. 2026-01-31T12:00:00Z',
});

const AUDIT_QUERY = z
  .object({
    actor: z.string().max(64).optional(),
    action: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: 'Exact action, or a prefix ending in a dot (`user.`).' }),
    protocol: z.enum(['api', 'webdav', 'smb', 'cli', 'system']).optional(),
    result: z.enum(['success', 'failure', 'denied']).optional(),
    from: ISO.optional(),
    to: ISO.optional(),
    cursor: CURSOR_PARAM.optional(),
    limit: LIMIT_PARAM.optional(),
    format: z.enum(['json', 'csv']).optional(),
  })
  .strict();

const AUDIT_ENTRY = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor: z.string().nullable(),
    actorId: z.number().int().nullable(),
    address: z.string().nullable(),
    protocol: z.string(),
    action: z.string(),
    target: z.string().nullable(),
    result: z.string(),
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('AuditEntry');

const CSV_COLUMNS = [
  'id',
  'at',
  'actor',
  'address',
  'protocol',
  'action',
  'target',
  'result',
  'details',
] as const;

/** RFC 4180 quoting, and a leading quote on cells a spreadsheet would run as a formula. */
function csvCell(value: string | number | Record<string, unknown> | null): string {
  let text = value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(entry: AuditEntry): string {
  return `${CSV_COLUMNS.map((c) => csvCell(entry[c])).join(',')}\r\n`;
}

export function registerAuditRoutes(routes: ApiRoutes, deps: { audit: AuditService }): void {
  routes.add({
    method: 'get',
    path: '/api/audit',
    summary:
      'The audit log, newest first, with filters and cursor pagination; `format=csv` exports every match.',
    tag: 'audit',
    access: 'admin',
    query: AUDIT_QUERY,
    responses: {
      200: {
        description: 'A page of entries (JSON) or every matching entry (CSV)',
        schema: z.object({ items: z.array(AUDIT_ENTRY), nextCursor: z.number().int().nullable() }),
      },
    },
    handler: async ({ query, res }) => {
      const filters = {
        actor: query.actor,
        action: query.action,
        protocol: query.protocol,
        result: query.result,
        from: query.from === undefined ? undefined : new Date(query.from).toISOString(),
        to: query.to === undefined ? undefined : new Date(query.to).toISOString(),
      };
      if (query.format !== 'csv') {
        return {
          body: await deps.audit.query({ ...filters, cursor: query.cursor, limit: query.limit ?? 50 }),
        };
      }
      res.status(200);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', 'attachment; filename="baluhost-audit.csv"');
      res.write(`${CSV_COLUMNS.join(',')}\r\n`);
      // Page through the matches so an export of a long log never sits in memory whole.
      let cursor = query.cursor;
      for (;;) {
        const page = await deps.audit.query({ ...filters, cursor, limit: 500 });
        for (const entry of page.items) {
          if (!res.write(csvLine(entry))) await new Promise((resolve) => res.once('drain', resolve));
        }
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      res.end();
      return undefined;
    },
  });
}
