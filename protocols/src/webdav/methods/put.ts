import type { WriteOptions } from '../../ports.js';
import { checkIfHeader, continueBody, header, lockTokensOf, type DavContext } from '../context.js';
import { DavError, errorCode } from '../errors.js';
import { evaluatePreconditions, parseEtagList } from '../headers.js';
import { sendEmpty } from '../response.js';

function ignore(): void {
  // see handlePut
}

function expectedBytes(ctx: DavContext): number | null {
  const length = header(ctx, 'content-length');
  if (length !== undefined) {
    if (!/^\s*\d+\s*$/.test(length)) throw new DavError(400, 'invalid Content-Length');
    return Number(length);
  }
  // macOS Finder sends chunked bodies and announces their size here.
  const expected = header(ctx, 'x-expected-entity-length');
  if (expected !== undefined && /^\s*\d+\s*$/.test(expected)) return Number(expected);
  return null;
}

/**
 * PUT streams the body into the core, which writes a temporary file and renames it over the target at the end.
 * A client that goes away mid-body makes the stream fail: the core discards the temporary file and the request
 * gets no answer (there is nobody to read it).
 */
export async function handlePut(ctx: DavContext): Promise<void> {
  const { req, storage, caller, target } = ctx;
  // RFC 9110 14.5: a server that does not do partial PUT must refuse one rather than store the part as the whole.
  if (header(ctx, 'content-range') !== undefined) throw new DavError(400, 'partial PUT is not supported');
  if (target.path === '/' || target.hasTrailingSlash) {
    throw new DavError(405, 'cannot PUT to a collection', { headers: { Allow: 'OPTIONS, PROPFIND, MKCOL' } });
  }
  const expected = expectedBytes(ctx);

  const needsStat = header(ctx, 'if-unmodified-since') !== undefined || header(ctx, 'if') !== undefined;
  if (needsStat) {
    await checkIfHeader(ctx);
    if (header(ctx, 'if-unmodified-since') !== undefined) {
      let entry = null;
      try {
        entry = await storage.stat(caller, target.path);
      } catch (err) {
        if (errorCode(err) !== 'NOT_FOUND') throw err;
      }
      if (
        evaluatePreconditions({ 'if-unmodified-since': header(ctx, 'if-unmodified-since') }, entry, false)
      ) {
        throw new DavError(412, 'precondition failed');
      }
    }
  }

  const ifMatch = parseEtagList(header(ctx, 'if-match'));
  const ifNoneMatch = parseEtagList(header(ctx, 'if-none-match'));
  const ocMtime = header(ctx, 'x-oc-mtime');
  const mtimeSeconds =
    ocMtime !== undefined && /^\s*\d{1,12}(\.\d+)?\s*$/.test(ocMtime) ? Number(ocMtime) : null;
  const options: WriteOptions = {
    expectedBytes: expected,
    lockTokens: lockTokensOf(ctx),
    ...(ifMatch ? { ifMatch } : {}),
    ...(ifNoneMatch ? { ifNoneMatch } : {}),
    ...(mtimeSeconds !== null ? { mtimeMs: Math.round(mtimeSeconds * 1000) } : {}),
    onBodyWanted: () => {
      continueBody(ctx);
    },
  };

  // The request itself is the body: no stream in between (a pass-through costs a callback per 64 KiB). A client
  // that drops mid-body makes the core's pipeline fail ('aborted' / premature close), and it discards the
  // temporary file. The core may still be authorising (no listener yet) when that happens: this listener keeps
  // that 'error' from being uncaught, and the pipeline still sees the stream as failed.
  req.on('error', ignore);
  let result;
  try {
    result = await storage.write(caller, target.path, req, options);
  } catch (err) {
    if (errorCode(err) === 'CONFLICT') {
      // The core says CONFLICT both for a missing parent (409) and for a collection in the way (405).
      const existing = await storage.stat(caller, target.path).catch(() => null);
      if (existing?.type === 'directory') throw new DavError(405, 'cannot PUT to a collection');
    }
    throw err;
  } finally {
    req.off('error', ignore);
  }
  ctx.bytesIn += result.entry.size;
  if (req.destroyed && !req.complete) return;
  const headers: Record<string, string> = { ETag: result.entry.etag };
  if (mtimeSeconds !== null) headers['X-OC-MTime'] = 'accepted';
  sendEmpty(ctx, result.created ? 201 : 204, headers);
}
