import type { DeadProperty, LockInfo, StorageEntry } from '../ports.js';
import { httpDate, isoDate } from './headers.js';
import { hrefFor } from './paths.js';
import { DAV_NS, escapeAttr, escapeText } from './xml.js';

/** A property name: namespace URI ('' for none) and local name. */
export interface PropName {
  readonly ns: string;
  readonly local: string;
}

/** Live properties in allprop (RFC 4918 15); quota ones only when asked for (RFC 4331 3). */
export const ALLPROP_LIVE = [
  'resourcetype',
  'getcontentlength',
  'getcontenttype',
  'getetag',
  'getlastmodified',
  'creationdate',
  'displayname',
  'supportedlock',
  'lockdiscovery',
] as const;

const QUOTA_PROPS = ['quota-available-bytes', 'quota-used-bytes'] as const;

const LIVE_PROPS = new Set<string>([...ALLPROP_LIVE, ...QUOTA_PROPS]);

/** Live properties a PROPPATCH may not change (RFC 4918 16: cannot-modify-protected-property). */
export function isLiveProperty(name: PropName): boolean {
  return name.ns === DAV_NS && LIVE_PROPS.has(name.local);
}

export function propKey(name: PropName): string {
  return `${name.ns}\u0000${name.local}`;
}

/** `<D:local>inner</D:local>`, self-closing when empty: propElement for a DAV: name, without a name object. */
export function davElement(local: string, innerXml = ''): string {
  return innerXml === '' ? `<D:${local}/>` : `<D:${local}>${innerXml}</D:${local}>`;
}

/** `<x:name xmlns:x="ns">inner</x:name>`, or `<name xmlns="">` for no namespace; self-closing when empty. */
export function propElement(name: PropName, innerXml = ''): string {
  if (name.ns === DAV_NS) return davElement(name.local, innerXml);
  let open: string;
  let close: string;
  if (name.ns === '') {
    open = `${name.local} xmlns=""`;
    close = name.local;
  } else {
    open = `x:${name.local} xmlns:x="${escapeAttr(name.ns)}"`;
    close = `x:${name.local}`;
  }
  return innerXml === '' ? `<${open}/>` : `<${open}>${innerXml}</${close}>`;
}

export function activeLockXml(prefix: string, lock: LockInfo, rootIsCollection: boolean): string {
  const owner = lock.ownerXml ?? '';
  const timeout = Math.max(0, Math.round((lock.expiresAtMs - Date.now()) / 1000));
  return (
    '<D:activelock>' +
    '<D:locktype><D:write/></D:locktype>' +
    `<D:lockscope><D:${lock.scope}/></D:lockscope>` +
    `<D:depth>${lock.depth === 0 ? '0' : 'infinity'}</D:depth>` +
    owner +
    `<D:timeout>Second-${timeout}</D:timeout>` +
    `<D:locktoken><D:href>${escapeText(lock.token)}</D:href></D:locktoken>` +
    `<D:lockroot><D:href>${escapeText(hrefFor(prefix, lock.root, rootIsCollection))}</D:href></D:lockroot>` +
    '</D:activelock>'
  );
}

export function lockDiscoveryXml(
  prefix: string,
  locks: readonly LockInfo[],
  entry: StorageEntry | null,
): string {
  return locks
    .map((l) =>
      activeLockXml(prefix, l, entry !== null && l.root === entry.path && entry.type === 'directory'),
    )
    .join('');
}

const SUPPORTED_LOCK =
  '<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>' +
  '<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>';

/** What a live property needs beyond the entry itself. */
export interface LiveContext {
  readonly prefix: string;
  /** Locks covering the entry; undefined when not fetched (lockdiscovery is then left out). */
  readonly locks: readonly LockInfo[] | undefined;
  readonly usage: { readonly usedBytes: number; readonly availableBytes: number } | undefined;
}

/**
 * The inner XML of a live DAV: property, '' for an empty one, or undefined when the resource does not have it
 * (getcontentlength of a collection; lockdiscovery when locks were not fetched).
 */
export function liveValue(local: string, entry: StorageEntry, live: LiveContext): string | undefined {
  const isCollection = entry.type === 'directory';
  switch (local) {
    case 'resourcetype':
      return isCollection ? '<D:collection/>' : '';
    case 'getcontentlength':
      return isCollection ? undefined : String(entry.size);
    case 'getcontenttype':
      return isCollection ? undefined : escapeText(entry.contentType);
    case 'getetag':
      return isCollection ? undefined : escapeText(entry.etag);
    case 'getlastmodified':
      return httpDate(entry.mtimeMs);
    case 'creationdate':
      return isoDate(entry.birthtimeMs || entry.mtimeMs);
    case 'displayname':
      return escapeText(entry.name);
    case 'supportedlock':
      return SUPPORTED_LOCK;
    case 'lockdiscovery':
      return live.locks === undefined ? undefined : lockDiscoveryXml(live.prefix, live.locks, entry);
    case 'quota-available-bytes':
      return live.usage === undefined ? undefined : String(Math.max(0, live.usage.availableBytes));
    case 'quota-used-bytes':
      return live.usage === undefined ? undefined : String(live.usage.usedBytes);
    default:
      return undefined;
  }
}

export function deadPropName(p: DeadProperty): PropName {
  return { ns: p.namespace, local: p.name };
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  423: 'Locked',
  424: 'Failed Dependency',
  507: 'Insufficient Storage',
};

const STATUS_LINES = new Map<number, string>();

export function statusLine(status: number): string {
  let line = STATUS_LINES.get(status);
  if (line === undefined) {
    line = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ''}`.trimEnd();
    if (status in STATUS_TEXT) STATUS_LINES.set(status, line);
  }
  return line;
}

function propstatXml(status: number, props: readonly string[], extra = ''): string {
  return `<D:propstat><D:prop>${props.join('')}</D:prop><D:status>${statusLine(status)}</D:status>${extra}</D:propstat>`;
}

/** One `<D:response>` with a propstat per status, in the order the statuses first appear. */
export function responseXml(href: string, propstats: ReadonlyMap<number, string[]>, extra = ''): string {
  let out = `<D:response><D:href>${escapeText(href)}</D:href>`;
  for (const [status, props] of propstats) if (props.length > 0) out += propstatXml(status, props, extra);
  return out + '</D:response>';
}

/** responseXml with a 200 propstat of `found` and a 404 one of `missing`, without a map (a listing's entries). */
export function foundMissingXml(href: string, found: readonly string[], missing: readonly string[]): string {
  let out = `<D:response><D:href>${escapeText(href)}</D:href>`;
  if (found.length > 0) out += propstatXml(200, found);
  if (missing.length > 0) out += propstatXml(404, missing);
  return out + '</D:response>';
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';
export const MULTISTATUS_OPEN = '<D:multistatus xmlns:D="DAV:">';
export const MULTISTATUS_CLOSE = '</D:multistatus>\n';
