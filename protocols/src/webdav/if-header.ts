import { DavError } from './errors.js';

/**
 * RFC 4918 10.4, the If header:
 *
 *   If = "If" ":" ( 1*No-tag-list | 1*Tagged-list )
 *   No-tag-list = List ; Tagged-list = Resource-Tag 1*List
 *   List = "(" 1*Condition ")" ; Condition = ["Not"] (State-token | "[" entity-tag "]")
 *   State-token = "<" absolute-URI ">" ; Resource-Tag = "<" Simple-ref ">"
 */
export interface IfCondition {
  readonly isNot: boolean;
  readonly kind: 'token' | 'etag';
  /** A state token (`urn:uuid:…`, `DAV:no-lock`) or an entity tag with its quotes (and `W/`). */
  readonly value: string;
}

export interface IfList {
  /** The resource tag (a URL or an absolute path), or null for a no-tag list (the request URI). */
  readonly resourceTag: string | null;
  readonly conditions: readonly IfCondition[];
}

const MAX_HEADER_LENGTH = 16_384;

function bad(message: string): never {
  throw new DavError(400, `malformed If header: ${message}`);
}

/** Parses an If header. @throws DavError 400 for anything outside the grammar. */
export function parseIfHeader(header: string): IfList[] {
  if (header.length > MAX_HEADER_LENGTH) bad('too long');
  const lists: IfList[] = [];
  let i = 0;
  const n = header.length;
  let currentTag: string | null = null;
  let sawTagged = false;
  let sawUntagged = false;

  const skipSpace = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const readUntil = (close: string): string => {
    const end = header.indexOf(close, i);
    if (end === -1) bad(`missing '${close}'`);
    const value = header.slice(i, end);
    i = end + 1;
    return value;
  };

  skipSpace();
  if (i >= n) bad('empty');
  while (i < n) {
    const c = header[i];
    if (c === '<') {
      i++;
      const tag = readUntil('>');
      if (tag === '' || /[\s<]/.test(tag)) bad('malformed resource tag');
      currentTag = tag;
      sawTagged = true;
      skipSpace();
      if (header[i] !== '(') bad('a resource tag must be followed by a list');
      continue;
    }
    if (c !== '(') bad(`unexpected '${c ?? ''}'`);
    i++;
    if (currentTag === null) sawUntagged = true;
    const conditions: IfCondition[] = [];
    for (;;) {
      skipSpace();
      if (i >= n) bad("missing ')'");
      if (header[i] === ')') {
        i++;
        break;
      }
      let isNot = false;
      if (header.startsWith('Not', i) && (header[i + 3] === ' ' || header[i + 3] === '\t')) {
        isNot = true;
        i += 3;
        skipSpace();
      }
      const open = header[i];
      if (open === '<') {
        i++;
        const token = readUntil('>');
        // An absolute URI: a scheme, a colon, no spaces.
        if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]*$/.test(token)) bad('malformed state token');
        conditions.push({ isNot, kind: 'token', value: token });
      } else if (open === '[') {
        i++;
        const etag = readUntil(']');
        if (!/^(W\/)?"[^"]*"$/.test(etag)) bad('malformed entity tag');
        conditions.push({ isNot, kind: 'etag', value: etag });
      } else {
        bad('expected a state token or an entity tag');
      }
    }
    if (conditions.length === 0) bad('empty list');
    lists.push({ resourceTag: currentTag, conditions });
    skipSpace();
  }
  if (sawTagged && sawUntagged) bad('mixes tagged and untagged lists');
  return lists;
}

/** Every state token the client submitted (RFC 4918 10.4.1: "submitted" means present in the If header). */
export function submittedTokens(lists: readonly IfList[]): string[] {
  const tokens = new Set<string>();
  for (const list of lists) {
    for (const c of list.conditions) {
      if (c.kind === 'token' && c.value !== 'DAV:no-lock') tokens.add(c.value);
    }
  }
  return [...tokens];
}

/** What a list is evaluated against: the resource's current entity tag (null: it does not exist) and lock tokens. */
export interface ResourceState {
  readonly etag: string | null;
  readonly lockTokens: readonly string[];
}

function opaque(etag: string): string {
  return etag.startsWith('W/') ? etag.slice(2) : etag;
}

/** A list is true when every condition in it is (RFC 4918 10.4.3); the header is true when any list is. */
export function evaluateList(list: IfList, state: ResourceState): boolean {
  return list.conditions.every((c) => {
    const holds =
      c.kind === 'token'
        ? state.lockTokens.includes(c.value)
        : state.etag !== null && opaque(state.etag) === opaque(c.value);
    return c.isNot ? !holds : holds;
  });
}
