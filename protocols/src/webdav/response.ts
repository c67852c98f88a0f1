import type { ServerResponse } from 'node:http';
import type { DavContext } from './context.js';
import { XML_DECLARATION } from './properties.js';

/** The part of a request context that answering needs (also available before authentication). */
export interface Responder {
  readonly res: ServerResponse;
  readonly method: string;
  bytesOut: number;
}

/** Writes a complete response with a small body (or none). */
export function sendBody(
  ctx: Responder,
  status: number,
  body: string,
  contentType: string | null,
  headers: Readonly<Record<string, string>> = {},
): void {
  const { res } = ctx;
  if (res.headersSent || res.destroyed) return;
  const buffer = Buffer.from(body, 'utf8');
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (contentType !== null && buffer.length > 0) res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', buffer.length);
  ctx.bytesOut += ctx.method === 'HEAD' ? 0 : buffer.length;
  res.end(ctx.method === 'HEAD' ? undefined : buffer);
}

export function sendEmpty(
  ctx: DavContext,
  status: number,
  headers: Readonly<Record<string, string>> = {},
): void {
  sendBody(ctx, status, '', null, headers);
}

export function sendXml(
  ctx: Responder,
  status: number,
  xml: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  sendBody(ctx, status, XML_DECLARATION + xml, 'application/xml; charset=utf-8', headers);
}

/** `<D:error><D:condition/>...</D:error>`, RFC 4918 16. */
export function errorXml(conditionXml: string): string {
  return `<D:error xmlns:D="DAV:">${conditionXml}</D:error>`;
}

/**
 * Writes a chunk of a streamed response, waiting for 'drain' when the socket's buffer is full so that a slow
 * client cannot make the server buffer a whole multistatus.
 */
export async function writeChunk(ctx: DavContext, chunk: string): Promise<void> {
  const { res } = ctx;
  if (res.destroyed) throw new Error('client went away');
  const buffer = Buffer.from(chunk, 'utf8');
  ctx.bytesOut += buffer.length;
  if (res.write(buffer)) return;
  await new Promise<void>((resolve, reject) => {
    const onDrain = (): void => {
      res.off('close', onClose);
      resolve();
    };
    const onClose = (): void => {
      res.off('drain', onDrain);
      reject(new Error('client went away'));
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/** Lets other requests run: PROPFIND of a big collection yields every few hundred entries. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
