import { ValidationError } from '../errors/index.js';

const MAX_SEGMENT_BYTES = 255;
const MAX_PATH_BYTES = 4096;
// C0 controls and DEL: a NUL would truncate the path in the kernel, the others break clients and logs.
const hasControl = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
};
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Splits a namespace path (already percent-decoded by the protocol) into NFC-normalised segments.
 * Refuses rather than resolves anything that could step outside: `.` and `..` segments, backslashes, control
 * characters (NUL included), over-long names and paths. `/a//b/` is `['a', 'b']`.
 * @throws ValidationError
 */
export function parseNamespacePath(raw: string): string[] {
  if (typeof raw !== 'string') throw new ValidationError('The path must be a string.');
  if (hasControl(raw)) throw new ValidationError('The path contains a control character.');
  if (raw.includes('\\')) throw new ValidationError('The path contains a backslash; use / between folders.');
  const normalised = raw.normalize('NFC');
  if (Buffer.byteLength(normalised) > MAX_PATH_BYTES) throw new ValidationError('The path is too long.');
  // Lone surrogates cannot be stored as UTF-8 names.
  if (LONE_SURROGATE.test(normalised)) throw new ValidationError('The path is not valid Unicode.');
  const segments = normalised.split('/').filter((s) => s.length > 0);
  for (const segment of segments) {
    if (segment === '.' || segment === '..')
      throw new ValidationError('The path may not contain . or .. segments.');
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)
      throw new ValidationError('A name in the path is longer than 255 bytes.');
  }
  return segments;
}

export function joinNamespacePath(segments: readonly string[]): string {
  return `/${segments.join('/')}`;
}

/** Whether a name is macOS metadata that Finder writes everywhere (`._name` AppleDouble files, `.DS_Store`). */
export function isMacMetadata(name: string): boolean {
  return name === '.DS_Store' || name.startsWith('._');
}
