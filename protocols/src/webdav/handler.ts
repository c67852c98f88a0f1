import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../ports.js';
import type { DavContext, WebdavOptions } from './context.js';
import { DavError, errorCode, retryAfterSeconds, statusForCode } from './errors.js';
import { handleCopyMove } from './methods/copy-move.js';
import { handleDelete } from './methods/delete.js';
import { handleGet } from './methods/get.js';
import { handleLock, handleUnlock } from './methods/lock.js';
import { handleMkcol } from './methods/mkcol.js';
import { ALLOWED_METHODS, answerOptions } from './methods/options.js';
import { handlePropfind } from './methods/propfind.js';
import { handleProppatch } from './methods/proppatch.js';
import { handlePut } from './methods/put.js';
import { hrefFor, requestTargetPath, resolveUrlPath } from './paths.js';
import { errorXml, sendBody, sendXml, type Responder } from './response.js';
import { escapeText } from './xml.js';

const DEFAULT_MAX_XML_BODY_BYTES = 1024 * 1024;

type MethodHandler = (ctx: DavContext) => Promise<void>;

const METHODS: Readonly<Record<string, MethodHandler>> = {
  GET: handleGet,
  HEAD: handleGet,
  PUT: handlePut,
  MKCOL: handleMkcol,
  DELETE: handleDelete,
  COPY: handleCopyMove,
  MOVE: handleCopyMove,
  PROPFIND: handlePropfind,
  PROPPATCH: handleProppatch,
  LOCK: handleLock,
  UNLOCK: handleUnlock,
};

/** Methods of HTTP that this tree does not serve: 405 rather than 501. */
const KNOWN_UNSUPPORTED = new Set(['POST', 'PATCH', 'TRACE', 'CONNECT', 'SEARCH', 'REPORT', 'ACL', 'BIND']);

/** Parses `Authorization: Basic ...`; null when absent or malformed. Credentials are UTF-8 (RFC 7617 charset). */
function parseBasic(value: string | undefined): { username: string; password: string } | null {
  if (value === undefined) return null;
  const m = /^\s*Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The WebDAV endpoint: `(req, res) => void` for Node's http server (or Express, mounted so that it never touches
 * the body). It never throws and never leaves a request unanswered: every error becomes a status, and a failure
 * after the headers went out destroys the socket so the client sees a broken transfer rather than a short one.
 */
