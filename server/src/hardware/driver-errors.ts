import { isDriverError, type DriverErrorCode } from '@baluhost/drivers';
import { AppError, type ErrorCode } from '../errors/index.js';

/**
 * The drivers' codes on the admin API (STYLE.md section 2: one table per edge, mapped by code).
 * The statuses come from ERROR_CODES: DRIVER_UNAVAILABLE and DRIVER_FAILED 503, DRIVER_TIMEOUT 504,
 * CONFIRMATION_REQUIRED 428, VALIDATION_FAILED 400, NOT_FOUND 404, FORBIDDEN 403.
 */
export const DRIVER_ERROR_TO_API: Readonly<Record<DriverErrorCode, ErrorCode>> = {
  DRIVER_UNAVAILABLE: 'DRIVER_UNAVAILABLE',
  DRIVER_TIMEOUT: 'DRIVER_TIMEOUT',
  DRIVER_FAILED: 'DRIVER_FAILED',
  CONFIRMATION_REQUIRED: 'CONFIRMATION_REQUIRED',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
};

/** What the API adds to the drivers' "repeat the request with confirmToken=…". */
export const HOW_TO_SEND_CONFIRM_TOKEN =
  'Send it as the confirmToken field of the JSON body or as ?confirmToken= in the query string.';

/** Makes a driver's message a sentence: capital first letter, final full stop. */
function sentence(message: string): string {
  const trimmed = message.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/**
 * Translates a driver error into an AppError with the same meaning, keeping its message, details and
 * the driver error as `cause`. Anything that is not a driver error is returned unchanged (a bug: 500).
 */
export function translateDriverError(error: unknown): unknown {
  if (!isDriverError(error)) return error;
  const code = DRIVER_ERROR_TO_API[error.code];
  const message =
    code === 'CONFIRMATION_REQUIRED'
      ? `${sentence(error.message)} ${HOW_TO_SEND_CONFIRM_TOKEN}`
      : sentence(error.message);
  return new AppError(code, message, {
    cause: error,
    ...(error.details === undefined ? {} : { details: error.details }),
  });
}

/** Runs a driver call, translating its errors. */
export async function callDriver<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw translateDriverError(error);
  }
}
