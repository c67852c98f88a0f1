import assert from 'node:assert/strict';

import { isDriverError } from '../../src/errors.js';

/** Runs a destructive call twice, as a client would: first without a token, then with the one it was given. */
export async function confirmed<T>(call: (confirmToken?: string) => Promise<T>): Promise<T> {
  const token = await confirmationTokenOf(call(undefined));
  return call(token);
}

/** Awaits a call that must throw CONFIRMATION_REQUIRED and returns the token it carries. */
export async function confirmationTokenOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(
      isDriverError(error, 'CONFIRMATION_REQUIRED'),
      `expected CONFIRMATION_REQUIRED, got ${String(error)}`,
    );
    const token = error.details?.confirmToken;
    assert.equal(typeof token, 'string');
    return token as string;
  }
  assert.fail('expected CONFIRMATION_REQUIRED, the call succeeded');
}

/** Asserts that `promise` rejects with a driver error of `code`, and returns it. */
export async function rejectsWithCode(
  promise: Promise<unknown>,
  code: string,
): Promise<Error & { details?: Readonly<Record<string, unknown>> }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isDriverError(error), `expected a DriverError ${code}, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}, the call succeeded`);
}
