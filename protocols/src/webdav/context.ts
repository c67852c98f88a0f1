import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthPort, Caller, LockInfo, StorageEntry, StoragePort } from '../ports.js';
import { DavError, errorCode } from './errors.js';
import { evaluatePreconditions } from './headers.js';
import { evaluateList, parseIfHeader, submittedTokens, type IfList } from './if-header.js';
import { resolveUrlReference, type ResolvedPath } from './paths.js';
import { parseXml, XmlParseError, type XmlElement } from './xml.js';

export interface WebdavLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface WebdavOptions {
  readonly storage: StoragePort;
  readonly auth: AuthPort;
  /** `/dav`: URLs are `/dav/<namespace path>`; `/dav/` is the caller's namespace root, `/dav/home/` their home. */
  readonly prefix: string;
  readonly logger: WebdavLogger;
  /** Largest body accepted for every method but PUT (PROPFIND, PROPPATCH, LOCK, ...), bytes; default 1 MiB. */
  readonly maxXmlBodyBytes?: number;
  /** Basic realm; default 'BaluHost'. */
  readonly realm?: string;
  /** Metrics hook, called once per request when the response is finished or the connection closed. */
  readonly onRequestDone?: (info: {
    method: string;
    status: number;
    durationMs: number;
    bytesIn: number;
    bytesOut: number;
  }) => void;
}

/** Everything a method handler needs about one authenticated request. */
export interface DavContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly caller: Caller;
  readonly storage: StoragePort;
  readonly prefix: string;
  readonly logger: WebdavLogger;
  readonly maxXmlBodyBytes: number;
  /** The request URI as a namespace path. */
  readonly target: ResolvedPath;
  /** Set by COPY/MOVE so that a 423 can name the destination's lock. */
  destination: string | null;
  bytesIn: number;
  bytesOut: number;
}

