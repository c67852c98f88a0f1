import type { StorageEntry } from '../../ports.js';
import { header, type DavContext } from '../context.js';
import { DavError, errorCode } from '../errors.js';
import { evaluatePreconditions, httpDate, requestedRange } from '../headers.js';
import { hrefFor } from '../paths.js';
import { sendBody, sendEmpty } from '../response.js';
import { escapeAttr, escapeText } from '../xml.js';

function entityHeaders(entry: StorageEntry): Record<string, string> {
  return { ETag: entry.etag, 'Last-Modified': httpDate(entry.mtimeMs) };
}

/**
 * GET and HEAD: files stream from the core, a single byte range seeks; collections get a small HTML listing.
 * The file is opened first and everything else (preconditions, range, headers) is decided on what was opened:
 * one open instead of a stat and then an open.
 */
export async function handleGet(ctx: DavContext): Promise<void> {
  const { storage, caller, target, res } = ctx;
  let opened;
  try {
    opened = await storage.read(caller, target.path);
  } catch (err) {
    if (errorCode(err) !== 'CONFLICT') throw err;
    const entry = await storage.stat(caller, target.path);
    if (entry.type !== 'directory') throw err;
    await sendListing(ctx, entry);
    return;
  }
  const { entry } = opened;
  let body = opened.body;
  try {
    const precondition = evaluatePreconditions(ctx.req.headers, entry, true);
    if (precondition === 304) {
      sendEmpty(ctx, 304, entityHeaders(entry));
      return;
    }
    if (precondition === 412) throw new DavError(412, 'precondition failed');

    const range = requestedRange(header(ctx, 'range'), header(ctx, 'if-range'), entry);
    if (range.kind === 'unsatisfiable') {
      sendEmpty(ctx, 416, { 'Content-Range': `bytes */${entry.size}`, ...entityHeaders(entry) });
      return;
    }

    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', entry.contentType);
    for (const [name, value] of Object.entries(entityHeaders(entry))) res.setHeader(name, value);
    if (range.kind === 'range') {
      const { start, end } = range.range;
      res.statusCode = 206;
      res.setHeader('Content-Range', `bytes ${start}-${end}/${entry.size}`);
      res.setHeader('Content-Length', end - start + 1);
      body = body.slice(start, end);
    } else {
      res.statusCode = 200;
      res.setHeader('Content-Length', entry.size);
    }
    if (ctx.method === 'HEAD' || entry.size === 0) {
      res.end();
      return;
    }
    // A client that goes away mid-transfer rejects this; a file that cannot be read cuts the response short, so
    // the client sees a truncated body instead of a hang. Either way the file is closed.
    await body.sendTo(res, (bytes) => {
      ctx.bytesOut += bytes;
    });
  } finally {
    await body.close();
  }
}

async function sendListing(ctx: DavContext, entry: StorageEntry): Promise<void> {
  const headers = { 'Last-Modified': httpDate(entry.mtimeMs), 'Cache-Control': 'no-cache' };
  if (ctx.method === 'HEAD') {
    sendBody(ctx, 200, '', 'text/html; charset=utf-8', headers);
    return;
  }
  const children = await ctx.storage.list(ctx.caller, entry.path, { hideMacMetadata: true });
  children.sort((a, b) =>
    a.type === b.type ? a.name.localeCompare(b.name) : a.type === 'directory' ? -1 : 1,
  );
  const title = escapeText(hrefFor(ctx.prefix, entry.path, true));
  const rows = children.map((c) => {
    const href = escapeAttr(hrefFor(ctx.prefix, c.path, c.type === 'directory'));
    const label = escapeText(c.name + (c.type === 'directory' ? '/' : ''));
    return `<li><a href="${href}">${label}</a></li>`;
  });
  const up = entry.path === '/' ? '' : `<li><a href="../">../</a></li>`;
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><ul>${up}${rows.join('')}</ul></body></html>\n`;
  sendBody(ctx, 200, html, 'text/html; charset=utf-8', headers);
}
