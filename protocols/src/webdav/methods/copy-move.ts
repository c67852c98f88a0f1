import { checkConditions, header, lockTokensOf, type DavContext } from '../context.js';
import { DavError } from '../errors.js';
import { parseDepth, parseOverwrite } from '../headers.js';
import { isSameOrInside, resolveUrlReference } from '../paths.js';
import { sendEmpty } from '../response.js';

/**
 * COPY and MOVE. Destination must be on this server under the prefix (else 502); Overwrite F onto an existing
 * target is the core's ALREADY_EXISTS, answered 412. Copying or moving a resource onto itself or into itself is
 * a 403 (RFC 4918 9.8.5 / 9.9.4), checked here by path and by the core by resource.
 */
export async function handleCopyMove(ctx: DavContext): Promise<void> {
  const isMove = ctx.method === 'MOVE';
  const destinationHeader = header(ctx, 'destination');
  if (destinationHeader === undefined) throw new DavError(400, 'Destination header missing');
  const destination = resolveUrlReference(destinationHeader, ctx.req.headers.host, ctx.prefix);
  ctx.destination = destination.path;
  const overwrite = parseOverwrite(header(ctx, 'overwrite'));
  const depth = parseDepth(header(ctx, 'depth'), 'infinity');
  // RFC 4918 9.8.3: COPY takes 0 or infinity; 9.9.2: MOVE of a collection acts as infinity and nothing else.
  if (depth === 1 || (isMove && depth !== 'infinity'))
    throw new DavError(400, 'invalid Depth for ' + ctx.method);

  const source = ctx.target.path;
  if (source === '/' || destination.path === '/')
    throw new DavError(403, 'the root cannot be copied or moved');
  // Onto itself, into itself, or (with Overwrite) over one of its own ancestors: all would destroy the source.
  if (isSameOrInside(destination.path, source) || isSameOrInside(source, destination.path)) {
    throw new DavError(403, 'source and destination overlap');
  }
  await checkConditions(ctx);
  const options = { lockTokens: lockTokensOf(ctx), overwrite };
  const { created } = isMove
    ? await ctx.storage.move(ctx.caller, source, destination.path, options)
    : await ctx.storage.copy(ctx.caller, source, destination.path, {
        ...options,
        depth: depth === 0 ? 0 : 'infinity',
      });
  sendEmpty(ctx, created ? 201 : 204);
}