export function header(ctx: DavContext, name: string): string | undefined {
  const v = ctx.req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Whether the request announces a body (Content-Length > 0 or a transfer coding). */
export function hasRequestBody(ctx: DavContext): boolean {
  const length = ctx.req.headers['content-length'];
  if (length !== undefined && length.trim() !== '0') return true;
  return ctx.req.headers['transfer-encoding'] !== undefined;
}

/** Requests whose client waits for `100 Continue` before it sends the body, and has not been sent one yet. */
const awaitingContinue = new WeakSet<IncomingMessage>();

/**
 * For a server's `checkContinue` event: this request's client sent `Expect: 100-continue`, and the WebDAV handler
 * is to send `100 Continue` itself once it wants the body, that is after authentication and the checks that may
 * refuse it. A refused upload (401, 403, 413, 423, 507...) is then answered before its body is sent at all,
 * instead of the client sending it to a server that has already decided. Until then the response carries
 * `Connection: close`: a client that gets a final answer without a 100 does not send the body it announced.
 */
export function expectsContinue(req: IncomingMessage, res: ServerResponse): void {
  awaitingContinue.add(req);
  res.setHeader('Connection', 'close');
}

/** Sends `100 Continue` if the client is waiting for it (see {@link expectsContinue}); call before reading a body. */
export function continueBody(ctx: Pick<DavContext, 'req' | 'res'>): void {
  if (!awaitingContinue.delete(ctx.req)) return;
  if (ctx.res.headersSent) return;
  ctx.res.removeHeader('Connection');
  ctx.res.writeContinue();
}

/**
 * Reads a non-PUT request body, at most `maxXmlBodyBytes`: a larger Content-Length is refused before reading
 * a byte, and a chunked body is counted as it comes and refused as soon as it passes the cap (413, connection
 * closed, so the rest is never read).
 */
export async function readSmallBody(ctx: DavContext): Promise<Buffer> {
  const { req } = ctx;
  if (!hasRequestBody(ctx)) return Buffer.alloc(0);
  const limit = ctx.maxXmlBodyBytes;
  const tooLarge = (): DavError => new DavError(413, 'request body too large', { closeConnection: true });
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw tooLarge();
  continueBody(ctx);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      ctx.bytesIn += chunk.length;
      if (total > limit) {
        cleanup();
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, total));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onAborted = (): void => {
      cleanup();
      reject(new Error('client aborted the request body'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads and parses an XML body; null when there is none. Malformed XML, a DOCTYPE or bad UTF-8 is a 400. */
export async function readXmlBody(ctx: DavContext): Promise<XmlElement | null> {
  const body = await readSmallBody(ctx);
  if (body.length === 0) return null;
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new DavError(400, 'request body is not UTF-8');
  }
  if (text.trim() === '') return null;
  try {
    return parseXml(text);
  } catch (err) {
    if (err instanceof XmlParseError) throw new DavError(400, `malformed XML body: ${err.message}`);
    throw err;
  }
}

/** The request's If header lists, parsed once. */
export function ifLists(ctx: DavContext): IfList[] {
  const value = header(ctx, 'if');
  return value === undefined ? [] : parseIfHeader(value);
}

/** The lock tokens the client submitted in its If header, passed to every mutation as `lockTokens`. */
export function lockTokensOf(ctx: DavContext): string[] {
  return submittedTokens(ifLists(ctx));
}

async function statOrNull(ctx: DavContext, path: string): Promise<StorageEntry | null> {
  try {
    return await ctx.storage.stat(ctx.caller, path);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'NOT_FOUND' || code === 'FORBIDDEN' || code === 'CONFLICT') return null;
    throw err;
  }
}

async function locksOrEmpty(ctx: DavContext, path: string): Promise<LockInfo[]> {
  try {
    return await ctx.storage.locksFor(ctx.caller, path);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'NOT_FOUND' || code === 'FORBIDDEN' || code === 'CONFLICT') return [];
    throw err;
  }
}

/**
 * Evaluates the If header (RFC 4918 10.4): true when any list holds for the resource it names (the request URI
 * for untagged lists). A state token holds when it is a current lock covering that resource; an entity tag when
 * it is the resource's. A tag naming a resource outside this tree holds for nothing. False is a 412. Whether the
 * right lock token was submitted for a mutation is the core's decision (it gets every submitted token).
 */
export async function checkIfHeader(ctx: DavContext): Promise<void> {
  const lists = ifLists(ctx);
  if (lists.length === 0) return;
  const states = new Map<string, { etag: string | null; lockTokens: string[] }>();
  const stateOf = async (path: string): Promise<{ etag: string | null; lockTokens: string[] }> => {
    let state = states.get(path);
    if (!state) {
      const [entry, locks] = await Promise.all([statOrNull(ctx, path), locksOrEmpty(ctx, path)]);
      state = { etag: entry?.etag ?? null, lockTokens: locks.map((l) => l.token) };
      states.set(path, state);
    }
    return state;
  };
  for (const list of lists) {
    let path: string | null = ctx.target.path;
    if (list.resourceTag !== null) {
      try {
        path = resolveUrlReference(list.resourceTag, ctx.req.headers.host, ctx.prefix).path;
      } catch {
        path = null;
      }
    }
    const state = path === null ? { etag: null, lockTokens: [] } : await stateOf(path);
    if (evaluateList(list, state)) return;
  }
  throw new DavError(412, 'no list of the If header holds');
}

const HTTP_PRECONDITIONS = ['if-match', 'if-none-match', 'if-unmodified-since'] as const;

/**
 * RFC 9110 preconditions (If-Match, If-None-Match, If-Unmodified-Since) on a method other than GET, HEAD and PUT
 * (PUT hands its tags to the core, which checks them in the same step as the write): 412 when they fail.
 */
export async function checkHttpPreconditions(ctx: DavContext): Promise<void> {
  if (!HTTP_PRECONDITIONS.some((name) => ctx.req.headers[name] !== undefined)) return;
  const entry = await statOrNull(ctx, ctx.target.path);
  if (evaluatePreconditions(ctx.req.headers, entry, false) !== null) {
    throw new DavError(412, 'precondition failed');
  }
}

/** Both kinds of condition a mutation may carry: the If header (RFC 4918) and the HTTP ones (RFC 9110). */
export async function checkConditions(ctx: DavContext): Promise<void> {
  await checkHttpPreconditions(ctx);
  await checkIfHeader(ctx);
}
