import type { StorageErrorCode } from '../ports.js';

/**
 * An HTTP answer decided by the adapter itself (a malformed header, a body too large, a failed If header).
 * The handler writes `status` with `body` (XML when `isXml`, else plain text) and `headers`.
 */
export class DavError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: {
      readonly body?: string;
      readonly isXml?: boolean;
      readonly headers?: Readonly<Record<string, string>>;
      /** Close the connection after answering: the request body was not (fully) read. */
      readonly closeConnection?: boolean;
    } = {},
  ) {
    super(message);
    this.name = 'DavError';
  }
}

/**
 * The one error-to-status table of the WebDAV edge (STYLE.md section 2). Errors are matched by `code`, never by
 * class; ALREADY_EXISTS depends on the method (see {@link statusForCode}).
 */
export const STATUS_BY_CODE: Readonly<Record<StorageErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  LOCKED: 423,
  TOO_MANY_REQUESTS: 429,
  QUOTA_EXCEEDED: 507,
};

export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = err.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

function isKnownCode(code: string): code is StorageErrorCode {
  return Object.hasOwn(STATUS_BY_CODE, code);
}

/** The status for a core error answered to `method`, or null for an unknown error (a bug: 500). */
export function statusForCode(code: string | undefined, method: string): number | null {
  if (code === undefined || !isKnownCode(code)) return null;
  if (code === 'ALREADY_EXISTS') {
    // RFC 4918 9.3.1: MKCOL on an existing resource is 405; 10.6: Overwrite: F onto an existing target is 412.
    if (method === 'MKCOL') return 405;
    if (method === 'COPY' || method === 'MOVE') return 412;
  }
  return STATUS_BY_CODE[code];
}

export function retryAfterSeconds(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'retryAfterSeconds' in err) {
    const value = err.retryAfterSeconds;
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.ceil(value);
  }
  return undefined;
}
