import type { Request, Response } from 'express';
import busboy from 'busboy';
import { requestedRange, type StorageEntry } from '@baluhost/protocols';
import type { ApiRoutes } from '../route.js';
import { z } from '../openapi-zod.js';
import { AppError, ValidationError } from '../../errors/index.js';
import type { Principal } from '../../auth/index.js';
import type { StorageCore } from '../../storage/storage-core.js';

const PATH = z
  .string()
  .min(1)
  .max(4096)
  .openapi({ description: 'Namespace path: /home/…, /<share>/…, admins also /homes/<user>/…' });

const FILE_ENTRY = z
  .object({
    path: z.string(),
    name: z.string(),
    type: z.enum(['file', 'directory']),
    size: z.number().int(),
    modified: z.string(),
    created: z.string(),
    etag: z.string(),
    contentType: z.string(),
    owner: z.string().nullable(),
    canModify: z.boolean(),
  })
  .openapi('FileEntry');

function view(e: StorageEntry) {
  return {
    path: e.path,
    name: e.name,
    type: e.type,
    size: e.size,
    modified: new Date(e.mtimeMs).toISOString(),
    created: new Date(e.birthtimeMs).toISOString(),
    etag: e.etag,
    contentType: e.contentType,
    owner: e.owner,
    canModify: e.canModify,
  };
}

const BOOL = z.enum(['true', 'false']).transform((v) => v === 'true');

function contentDisposition(name: string, inline: boolean): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

