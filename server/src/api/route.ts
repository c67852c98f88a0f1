import type { Request, Response, Router } from 'express';
import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { z } from './openapi-zod.js';
import type { Principal } from '../auth/index.js';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../errors/index.js';
import { ERROR_CODES } from '../errors/codes.js';

export type Access = 'public' | 'user' | 'admin';
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface HandlerContext<B, Q, P> {
  readonly req: Request;
  readonly res: Response;
  readonly body: B;
  readonly query: Q;
  readonly params: P;
  /** Set for routes whose access is `user` or `admin`. */
  readonly principal: Principal;
}

export interface RouteResult {
  readonly status?: number;
  readonly body?: unknown;
}

interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  readonly contentType?: string;
}

export interface RouteSpec<B, Q, P> {
  readonly method: Method;
  /** Express path, e.g. `/api/users/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly access: Access;
  readonly body?: z.ZodType<B>;
  readonly query?: z.ZodType<Q>;
  readonly params?: z.ZodType<P>;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Returns what to send, or nothing when it wrote the response itself (streams, CSV). */
  readonly handler: (ctx: HandlerContext<B, Q, P>) => Promise<RouteResult | undefined>;
}

/** Turns zod issues into a message that names the fields, and details a client can map onto a form. */
export function validationError(where: 'body' | 'query' | 'path', error: z.ZodError): ValidationError {
  const details: { field: string; message: string }[] = [];
  const unknown: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const field = [...issue.path, key].join('.');
        unknown.push(field);
        details.push({ field, message: 'is not a known field' });
      }
    } else {
      details.push({ field: issue.path.join('.') || where, message: issue.message });
    }
  }
  const parts: string[] = [];
  if (unknown.length > 0) parts.push(`unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
  const others = details.filter((d) => d.message !== 'is not a known field');
  if (others.length > 0) parts.push(others.map((d) => `${d.field}: ${d.message}`).join('; '));
  return new ValidationError(`Invalid request ${where}: ${parts.join('; ')}.`, { details });
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: 'body' | 'query' | 'path'): T {
  if (!schema) return undefined as T;
  if (where === 'body' && (value === undefined || value === null || typeof value !== 'object')) {
    throw new ValidationError('The request body must be a JSON object (Content-Type: application/json).');
  }
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(where, result.error);
  return result.data;
}

const ERROR_BODY = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [string, ...string[]]),
      message: z.string(),
      details: z.unknown().optional(),
      requestId: z.string(),
    }),
  })
  .openapi('Error');

/**
 * Registers routes on an Express router and describes each in the OpenAPI registry from the same zod schemas,
 * so the document cannot drift from what is validated.
 */
export class ApiRoutes {
  readonly registry = new OpenAPIRegistry();

  constructor(
    private readonly router: Router,
    private readonly authenticate: (req: Request) => Promise<Principal>,
  ) {
    this.registry.registerComponent('securitySchemes', 'bearer', {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
  }

  add<B = undefined, Q = undefined, P = undefined>(spec: RouteSpec<B, Q, P>): void {
    this.describe(spec);
    this.router[spec.method](spec.path, async (req: Request, res: Response) => {
      let principal: Principal | undefined;
      if (spec.access !== 'public') {
        principal = await this.authenticate(req);
        if (spec.access === 'admin' && !principal.isAdmin) throw new ForbiddenError('This needs an admin.');
      }
      const params = parse(spec.params, req.params, 'path');
      const query = parse(spec.query, req.query, 'query');
      const body = parse(spec.body, req.body, 'body');
      const result = await spec.handler({
        req,
        res,
        body,
        query,
        params,
        get principal(): Principal {
          if (!principal) throw new UnauthenticatedError();
          return principal;
        },
      });
      if (result === undefined) return;
      const status = result.status ?? 200;
      if (result.body === undefined) res.status(status).end();
      else res.status(status).json(result.body);
    });
  }

  /** The OpenAPI 3 document of every route added. */
  document(version: string): unknown {
    return new OpenApiGeneratorV3(this.registry.definitions).generateDocument({
      openapi: '3.0.3',
      info: {
        title: 'BaluHost API',
        version,
        description:
          'Admin and file API of BaluHost. Errors are `{error: {code, message, details?, requestId}}`.',
      },
      servers: [{ url: '/' }],
    });
  }

  private describe<B, Q, P>(spec: RouteSpec<B, Q, P>): void {
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      responses[status] = r.schema
        ? {
            description: r.description,
            content: { [r.contentType ?? 'application/json']: { schema: r.schema } },
          }
        : { description: r.description };
    }
    const errors: number[] = [400, 500];
    if (spec.access !== 'public') errors.push(401);
    if (spec.access === 'admin') errors.push(403);
    for (const status of errors) {
      responses[String(status)] ??= {
        description: 'Error',
        content: { 'application/json': { schema: ERROR_BODY } },
      };
    }
    this.registry.registerPath({
      method: spec.method,
      path: spec.path.replace(/:(\w+)/g, '{$1}'),
      summary: spec.summary,
      tags: [spec.tag],
      ...(spec.access === 'public' ? {} : { security: [{ bearer: [] }] }),
      request: {
        ...(spec.params ? { params: spec.params as unknown as z.ZodObject } : {}),
        ...(spec.query ? { query: spec.query as unknown as z.ZodObject } : {}),
        ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } } } } : {}),
      },
      responses: responses as never,
    });
  }
}
