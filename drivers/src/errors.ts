/**
 * Driver errors. Every error a driver throws on purpose is a {@link DriverError} with a stable
 * UPPER_SNAKE `code`; the server maps errors by `code` (STYLE.md section 2), never by class.
 * Anything else escaping a driver is a bug.
 */

/** Every code a driver throws, for the server's error-mapping table and its catalogue test. */
export const DRIVER_ERROR_CODES = [
  'DRIVER_UNAVAILABLE',
  'DRIVER_TIMEOUT',
  'DRIVER_FAILED',
  'CONFIRMATION_REQUIRED',
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'FORBIDDEN',
] as const;

/** One of {@link DRIVER_ERROR_CODES}. */
export type DriverErrorCode = (typeof DRIVER_ERROR_CODES)[number];

/** Options shared by every driver error. */
export interface DriverErrorOptions {
  /** Machine-readable context (user-safe: no secrets, no file contents). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** The lower-level error this one translates. */
  readonly cause?: unknown;
}

/** Base class of all driver errors: a stable `code`, a user-safe message, optional `details` and a `cause`. */
export class DriverError extends Error {
  readonly code: DriverErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: DriverErrorCode, message: string, options: DriverErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }
}

/** A tool is missing or a device/file cannot be read. The message names what is missing. */
export class DriverUnavailableError extends DriverError {
  constructor(message: string, options?: DriverErrorOptions) {
    super('DRIVER_UNAVAILABLE', message, options);
  }
}

/** A command did not finish within its timeout. */
export class DriverTimeoutError extends DriverError {
  constructor(message: string, options?: DriverErrorOptions) {
    super('DRIVER_TIMEOUT', message, options);
  }
}

/** A command or a sysfs write failed, or returned output that cannot be parsed. */
export class DriverFailedError extends DriverError {
  constructor(message: string, options?: DriverErrorOptions) {
    super('DRIVER_FAILED', message, options);
  }
}

/**
 * A destructive action needs a second call. `details` holds `confirmToken`, `expiresAt` (ISO time)
 * and `howToConfirm`; the message says "repeat the request with confirmToken=<token>".
 */
export class ConfirmationRequiredError extends DriverError {
  constructor(message: string, options?: DriverErrorOptions) {
    super('CONFIRMATION_REQUIRED', message, options);
  }
}

/** The caller's input is invalid (unknown governor, PWM out of range, bad RAID level...). */
export class DriverValidationError extends DriverError {
  constructor(message: string, options?: DriverErrorOptions) {
    super('VALIDATION_FAILED', message, options);
  }
}

/** The array, disk, fan, sensor or profile does not exist. */
export class DriverNotFoundError extends DriverError {
  constructor(message: string, options?: DriverErrorOptions) {
    super('NOT_FOUND', message, options);
  }
}

/** The action is refused whatever the confirmation, e.g. it would touch the disk holding the running system. */
export class DriverForbiddenError extends DriverError {
  constructor(message: string, options?: DriverErrorOptions) {
    super('FORBIDDEN', message, options);
  }
}

/** True when `error` is a {@link DriverError} (any subclass), optionally with the given code. */
export function isDriverError(error: unknown, code?: DriverErrorCode): error is DriverError {
  return error instanceof DriverError && (code === undefined || error.code === code);
}
