import type { DeadProperty, LockInfo, StorageEntry } from '../../ports.js';
import { header, readXmlBody, type DavContext } from '../context.js';
import { DavError } from '../errors.js';
import { parseDepth } from '../headers.js';
import { hrefFor } from '../paths.js';
import {
  ALLPROP_LIVE,
  davElement,
  deadPropName,
  liveValue,
  MULTISTATUS_CLOSE,
  MULTISTATUS_OPEN,
  propElement,
  propKey,
  foundMissingXml,
  XML_DECLARATION,
  type LiveContext,
  type PropName,
} from '../properties.js';
import { errorXml, sendXml, writeChunk, yieldToEventLoop } from '../response.js';
import { childElements, DAV_NS, isDav, type XmlElement } from '../xml.js';

export type PropfindRequest =
  | { readonly kind: 'allprop'; readonly include: readonly PropName[] }
  | { readonly kind: 'propname' }
  | { readonly kind: 'prop'; readonly names: readonly PropName[] };

/** The body of a PROPFIND (RFC 4918 14.20); none means allprop. Unknown elements are ignored (RFC 4918 17). */
export function parsePropfindBody(body: XmlElement | null): PropfindRequest {
  if (body === null) return { kind: 'allprop', include: [] };
  if (!isDav(body, 'propfind')) throw new DavError(400, 'the body is not a DAV:propfind');
  let result: PropfindRequest | null = null;
  let include: PropName[] = [];
  for (const child of childElements(body)) {
    if (child.ns !== DAV_NS) continue;
    const names = (): PropName[] => childElements(child).map((e) => ({ ns: e.ns, local: e.local }));
    if (child.local === 'prop' || child.local === 'allprop' || child.local === 'propname') {
      if (result !== null)
        throw new DavError(400, 'PROPFIND asks for more than one of prop, allprop, propname');
      result =
        child.local === 'prop'
          ? { kind: 'prop', names: names() }
          : child.local === 'allprop'
            ? { kind: 'allprop', include: [] }
            : { kind: 'propname' };
    } else if (child.local === 'include') {
      include = names();
    }
  }
  if (result === null) return { kind: 'allprop', include };
  return result.kind === 'allprop' ? { kind: 'allprop', include } : result;
}

/** Entries per yield to the event loop, and bytes per socket write, while streaming a multistatus. */
const ENTRIES_PER_YIELD = 64;
const CHUNK_BYTES = 64 * 1024;
const LOCK_LOOKUP_CONCURRENCY = 16;

async function locksForAll(
  ctx: DavContext,
  entries: readonly StorageEntry[],
): Promise<Map<string, LockInfo[]>> {
  const result = new Map<string, LockInfo[]>();
  for (let i = 0; i < entries.length; i += LOCK_LOOKUP_CONCURRENCY) {
    const batch = entries.slice(i, i + LOCK_LOOKUP_CONCURRENCY);
    const locks = await Promise.all(batch.map((e) => ctx.storage.locksFor(ctx.caller, e.path)));
    batch.forEach((e, k) => result.set(e.path, locks[k] ?? []));
  }
  return result;
}

/**
 * PROPFIND at Depth 0 or 1. Depth infinity on a collection is refused (RFC 4918 9.1: 403 with
 * propfind-finite-depth); a missing Depth on a collection is taken as 1, since clients that omit it want a
 * listing. The children come a page at a time; the dead properties of a page come from one getPropertiesMany
 * call; the multistatus is written in chunks, yielding to the event loop every few dozen entries.
 */
