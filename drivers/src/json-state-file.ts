import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

import { DriverFailedError } from './errors.js';

let tmpCounter = 0;

/** Reads a JSON state file; null when it does not exist. @throws DriverFailedError when it is not valid JSON. */
export async function readJsonState(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT')
      return null;
    throw new DriverFailedError(`cannot read the simulation state ${path}`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DriverFailedError(`the simulation state ${path} is not valid JSON; delete it to start afresh`, {
      cause: error,
    });
  }
}

/**
 * Reads a JSON state file that must pass `isState`; null when it does not exist.
 * @throws DriverFailedError when it is not valid JSON or not a `what` (named in the message).
 */
export async function readJsonStateOf<T>(
  path: string,
  isState: (value: unknown) => value is T,
  what: string,
): Promise<T | null> {
  const stored = await readJsonState(path);
  if (stored !== null && !isState(stored)) {
    throw new DriverFailedError(`${path} is not ${what}; delete it to start afresh`);
  }
  return stored;
}

/** Writes a JSON state file atomically: a temporary file in the same directory, fsync, rename over the target. */
export async function writeJsonState(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  tmpCounter += 1;
  const tmp = `${path}.tmp-${process.pid}-${tmpCounter}`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}
