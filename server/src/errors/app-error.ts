import type { ErrorCode } from './codes.js';

export interface AppErrorOptions {
  readonly details?: unknown;
  readonly cause?: unknown;
  /** Seconds after which a retry may succeed (429, 503). */
  readonly retryAfterSeconds?: number;
}

/**
 * A domain error: a stable code, a message safe to show a user, optional details and the cause.
 * Any error that is not an AppError is a bug and answers 500.
 */
export class AppError extends Error {
  readonly details: unknown;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super('VALIDATION_FAILED', message, options);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Authentication required.', options?: AppErrorOptions) {
    super('UNAUTHENTICATED', message, options);
  }
}

export class InvalidCredentialsError extends AppError {
  constructor(options?: AppErrorOptions) {
    super('INVALID_CREDENTIALS', 'Wrong username or password.', options);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this.', options?: AppErrorOptions) {
    super('FORBIDDEN', message, options);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super('NOT_FOUND', message, options);
  }
}

export class AlreadyExistsError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super('ALREADY_EXISTS', message, options);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super('CONFLICT', message, options);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(message: string, retryAfterSeconds: number, options?: AppErrorOptions) {
    super('TOO_MANY_REQUESTS', message, { ...options, retryAfterSeconds });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message: string, options?: AppErrorOptions) {
    super('SERVICE_UNAVAILABLE', message, options);
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
