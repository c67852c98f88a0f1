import { HttpErrorResponse } from '@angular/common/http';
import type { AbstractControl, FormGroup } from '@angular/forms';

/** One field problem from a VALIDATION_FAILED answer. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** What the UI needs from a failed request: the server's message for people, its stable code, field problems. */
export interface ApiProblem {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly details: readonly FieldProblem[];
  readonly requestId: string | null;
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown; requestId?: unknown };
}

/** Reads the API's `{error: {code, message, details?, requestId}}` out of any failure. */
export function toApiProblem(err: unknown): ApiProblem {
  if (err instanceof HttpErrorResponse) {
    const body = (typeof err.error === 'object' && err.error !== null ? err.error : {}) as ErrorBody;
    const e = body.error;
    if (e && typeof e.message === 'string') {
      return {
        status: err.status,
        code: typeof e.code === 'string' ? e.code : 'UNKNOWN',
        message: e.message,
        details: Array.isArray(e.details) ? e.details.filter(isFieldProblem) : [],
        requestId: typeof e.requestId === 'string' ? e.requestId : null,
      };
    }
    return {
      status: err.status,
      code: err.status === 0 ? 'NETWORK' : 'UNKNOWN',
      message:
        err.status === 0
          ? 'The server cannot be reached. Check the connection and try again.'
          : `The server answered with status ${err.status}.`,
      details: [],
      requestId: null,
    };
  }
  return {
    status: 0,
    code: 'CLIENT',
    message: err instanceof Error ? err.message : 'Something went wrong.',
    details: [],
    requestId: null,
  };
}

function isFieldProblem(value: unknown): value is FieldProblem {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as FieldProblem).field === 'string' &&
    typeof (value as FieldProblem).message === 'string'
  );
}

/**
 * Puts the server's field problems onto the form's controls as a `server` error (shown by mat-error).
 * `aliases` maps server field names onto control names where they differ. Returns whether any field matched.
 */
export function applyFieldProblems(
  form: FormGroup,
  problem: ApiProblem,
  aliases: Readonly<Record<string, string>> = {},
): boolean {
  let matched = false;
  for (const detail of problem.details) {
    const name = aliases[detail.field] ?? detail.field;
    const control: AbstractControl | null = form.get(name);
    if (control) {
      control.setErrors({ ...(control.errors ?? {}), server: detail.message });
      control.markAsTouched();
      matched = true;
    }
  }
  return matched;
}

/**
 * The token of a 428 CONFIRMATION_REQUIRED answer (`error.details.confirmToken`), with the server's message
 * that says what will happen; null for any other failure.
 */
export function confirmationOf(err: unknown): { readonly token: string; readonly message: string } | null {
  if (!(err instanceof HttpErrorResponse) || err.status !== 428) return null;
  const body = (typeof err.error === 'object' && err.error !== null ? err.error : {}) as ErrorBody;
  const e = body.error;
  if (e?.code !== 'CONFIRMATION_REQUIRED' || typeof e.details !== 'object' || e.details === null) return null;
  const token = (e.details as { confirmToken?: unknown }).confirmToken;
  if (typeof token !== 'string') return null;
  return { token, message: typeof e.message === 'string' ? e.message : 'Confirm this change.' };
}
