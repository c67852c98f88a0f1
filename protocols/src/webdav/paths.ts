import { DavError } from './errors.js';

/** A request target resolved to a namespace path. */
export interface ResolvedPath {
  /** `/`, `/home`, `/home/a b.txt`: NFC, no trailing slash except the root. */
  readonly path: string;
  /** The URL ended in `/` (a client naming a collection). */
  readonly hasTrailingSlash: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
// Control characters (C0, DEL, C1) have no place in a file name; the core refuses them as well.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/** Percent-decodes one path segment strictly: a malformed escape, invalid UTF-8 or `%2F` is a 400. */
export function decodeSegment(raw: string): string {
  if (!raw.includes('%')) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length;) {
    const ch = raw.charCodeAt(i);
    if (ch === 0x25) {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new DavError(400, 'malformed percent-escape in the URL');
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      // Raw non-ASCII characters are kept as their UTF-8 bytes.
      const cp = raw.codePointAt(i) ?? 0;
      const s = String.fromCodePoint(cp);
      for (const b of Buffer.from(s, 'utf8')) bytes.push(b);
      i += s.length;
    }
  }
  let decoded: string;
  try {
    decoded = utf8.decode(Uint8Array.from(bytes));
  } catch {
    throw new DavError(400, 'the URL is not valid UTF-8');
  }
  if (decoded.includes('/')) throw new DavError(400, 'an encoded slash inside a path segment');
  return decoded;
}

function checkSegment(segment: string): void {
  if (segment === '.' || segment === '..') throw new DavError(400, 'dot segments are not allowed');
  if (segment.includes('\\')) throw new DavError(400, 'backslashes are not allowed');
  if (CONTROL_CHARS.test(segment)) throw new DavError(400, 'control characters are not allowed');
}

/**
 * Resolves the path part of a request target (no query, no scheme) under `prefix` to a namespace path.
 * Returns null when the path is not under the prefix. Each segment is percent-decoded once, NFC-normalised and
 * checked: dot segments, backslashes, control characters and encoded slashes are a 400 (the core refuses them
 * too; this is defence in depth). Empty segments (`a//b`) are dropped.
 */
export function resolveUrlPath(rawPath: string, prefix: string): ResolvedPath | null {
  if (rawPath.includes('#')) throw new DavError(400, 'a fragment in the request target');
  if (rawPath !== prefix && !rawPath.startsWith(prefix + '/')) return null;
  const rest = rawPath.slice(prefix.length);
  const hasTrailingSlash = rest.endsWith('/');
  const segments: string[] = [];
  for (const raw of rest.split('/')) {
    if (raw === '') continue;
    checkSegment(raw);
    const decoded = decodeSegment(raw).normalize('NFC');
    if (decoded === '') throw new DavError(400, 'an empty path segment');
    checkSegment(decoded);
    segments.push(decoded);
  }
  return { path: '/' + segments.join('/'), hasTrailingSlash };
}

/** Splits a request target into its path, dropping a query string. Absolute-form targets keep only their path. */
export function requestTargetPath(url: string): string {
  let target = url;
  const abs = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(target);
  if (abs) target = target.slice(abs[0].length) || '/';
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
}

function stripDefaultPort(authority: string, scheme: string | null): string {
  const lower = authority.toLowerCase();
  if ((scheme === null || scheme === 'http') && lower.endsWith(':80')) return lower.slice(0, -3);
  if ((scheme === null || scheme === 'https') && lower.endsWith(':443')) return lower.slice(0, -4);
  return lower;
}

/**
 * Resolves a Destination header (or an If header resource tag): an absolute URL on this server, or an absolute
 * path. A URL for another host, or a path outside the prefix, is a 502 (RFC 4918 9.8.5: the destination is on
 * a server this one cannot write to); a malformed value is a 400.
 */
export function resolveUrlReference(value: string, host: string | undefined, prefix: string): ResolvedPath {
  const trimmed = value.trim();
  let path: string;
  const abs = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/.exec(trimmed);
  if (abs) {
    const scheme = (abs[1] ?? '').toLowerCase();
    const authority = abs[2] ?? '';
    if (scheme !== 'http' && scheme !== 'https') throw new DavError(502, 'destination on another server');
    if (host !== undefined && stripDefaultPort(authority, scheme) !== stripDefaultPort(host, null)) {
      throw new DavError(502, 'destination on another server');
    }
    path = abs[3] === undefined || abs[3] === '' ? '/' : abs[3];
  } else if (trimmed.startsWith('/')) {
    path = trimmed;
  } else {
    throw new DavError(400, 'malformed destination URL');
  }
  const q = path.indexOf('?');
  if (q !== -1) path = path.slice(0, q);
  const resolved = resolveUrlPath(path, prefix);
  if (resolved === null) throw new DavError(502, 'destination outside the WebDAV tree');
  return resolved;
}

/**
 * Percent-encodes one segment: everything but RFC 3986 unreserved characters, so that spaces, `%`, `#`, `?`,
 * `+` and non-ASCII round-trip through every client's URL parser.
 */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

/** The last parent folder hrefFor encoded: a listing's entries share it (10,000 of them in a large PROPFIND). */
let lastParent = { prefix: '', path: '', encoded: '' };

/** The href of a namespace path under the prefix; collections end in `/`. */
export function hrefFor(prefix: string, path: string, isCollection: boolean): string {
  if (path === '/') return prefix + '/';
  const cut = path.lastIndexOf('/');
  const parent = path.slice(0, cut);
  if (lastParent.prefix !== prefix || lastParent.path !== parent) {
    const encoded = parent
      .split('/')
      .slice(1)
      .map((s) => encodeSegment(s) + '/')
      .join('');
    lastParent = { prefix, path: parent, encoded: `${prefix}/${encoded}` };
  }
  return `${lastParent.encoded}${encodeSegment(path.slice(cut + 1))}${isCollection ? '/' : ''}`;
}

/** Whether `inner` is `outer` itself or below it. */
export function isSameOrInside(inner: string, outer: string): boolean {
  if (inner === outer) return true;
  return outer === '/' ? true : inner.startsWith(outer + '/');
}
