import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from '../logging/logger.js';
import { AppError, isAppError, statusForCode } from '../errors/index.js';
import type { RequestOrigin } from '../auth/index.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** Request id: the client's X-Request-Id when sane, else generated. */
    id: string;
    log: Logger;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Request id in and out, and a child logger per request. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    req.id = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    req.log = logger.child({ reqId: req.id }, true);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      req.log.debug(
        {
          method: req.method,
          url: req.originalUrl,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request done',
      );
    });
    next();
  };
}

export function originOf(req: Request, protocol: RequestOrigin['protocol'] = 'api'): RequestOrigin {
  return {
    protocol,
    address: req.ip ?? req.socket.remoteAddress ?? null,
    reqId: req.id,
    userAgent: req.get('user-agent') ?? null,
  };
}

/** Maps body-parser's errors onto codes, then every error onto `{error: {code, message, details?, requestId}}`. */
export function errorHandler(): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const appError = toAppError(err);
    const status = appError ? statusForCode(appError.code) : 500;
    if (!appError) {
      req.log.error({ err }, 'unhandled error');
    } else if (status >= 500) {
      req.log.error({ err: appError, cause: appError.cause }, 'request failed');
    }
    if (appError?.retryAfterSeconds !== undefined)
      res.setHeader('Retry-After', String(appError.retryAfterSeconds));
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="baluhost"');
    res.status(status).json({
      error: {
        code: appError?.code ?? 'INTERNAL',
        // A 5xx never echoes internals: only messages written for users.
        message:
          appError?.message ?? 'Something went wrong on the server. The request id finds it in the log.',
        ...(appError?.details !== undefined ? { details: appError.details } : {}),
        requestId: req.id,
      },
    });
  };
}

function toAppError(err: unknown): AppError | null {
  if (isAppError(err)) return err;
  if (typeof err === 'object' && err !== null && 'type' in err) {
    switch (err.type) {
      case 'entity.parse.failed':
        return new AppError('MALFORMED_JSON', 'The request body is not valid JSON.', { cause: err });
      case 'entity.too.large':
        return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large.', { cause: err });
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new AppError('UNSUPPORTED_MEDIA_TYPE', 'The request body uses an unsupported encoding.', {
          cause: err,
        });
      default:
        return null;
    }
  }
  return null;
}
