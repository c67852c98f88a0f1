import type { DeadProperty } from '../../ports.js';
import { checkConditions, lockTokensOf, readXmlBody, type DavContext } from '../context.js';
import { DavError } from '../errors.js';
import { hrefFor } from '../paths.js';
import {
  isLiveProperty,
  MULTISTATUS_CLOSE,
  MULTISTATUS_OPEN,
  propElement,
  propKey,
  responseXml,
  type PropName,
} from '../properties.js';
import { sendXml } from '../response.js';
import { childElements, isDav, serializeNodes, textContent, type XmlElement } from '../xml.js';

export const WIN32_NS = 'urn:schemas-microsoft-com:';
/** Windows sets these after every upload; they are accepted, and only the modification time is applied. */
const WIN32_IGNORED = new Set(['Win32CreationTime', 'Win32LastAccessTime', 'Win32FileAttributes']);

export interface PropPatchOperation {
  readonly kind: 'set' | 'remove';
  readonly name: PropName;
  /** Inner XML of the property element (set only), every child element carrying its namespace. */
  readonly valueXml: string;
  /** The text of the value (for Win32LastModifiedTime). */
  readonly text: string;
}

/** The operations of a DAV:propertyupdate, in document order, over any number of set/remove blocks. */
export function parsePropertyUpdate(body: XmlElement | null): PropPatchOperation[] {
  if (body === null || !isDav(body, 'propertyupdate'))
    throw new DavError(400, 'the body is not a DAV:propertyupdate');
  const operations: PropPatchOperation[] = [];
  for (const block of childElements(body)) {
    const kind = isDav(block, 'set') ? 'set' : isDav(block, 'remove') ? 'remove' : null;
    if (kind === null) continue;
    for (const prop of childElements(block)) {
      if (!isDav(prop, 'prop')) continue;
      for (const element of childElements(prop)) {
        operations.push({
          kind,
          name: { ns: element.ns, local: element.local },
          valueXml: kind === 'set' ? serializeNodes(element.children) : '',
          text: kind === 'set' ? textContent(element) : '',
        });
      }
    }
  }
  if (operations.length === 0) throw new DavError(400, 'PROPPATCH changes nothing');
  return operations;
}

/**
 * PROPPATCH, all or nothing (RFC 4918 9.2): every instruction is checked first; if one cannot be done (a
 * protected live property: 403), none is, and the others answer 424. Otherwise the net effect per property (later
 * instructions win, as in document order) goes to the core in one patchProperties transaction. One 207 answer.
 */
export async function handleProppatch(ctx: DavContext): Promise<void> {
  const operations = parsePropertyUpdate(await readXmlBody(ctx));
  const { storage, caller, target } = ctx;
  const entry = await storage.stat(caller, target.path);
  await checkConditions(ctx);

  const failures = new Map<string, number>();
  let mtimeMs: number | null = null;
  const net = new Map<string, PropPatchOperation>();
  for (const op of operations) {
    const key = propKey(op.name);
    if (isLiveProperty(op.name)) {
      failures.set(key, 403);
      continue;
    }
    if (op.name.ns === WIN32_NS && op.name.local === 'Win32LastModifiedTime' && op.kind === 'set') {
      const ms = Date.parse(op.text.trim());
      if (Number.isNaN(ms)) failures.set(key, 409);
      else mtimeMs = ms;
      continue;
    }
    if (
      op.name.ns === WIN32_NS &&
      (WIN32_IGNORED.has(op.name.local) || op.name.local === 'Win32LastModifiedTime')
    ) {
      continue;
    }
    net.set(key, op);
  }

  const statuses = new Map<number, string[]>();
  const add = (status: number, name: PropName): void => {
    const list = statuses.get(status) ?? [];
    list.push(propElement(name));
    statuses.set(status, list);
  };
  const reported = new Set<string>();
  const everyName = operations.filter((op) => {
    const key = propKey(op.name);
    if (reported.has(key)) return false;
    reported.add(key);
    return true;
  });

  if (failures.size > 0) {
    for (const op of everyName) add(failures.get(propKey(op.name)) ?? 424, op.name);
  } else {
    const set: DeadProperty[] = [];
    const remove: { namespace: string; name: string }[] = [];
    for (const op of net.values()) {
      if (op.kind === 'set') set.push({ namespace: op.name.ns, name: op.name.local, valueXml: op.valueXml });
      else remove.push({ namespace: op.name.ns, name: op.name.local });
    }
    const lockTokens = lockTokensOf(ctx);
    if (set.length > 0 || remove.length > 0) {
      await storage.patchProperties(caller, target.path, set, remove, { lockTokens });
    }
    if (mtimeMs !== null) await storage.setModifiedTime(caller, target.path, mtimeMs, { lockTokens });
    for (const op of everyName) add(200, op.name);
  }
  const href = hrefFor(ctx.prefix, entry.path, entry.type === 'directory');
  sendXml(ctx, 207, MULTISTATUS_OPEN + responseXml(href, statuses) + MULTISTATUS_CLOSE);
}