export function createWebdavHandler(
  options: WebdavOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const prefix = options.prefix.replace(/\/+$/, '');
  const realm = (options.realm ?? 'BaluHost').replace(/["\\]/g, '');
  const maxXmlBodyBytes = options.maxXmlBodyBytes ?? DEFAULT_MAX_XML_BODY_BYTES;
  const { logger, storage, auth } = options;

  return (req, res) => {
    const started = process.hrtime.bigint();
    const method = (req.method ?? 'GET').toUpperCase();
    const reqIdHeader = req.headers['x-request-id'];
    const reqId =
      typeof reqIdHeader === 'string' && /^[\w.-]{1,100}$/.test(reqIdHeader) ? reqIdHeader : randomUUID();
    let ctx: DavContext | null = null;
    let username: string | null = null;
    let logPath = '';
    let done = false;
    res.once('close', () => {
      if (done) return;
      done = true;
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const status = res.writableFinished ? res.statusCode : 499;
      const info = {
        method,
        status,
        durationMs,
        bytesIn: ctx?.bytesIn ?? 0,
        bytesOut: ctx?.bytesOut ?? 0,
      };
      logger.debug(
        { reqId, method, path: logPath, user: username, status, ms: Math.round(durationMs) },
        'webdav request',
      );
      try {
        options.onRequestDone?.(info);
      } catch (err) {
        logger.warn({ err, reqId }, 'webdav metrics hook failed');
      }
    });

    const fail = (err: unknown): void => {
      try {
        answerError(err);
      } catch (inner) {
        logger.error({ err: inner, reqId }, 'webdav error handler failed');
        res.destroy();
      }
    };

    const answerError = (err: unknown): void => {
      if (res.headersSent || res.destroyed) {
        // Too late for a status: cut the connection so the client knows the body is incomplete.
        if (!isClientGone(err))
          logger.warn({ err, reqId, method, path: logPath }, 'webdav response failed mid-stream');
        res.destroy();
        return;
      }
      const bodyUnread = !req.complete;
      if (bodyUnread) res.setHeader('Connection', 'close');
      const fake: Responder = ctx ?? { res, method, bytesOut: 0 };
      if (err instanceof DavError) {
        if (err.extra.closeConnection) res.setHeader('Connection', 'close');
        if (err.extra.body !== undefined) {
          const type = err.extra.isXml ? 'application/xml; charset=utf-8' : 'text/plain; charset=utf-8';
          sendBody(fake, err.status, err.extra.body, type, err.extra.headers);
        } else {
          sendBody(fake, err.status, err.message + '\n', 'text/plain; charset=utf-8', err.extra.headers);
        }
        return;
      }
      const code = errorCode(err);
      const status = statusForCode(code, method);
      if (status === null) {
        if (isClientGone(err)) {
          res.destroy();
          return;
        }
        logger.error({ err, reqId, method, path: logPath, user: username }, 'webdav request failed');
        sendBody(fake, 500, 'Internal Server Error\n', 'text/plain; charset=utf-8');
        return;
      }
      if (status >= 500) logger.warn({ err, reqId, method, path: logPath, code }, 'webdav request refused');
      if (status === 401) {
        sendBody(fake, 401, 'Unauthorized\n', 'text/plain; charset=utf-8', challenge());
        return;
      }
      if (status === 429) {
        sendBody(fake, 429, 'Too Many Requests\n', 'text/plain; charset=utf-8', {
          'Retry-After': String(retryAfterSeconds(err) ?? 60),
        });
        return;
      }
      if (status === 423 && ctx !== null) {
        void answerLocked(ctx);
        return;
      }
      const message = err instanceof Error && err.message ? err.message : 'request failed';
      sendBody(fake, status, message + '\n', 'text/plain; charset=utf-8');
    };

    /** 423 with the lock roots that block the request, where they can be found (RFC 4918 9.10.6 / 16). */
    const answerLocked = async (c: DavContext): Promise<void> => {
      const hrefs = new Set<string>();
      for (const path of [c.target.path, c.destination]) {
        if (path === null) continue;
        try {
          for (const lock of await storage.locksFor(c.caller, path))
            hrefs.add(hrefFor(prefix, lock.root, false));
        } catch {
          // The body is a courtesy: the status says it all.
        }
      }
      const inner = [...hrefs].map((h) => `<D:href>${escapeText(h)}</D:href>`).join('');
      sendXml(c, 423, errorXml(`<D:lock-token-submitted>${inner}</D:lock-token-submitted>`));
    };

    const challenge = (): Record<string, string> => ({
      'WWW-Authenticate': `Basic realm="${realm}", charset="UTF-8"`,
    });

    const run = async (): Promise<void> => {
      const rawPath = requestTargetPath(req.url ?? '/');
      logPath = rawPath;
      if (
        method === 'OPTIONS' &&
        (rawPath === '/' || rawPath === '*' || rawPath === prefix || rawPath.startsWith(prefix + '/'))
      ) {
        answerOptions(res);
        return;
      }
      const target = resolveUrlPath(rawPath, prefix);
      if (target === null) throw new DavError(404, 'not found');
      logPath = target.path;

      const credentials = parseBasic(req.headers.authorization);
      if (credentials === null) {
        throw new DavError(401, 'authentication required', { headers: challenge() });
      }
      const caller: Caller = await auth.authenticateBasic(credentials.username, credentials.password, {
        address: req.socket.remoteAddress ?? null,
        reqId,
        userAgent: req.headers['user-agent'] ?? null,
      });
      username = caller.username;
      const context: DavContext = {
        req,
        res,
        method,
        caller,
        storage,
        prefix,
        logger,
        maxXmlBodyBytes,
        target,
        destination: null,
        bytesIn: 0,
        bytesOut: 0,
      };
      ctx = context;
      const handler = METHODS[method];
      if (handler === undefined) {
        if (KNOWN_UNSUPPORTED.has(method))
          throw new DavError(405, 'method not allowed', { headers: { Allow: ALLOWED_METHODS } });
        throw new DavError(501, 'method not implemented');
      }
      await handler(context);
    };

    run().catch(fail);
  };
}

function isClientGone(err: unknown): boolean {
  const code = errorCode(err);
  return (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'ERR_STREAM_DESTROYED'
  );
}
