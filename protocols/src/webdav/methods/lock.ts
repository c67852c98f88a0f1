import type { LockInfo } from '../../ports.js';
import {
  checkConditions,
  checkIfHeader,
  header,
  ifLists,
  lockTokensOf,
  readXmlBody,
  type DavContext,
} from '../context.js';
import { DavError, errorCode } from '../errors.js';
import { parseDepth, parseTimeout } from '../headers.js';
import { activeLockXml } from '../properties.js';
import { errorXml, sendEmpty, sendXml } from '../response.js';
import { childElements, isDav, serializeElement, type XmlElement } from '../xml.js';

export interface LockBody {
  readonly scope: 'exclusive' | 'shared';
  readonly ownerXml: string | null;
}

/** A DAV:lockinfo body (RFC 4918 14.11): a write lock, exclusive or shared, and the owner element verbatim. */
export function parseLockInfo(body: XmlElement): LockBody {
  if (!isDav(body, 'lockinfo')) throw new DavError(400, 'the body is not a DAV:lockinfo');
  let scope: 'exclusive' | 'shared' | null = null;
  let hasWriteType = false;
  let ownerXml: string | null = null;
  for (const child of childElements(body)) {
    if (isDav(child, 'lockscope')) {
      const inner = childElements(child)[0];
      if (inner && isDav(inner, 'exclusive')) scope = 'exclusive';
      else if (inner && isDav(inner, 'shared')) scope = 'shared';
      else throw new DavError(400, 'unknown lock scope');
    } else if (isDav(child, 'locktype')) {
      const inner = childElements(child)[0];
      if (!inner || !isDav(inner, 'write')) throw new DavError(400, 'only write locks exist');
      hasWriteType = true;
    } else if (isDav(child, 'owner')) {
      ownerXml = serializeElement(child);
    }
  }
  if (scope === null || !hasWriteType) throw new DavError(400, 'lockinfo needs lockscope and locktype');
  return { scope, ownerXml };
}

function lockResponse(ctx: DavContext, lock: LockInfo, isCollection: boolean): string {
  return `<D:prop xmlns:D="DAV:"><D:lockdiscovery>${activeLockXml(ctx.prefix, lock, isCollection)}</D:lockdiscovery></D:prop>`;
}

/**
 * LOCK: with a lockinfo body, a new lock (on an unmapped URL the core creates an empty file: 201); with no body,
 * a refresh of the lock whose token is in the If header. Conflicts are the core's LOCKED (423).
 */
export async function handleLock(ctx: DavContext): Promise<void> {
  const body = await readXmlBody(ctx);
  const timeoutSeconds = parseTimeout(header(ctx, 'timeout'));
  const { storage, caller, target } = ctx;

  if (body === null) {
    const tokens = lockTokensOf(ctx);
    if (ifLists(ctx).length === 0 || tokens.length === 0) {
      throw new DavError(400, 'a LOCK refresh needs the lock token in an If header');
    }
    await checkIfHeader(ctx);
    let lock: LockInfo | null = null;
    for (const token of tokens) {
      try {
        lock = await storage.refreshLock(caller, target.path, token, timeoutSeconds);
        break;
      } catch (err) {
        // The If header may carry several tokens (and tags for other resources): try each.
        if (errorCode(err) !== 'PRECONDITION_FAILED') throw err;
      }
    }
    if (lock === null) throw new DavError(412, 'no lock of the If header is on this resource');
    const isCollection = lock.root === target.path && target.hasTrailingSlash;
    sendXml(ctx, 200, lockResponse(ctx, lock, isCollection));
    return;
  }

  const info = parseLockInfo(body);
  const depth = parseDepth(header(ctx, 'depth'), 'infinity');
  if (depth === 1) throw new DavError(400, 'LOCK takes Depth 0 or infinity');
  await checkConditions(ctx);
  const { lock, created } = await storage.lock(caller, target.path, {
    scope: info.scope,
    depth,
    ownerXml: info.ownerXml,
    timeoutSeconds,
    lockTokens: lockTokensOf(ctx),
  });
  const entry = await storage.stat(caller, target.path).catch(() => null);
  sendXml(ctx, created ? 201 : 200, lockResponse(ctx, lock, entry?.type === 'directory'), {
    'Lock-Token': `<${lock.token}>`,
  });
}

/** UNLOCK with `Lock-Token: <token>`: 204; a token that is no lock on this resource is 409 (RFC 4918 9.11.1). */
export async function handleUnlock(ctx: DavContext): Promise<void> {
  const value = header(ctx, 'lock-token');
  const m = value === undefined ? null : /^\s*<([^<>\s]+)>\s*$/.exec(value);
  const token = m?.[1];
  if (token === undefined) throw new DavError(400, 'UNLOCK needs a Lock-Token header');
  try {
    await ctx.storage.unlock(ctx.caller, ctx.target.path, token);
  } catch (err) {
    if (errorCode(err) === 'CONFLICT') {
      sendXml(ctx, 409, errorXml('<D:lock-token-matches-request-uri/>'));
      return;
    }
    throw err;
  }
  sendEmpty(ctx, 204);
}