export async function handlePropfind(ctx: DavContext): Promise<void> {
  const request = parsePropfindBody(await readXmlBody(ctx));
  const depthHeader = header(ctx, 'depth');
  const depthValue = parseDepth(depthHeader, 1);
  const { storage, caller, target } = ctx;
  const entry = await storage.stat(caller, target.path);
  const isCollection = entry.type === 'directory';
  if (isCollection && depthValue === 'infinity') {
    sendXml(ctx, 403, errorXml('<D:propfind-finite-depth/>'));
    return;
  }
  const named = request.kind === 'prop' ? request.names : request.kind === 'allprop' ? request.include : [];
  const wantsDead =
    request.kind !== 'prop' || named.some((n) => !(n.ns === DAV_NS && liveNames.has(n.local)));
  const wantsQuota = named.some((n) => n.ns === DAV_NS && n.local.startsWith('quota-'));
  const usage = wantsQuota ? await storage.usage(caller) : undefined;
  // lockdiscovery: for every entry when named; for allprop only on the request URI (RFC 4918 9.1 lets
  // servers leave expensive properties out of allprop, and a lookup per child of a big folder is one).
  const wantsLocksForAll = named.some((n) => n.ns === DAV_NS && n.local === 'lockdiscovery');
  const wantsOwnLocks = wantsLocksForAll || request.kind === 'allprop';

  // The children come in pages (StoragePort.listPages), each rendered and written before the next is built:
  // a folder of 10,000 files never has all its entries (and their XML) in memory at once. A listing that fails
  // after the first page cuts the response, as any failure after the headers does.
  const pages: AsyncIterator<StorageEntry[]> | null =
    isCollection && depthValue === 1
      ? storage.listPages(caller, target.path, { hideMacMetadata: true })[Symbol.asyncIterator]()
      : null;
  // The first page is taken before the status goes out, so that a listing refused at once is an error status.
  let next = pages ? await pages.next() : null;
  /** Dead properties and locks of a page of entries, in one query each rather than one per entry. */
  const propertiesOf = async (entries: readonly StorageEntry[], withLocks: boolean) => {
    let dead = new Map<string, DeadProperty[]>();
    if (wantsDead) {
      if (entries.length === 1 && entries[0])
        dead.set(entries[0].resourceKey, await storage.getProperties(caller, entries[0].path));
      else
        dead = await storage.getPropertiesMany(
          caller,
          entries.map((e) => e.resourceKey),
        );
    }
    const locks = withLocks ? await locksForAll(ctx, entries) : new Map<string, LockInfo[]>();
    return { dead, locks };
  };
  const xmlOf = (e: StorageEntry, props: Awaited<ReturnType<typeof propertiesOf>>): string =>
    renderEntry(ctx.prefix, e, request, props.dead.get(e.resourceKey) ?? [], {
      prefix: ctx.prefix,
      locks: props.locks.get(e.path),
      usage,
    });
  const self = xmlOf(entry, await propertiesOf([entry], wantsOwnLocks));

  const { res } = ctx;
  res.statusCode = 207;
  res.setHeader('Content-Type', 'application/xml; charset=utf-8');
  if (ctx.method === 'HEAD') {
    res.end();
    return;
  }
  let buffer = XML_DECLARATION + MULTISTATUS_OPEN + self;
  while (pages && next && next.done !== true) {
    const page = next.value;
    const props = await propertiesOf(page, wantsLocksForAll);
    for (let i = 0; i < page.length; i++) {
      const e = page[i];
      if (e !== undefined) buffer += xmlOf(e, props);
      if (buffer.length >= CHUNK_BYTES) {
        await writeChunk(ctx, buffer);
        buffer = '';
      }
      if ((i + 1) % ENTRIES_PER_YIELD === 0) await yieldToEventLoop();
    }
    next = await pages.next();
  }
  buffer += MULTISTATUS_CLOSE;
  await writeChunk(ctx, buffer);
  res.end();
}

const liveNames = new Set<string>([...ALLPROP_LIVE, 'quota-available-bytes', 'quota-used-bytes']);
const ALLPROP_LIVE_KEYS = ALLPROP_LIVE.map((local) => propKey({ ns: DAV_NS, local }));

export function renderEntry(
  prefix: string,
  entry: StorageEntry,
  request: PropfindRequest,
  dead: readonly DeadProperty[],
  live: LiveContext,
): string {
  const href = hrefFor(prefix, entry.path, entry.type === 'directory');
  const found: string[] = [];
  const missing: string[] = [];
  if (request.kind === 'propname') {
    for (const local of ALLPROP_LIVE) {
      if (liveValue(local, entry, { ...live, locks: live.locks ?? [] }) !== undefined) {
        found.push(propElement({ ns: DAV_NS, local }));
      }
    }
    for (const p of dead) found.push(propElement(deadPropName(p)));
  } else if (request.kind === 'allprop') {
    for (const local of ALLPROP_LIVE) {
      const value = liveValue(local, entry, live);
      if (value !== undefined) found.push(davElement(local, value));
    }
    // The set of names already answered matters only when dead properties or <D:include> add more (rarely).
    const seen = new Set<string>(dead.length > 0 || request.include.length > 0 ? ALLPROP_LIVE_KEYS : []);
    for (const p of dead) {
      const name = deadPropName(p);
      if (name.ns === DAV_NS && liveNames.has(name.local)) continue;
      found.push(propElement(name, p.valueXml));
      seen.add(propKey(name));
    }
    for (const name of request.include) {
      if (seen.has(propKey(name))) continue;
      seen.add(propKey(name));
      const value = name.ns === DAV_NS ? liveValue(name.local, entry, live) : undefined;
      if (value !== undefined) found.push(propElement(name, value));
      else missing.push(propElement(name));
    }
  } else {
    const deadByKey = new Map(dead.map((p) => [propKey(deadPropName(p)), p]));
    const seen = new Set<string>();
    for (const name of request.names) {
      const key = propKey(name);
      if (seen.has(key)) continue;
      seen.add(key);
      if (name.ns === DAV_NS && liveNames.has(name.local)) {
        const value = liveValue(name.local, entry, live);
        if (value !== undefined) found.push(propElement(name, value));
        else missing.push(propElement(name));
        continue;
      }
      const p = deadByKey.get(key);
      if (p) found.push(propElement(name, p.valueXml));
      else missing.push(propElement(name));
    }
  }
  return foundMissingXml(href, found, missing);
}
