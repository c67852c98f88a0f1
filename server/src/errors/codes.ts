/**
 * Every error code BaluHost answers with, its HTTP status on the admin API, and what it means.
 * docs/errors.md lists the same codes; a test keeps the two in step.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: {
    status: 400,
    meaning: 'The request is malformed or a field is invalid; details name the fields.',
  },
  MALFORMED_JSON: { status: 400, meaning: 'The body is not valid JSON.' },
  UNAUTHENTICATED: { status: 401, meaning: 'No valid credentials or token: log in again.' },
  INVALID_CREDENTIALS: { status: 401, meaning: 'Wrong username or password.' },
  TOTP_REQUIRED: {
    status: 401,
    meaning: 'The password is right, but two-factor login is on: send totpCode or recoveryCode as well.',
  },
  FORBIDDEN: { status: 403, meaning: 'Authenticated, but not allowed to do this.' },
  NOT_FOUND: { status: 404, meaning: 'No such resource, or no such API route.' },
  METHOD_NOT_ALLOWED: { status: 405, meaning: 'The resource does not support this method.' },
  ALREADY_EXISTS: { status: 409, meaning: 'Something with that name already exists.' },
  CONFLICT: {
    status: 409,
    meaning: 'The request conflicts with the current state (for example removing the last admin).',
  },
  PRECONDITION_FAILED: {
    status: 412,
    meaning: 'A condition of the request (If-Match, If-None-Match, a lock token) does not hold.',
  },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The body is larger than this route accepts.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'The body has a content type this route does not accept.' },
  LOCKED: { status: 423, meaning: 'The resource is locked by someone else.' },
  CONFIRMATION_REQUIRED: {
    status: 428,
    meaning: 'A destructive action needs a second request with the confirmation token given.',
  },
  TOO_MANY_REQUESTS: {
    status: 429,
    meaning: 'Too many requests or failed logins; retry after the Retry-After seconds.',
  },
  INTERNAL: { status: 500, meaning: 'A bug or an unexpected failure; the request id finds it in the log.' },
  DRIVER_UNAVAILABLE: {
    status: 503,
    meaning: 'A hardware tool or device is missing or unreadable; the message says which.',
  },
  DRIVER_FAILED: { status: 503, meaning: 'A hardware tool failed; the message says how.' },
  SERVICE_UNAVAILABLE: { status: 503, meaning: 'A dependency (such as the database) is not reachable.' },
  DRIVER_TIMEOUT: { status: 504, meaning: 'A hardware tool did not answer in time.' },
  QUOTA_EXCEEDED: { status: 507, meaning: 'The upload would exceed a quota; nothing was stored.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function statusForCode(code: string): number {
  return (ERROR_CODES as Record<string, { status: number } | undefined>)[code]?.status ?? 500;
}
