import { access, readFile, readdir, writeFile } from 'node:fs/promises';

import { DriverFailedError, DriverUnavailableError } from './errors.js';

function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

/** Reads a sysfs/procfs text file, trimmed; null when it does not exist. Other read errors are thrown as DRIVER_UNAVAILABLE. */
export async function readTextOrNull(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new DriverUnavailableError(`cannot read ${path} (${code ?? 'error'})`, { cause: error });
  }
}

/** Reads a sysfs/procfs text file, trimmed. @throws DriverUnavailableError when it is missing or unreadable. */
export async function readText(path: string): Promise<string> {
  const text = await readTextOrNull(path);
  if (text === null) throw new DriverUnavailableError(`${path} does not exist`);
  return text;
}

/** Reads a file holding one integer; null when missing or not an integer. */
export async function readIntegerOrNull(path: string): Promise<number | null> {
  const text = await readTextOrNull(path);
  if (text === null || !/^-?\d+$/.test(text)) return null;
  return Number(text);
}

/** Lists a directory's entries; an empty list when it does not exist. */
export async function listDirOrEmpty(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new DriverUnavailableError(`cannot list ${path} (${code ?? 'error'})`, { cause: error });
  }
}

/**
 * Writes `value` to a sysfs/procfs attribute, as is (no newline: every kernel parser used here
 * accepts the bare value). Not atomic on purpose: a sysfs attribute is not a file to replace.
 * @throws DriverUnavailableError when the attribute does not exist or is not writable (EACCES/EPERM/EROFS).
 * @throws DriverFailedError when the kernel rejects the value (EINVAL, EBUSY...).
 */
export async function writeAttribute(path: string, value: string): Promise<void> {
  try {
    // The attribute must exist: creating a file would hide a wrong path. sysfs ignores the truncation of 'w'.
    await access(path);
    await writeFile(path, value, { flag: 'w' });
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new DriverUnavailableError(`cannot write ${path} (${code})`, { cause: error });
    }
    throw new DriverFailedError(
      `the kernel refused ${JSON.stringify(value)} for ${path} (${code ?? 'error'})`,
      {
        details: { path, value, errno: code },
        cause: error,
      },
    );
  }
}
