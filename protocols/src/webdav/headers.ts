import type { ByteRange, StorageEntry } from '../ports.js';
import { DavError } from './errors.js';

export type Depth = 0 | 1 | 'infinity';

/** The Depth header; `fallback` when absent. A value other than 0, 1 or infinity is a 400. */
export function parseDepth(value: string | undefined, fallback: Depth): Depth {
  if (value === undefined) return fallback;
  const v = value.trim().toLowerCase();
  if (v === '0') return 0;
  if (v === '1') return 1;
  if (v === 'infinity') return 'infinity';
  throw new DavError(400, 'invalid Depth header');
}

/** The Overwrite header: T (default) or F. */
export function parseOverwrite(value: string | undefined): boolean {
  if (value === undefined) return true;
  const v = value.trim().toUpperCase();
  if (v === 'T') return true;
  if (v === 'F') return false;
  throw new DavError(400, 'invalid Overwrite header');
}

export const DEFAULT_LOCK_TIMEOUT_SECONDS = 3600;
export const MAX_LOCK_TIMEOUT_SECONDS = 86_400;

/**
 * The Timeout header of LOCK (RFC 4918 10.7): a list of `Second-N` and `Infinite`; the first one understood wins,
 * capped at a day (`Infinite` is the cap). Absent or not understood: an hour.
 */
export function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LOCK_TIMEOUT_SECONDS;
  for (const part of value.split(',')) {
    const v = part.trim();
    if (/^infinite$/i.test(v)) return MAX_LOCK_TIMEOUT_SECONDS;
    const m = /^second-(\d{1,12})$/i.exec(v);
    if (m) return Math.max(1, Math.min(Number(m[1]), MAX_LOCK_TIMEOUT_SECONDS));
  }
  return DEFAULT_LOCK_TIMEOUT_SECONDS;
}

export type RangeResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'range'; readonly range: ByteRange }
  | { readonly kind: 'unsatisfiable' };

/**
 * A `Range: bytes=...` header for a representation of `size` bytes (RFC 9110 14.2). One range: `a-b`, `a-` or
 * `-n`. A header that is not a single bytes range (other units, several ranges, a syntax error) is ignored and
 * the whole representation served, which RFC 9110 allows ("a server MAY ignore the Range header field").
 */
export function parseRange(value: string | undefined, size: number): RangeResult {
  if (value === undefined) return { kind: 'none' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(value);
  if (!m) return { kind: 'none' };
  const first = m[1] ?? '';
  const last = m[2] ?? '';
  if (first === '' && last === '') return { kind: 'none' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', range: { start: Math.max(0, size - suffix), end: size - 1 } };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Number(last);
  if (last !== '' && end < start) return { kind: 'none' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', range: { start, end: Math.min(end, size - 1) } };
}

/**
 * The range a GET asked for, as it applies to `entry`: `Range` unless `If-Range` names another version of it (then
 * the whole representation).
 */
export function requestedRange(
  range: string | undefined,
  ifRange: string | undefined,
  entry: StorageEntry,
): RangeResult {
  const r = parseRange(range, entry.size);
  return r.kind !== 'none' && !ifRangeAllows(ifRange, entry) ? { kind: 'none' } : r;
}

/** An If-Match / If-None-Match list: `*` or entity tags (quoted, maybe `W/`). Null when absent. */
export function parseEtagList(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  const v = value.trim();
  if (v === '*') return ['*'];
  const tags = v.match(/(?:W\/)?"[^"]*"/g);
  if (!tags) throw new DavError(400, 'malformed entity tag list');
  return tags;
}

function weakMatch(a: string, b: string): boolean {
  const strip = (t: string): string => (t.startsWith('W/') ? t.slice(2) : t);
  return strip(a) === strip(b);
}

function parseHttpDate(value: string | undefined): number | null {
  if (value === undefined) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * RFC 9110 13.2.2 preconditions for a resource as it is now (null: it does not exist). Returns the status to
 * answer instead of the method (304 or 412), or null to proceed. GET and HEAD get 304 where others get 412.
 */
export function evaluatePreconditions(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  entry: StorageEntry | null,
  isSafeMethod: boolean,
): 304 | 412 | null {
  const header = (name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };
  const ifMatch = parseEtagList(header('if-match'));
  const lastModifiedS = entry ? Math.floor(entry.mtimeMs / 1000) : null;
  if (ifMatch !== null) {
    if (entry === null) return 412;
    // If-Match uses the strong comparison.
    if (!ifMatch.includes('*') && !ifMatch.some((t) => !t.startsWith('W/') && t === entry.etag)) return 412;
  } else {
    const since = parseHttpDate(header('if-unmodified-since'));
    if (
      since !== null &&
      entry !== null &&
      lastModifiedS !== null &&
      lastModifiedS > Math.floor(since / 1000)
    ) {
      return 412;
    }
  }
  const ifNoneMatch = parseEtagList(header('if-none-match'));
  if (ifNoneMatch !== null) {
    const matches =
      entry !== null && (ifNoneMatch.includes('*') || ifNoneMatch.some((t) => weakMatch(t, entry.etag)));
    if (matches) return isSafeMethod ? 304 : 412;
  } else if (isSafeMethod && entry !== null && lastModifiedS !== null) {
    const since = parseHttpDate(header('if-modified-since'));
    if (since !== null && lastModifiedS <= Math.floor(since / 1000)) return 304;
  }
  return null;
}

/** If-Range (RFC 9110 13.1.5): whether a Range header may be honoured for this entry. */
export function ifRangeAllows(value: string | undefined, entry: StorageEntry): boolean {
  if (value === undefined) return true;
  const v = value.trim();
  if (v.startsWith('"')) return v === entry.etag;
  if (v.startsWith('W/')) return false;
  const date = parseHttpDate(v);
  return date !== null && Math.floor(entry.mtimeMs / 1000) === Math.floor(date / 1000);
}

/** The last date formatted: files listed together often share their second, and formatting costs a microsecond. */
let lastHttpDate = { second: NaN, text: '' };
let lastIsoDate = { second: NaN, text: '' };

export function httpDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastHttpDate.second) lastHttpDate = { second, text: new Date(ms).toUTCString() };
  return lastHttpDate.text;
}

/** RFC 3339 without fractions, as creationdate wants. */
export function isoDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastIsoDate.second)
    lastIsoDate = { second, text: new Date(ms).toISOString().slice(0, -5) + 'Z' };
  return lastIsoDate.text;
}