async function download(
  storage: StorageCore,
  principal: Principal,
  req: Request,
  res: Response,
  path: string,
  inline: boolean,
): Promise<void> {
  // Opened once: the headers, preconditions and range are decided on the file that was opened.
  let opened;
  try {
    opened = await storage.read(principal, path);
  } catch (e) {
    if (e instanceof AppError && e.code === 'CONFLICT')
      throw new AppError('CONFLICT', `${path} is a folder; list it instead.`);
    throw e;
  }
  const { entry } = opened;
  let body = opened.body;
  try {
    res.setHeader('ETag', entry.etag);
    res.setHeader('Last-Modified', new Date(entry.mtimeMs).toUTCString());
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', entry.contentType);
    res.setHeader('Content-Disposition', contentDisposition(entry.name, inline));
    // Previews of untrusted files must not run as part of the console.
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox",
    );
    const inm = req.get('if-none-match');
    if (
      inm !== undefined &&
      inm
        .split(',')
        .map((t) => t.trim())
        .some((t) => t === entry.etag || t === '*')
    ) {
      res.status(304).end();
      return;
    }
    // The same Range and If-Range rules as WebDAV's GET (protocols/src/webdav/headers.ts).
    const range = requestedRange(req.get('range'), req.get('if-range'), entry);
    if (range.kind === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${entry.size}`);
      res.status(416).end();
      return;
    }
    if (range.kind === 'range') {
      const { start, end } = range.range;
      res.status(206);
      res.setHeader('Content-Range', `bytes ${start}-${end}/${entry.size}`);
      res.setHeader('Content-Length', String(end - start + 1));
      body = body.slice(start, end);
    } else {
      res.status(200);
      res.setHeader('Content-Length', String(entry.size));
    }
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await body.sendTo(res).catch(() => undefined); // a client that went away: nothing to answer
  } finally {
    await body.close();
  }
}

function expectedBytes(req: Request): number | null {
  const cl = req.get('content-length');
  if (cl === undefined) return null;
  if (!/^\d+$/.test(cl)) throw new ValidationError('Content-Length is not a number.');
  return Number(cl);
}

function etagList(header: string | undefined): string[] | undefined {
  return header === undefined
    ? undefined
    : header
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t.length > 0);
}

export function registerFilesRoutes(routes: ApiRoutes, deps: { storage: StorageCore }): void {
  const { storage } = deps;
  routes.add({
    method: 'get',
    path: '/api/files',
    summary: 'List a folder, sorted and paginated.',
    tag: 'files',
    access: 'user',
    query: z
      .object({
        path: PATH.optional(),
        sort: z.enum(['name', 'size', 'modified', 'type']).optional(),
        order: z.enum(['asc', 'desc']).optional(),
        offset: z.string().regex(/^\d+$/).transform(Number).optional(),
        limit: z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(1).max(5000)).optional(),
      })
      .strict(),
    responses: {
      200: {
        description: 'A page of entries',
        schema: z.object({ path: z.string(), total: z.number().int(), items: z.array(FILE_ENTRY) }),
      },
    },
    handler: async ({ principal, query }) => {
      const path = query.path ?? '/';
      const entries = await storage.list(principal, path);
      const sort = query.sort ?? 'name';
      const dir = query.order === 'desc' ? -1 : 1;
      const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
      entries.sort((a, b) => {
        // Folders first, whatever the order.
        if (a.type !== b.type) return a.type === 'directory' ? -1 : 1;
        const by =
          sort === 'size'
            ? a.size - b.size
            : sort === 'modified'
              ? a.mtimeMs - b.mtimeMs
              : sort === 'type'
                ? collator.compare(a.contentType, b.contentType)
                : 0;
        return (by || collator.compare(a.name, b.name)) * dir;
      });
      const offset = query.offset ?? 0;
      const limit = query.limit ?? 500;
      return {
        body: { path, total: entries.length, items: entries.slice(offset, offset + limit).map(view) },
      };
    },
  });
  routes.add({
    method: 'get',
    path: '/api/files/stat',
    summary: 'One file or folder.',
    tag: 'files',
    access: 'user',
    query: z.object({ path: PATH }).strict(),
    responses: { 200: { description: 'The entry', schema: FILE_ENTRY } },
    handler: async ({ principal, query }) => ({ body: view(await storage.stat(principal, query.path)) }),
  });
  routes.add({
    method: 'get',
    path: '/api/files/content',
    summary: 'Download a file; Range, If-None-Match and If-Range are honoured. `inline=true` for previews.',
    tag: 'files',
    access: 'user',
    query: z.object({ path: PATH, inline: BOOL.optional() }).strict(),
    responses: {
      200: { description: 'The bytes' },
      206: { description: 'A range' },
      304: { description: 'Not modified' },
      416: { description: 'Range not satisfiable' },
    },
    handler: async ({ principal, query, req, res }) => {
      await download(storage, principal, req, res, query.path, query.inline ?? false);
      return undefined;
    },
  });
  routes.add({
    method: 'put',
    path: '/api/files/content',
    summary:
      'Upload a file as the raw request body, streamed and committed atomically. If-Match / If-None-Match are honoured.',
    tag: 'files',
    access: 'user',
    query: z.object({ path: PATH, overwrite: BOOL.optional() }).strict(),
    responses: {
      201: { description: 'Created', schema: FILE_ENTRY },
      200: { description: 'Replaced', schema: FILE_ENTRY },
      507: { description: 'Over quota; nothing stored' },
    },
    handler: async ({ principal, query, req }) => {
      const ifNoneMatch = query.overwrite === false ? ['*'] : etagList(req.get('if-none-match'));
      const { entry, created } = await storage.write(principal, query.path, req, {
        expectedBytes: expectedBytes(req),
        ...(etagList(req.get('if-match')) ? { ifMatch: etagList(req.get('if-match')) } : {}),
        ...(ifNoneMatch ? { ifNoneMatch } : {}),
      });
      return { status: created ? 201 : 200, body: view(entry) };
    },
  });
  routes.add({
    method: 'post',
    path: '/api/files/upload',
    summary:
      'Upload files into a folder as multipart/form-data (each part streamed and committed atomically).',
    tag: 'files',
    access: 'user',
    query: z.object({ path: PATH, overwrite: BOOL.optional() }).strict(),
    responses: { 201: { description: 'Stored', schema: z.object({ items: z.array(FILE_ENTRY) }) } },
    handler: async ({ principal, query, req }) => {
      const folder = query.path.replace(/\/+$/, '');
      const items = await new Promise<StorageEntry[]>((resolve, reject) => {
        let bb: busboy.Busboy;
        try {
          bb = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { fields: 20, parts: 1000 } });
        } catch (e) {
          reject(new ValidationError('Send the files as multipart/form-data.', { cause: e }));
          return;
        }
        const stored: StorageEntry[] = [];
        let chain: Promise<void> = Promise.resolve();
        let failed = false;
        bb.on('file', (_field, file, info) => {
          const name = (info.filename ?? '').split(/[\\/]/).pop() ?? '';
          // Parts are stored one after the other; a later part waits in the socket buffer meanwhile.
          chain = chain.then(async () => {
            if (failed) {
              file.resume();
              return;
            }
            try {
              if (name === '') throw new ValidationError('A file part has no file name.');
              const { entry } = await storage.write(principal, `${folder}/${name}`, file, {
                expectedBytes: null,
                ...(query.overwrite === false ? { ifNoneMatch: ['*'] } : {}),
              });
              stored.push(entry);
            } catch (e) {
              failed = true;
              file.resume();
              throw e;
            }
          });
          chain.catch(() => undefined);
        });
        bb.on('error', (e) => {
          reject(new ValidationError('The multipart body is malformed.', { cause: e }));
        });
        bb.on('close', () => {
          chain.then(() => {
            resolve(stored);
          }, reject);
        });
        req.pipe(bb);
      });
      return { status: 201, body: { items: items.map(view) } };
    },
  });
  routes.add({
    method: 'post',
    path: '/api/files/mkdir',
    summary: 'Create a folder.',
    tag: 'files',
    access: 'user',
    body: z.object({ path: PATH }).strict(),
    responses: { 201: { description: 'Created', schema: FILE_ENTRY } },
    handler: async ({ principal, body }) => ({
      status: 201,
      body: view(await storage.mkdir(principal, body.path)),
    }),
  });
  for (const op of ['move', 'copy'] as const) {
    routes.add({
      method: 'post',
      path: `/api/files/${op}`,
      summary:
        op === 'move' ? 'Move or rename a file or folder.' : 'Copy a file or folder with everything in it.',
      tag: 'files',
      access: 'user',
      body: z.object({ from: PATH, to: PATH, overwrite: z.boolean().optional() }).strict(),
      responses: { 200: { description: 'Done', schema: z.object({ created: z.boolean() }) } },
      handler: async ({ principal, body }) => {
        const options = { overwrite: body.overwrite ?? false };
        const result =
          op === 'move'
            ? await storage.move(principal, body.from, body.to, options)
            : await storage.copy(principal, body.from, body.to, { ...options, depth: 'infinity' });
        return { body: result };
      },
    });
  }
  routes.add({
    method: 'delete',
    path: '/api/files',
    summary: 'Delete a file, or a folder with everything in it.',
    tag: 'files',
    access: 'user',
    query: z.object({ path: PATH }).strict(),
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ principal, query }) => {
      await storage.remove(principal, query.path);
      return { status: 204 };
    },
  });
}
