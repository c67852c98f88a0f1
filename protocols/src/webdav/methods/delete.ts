import { checkConditions, header, lockTokensOf, type DavContext } from '../context.js';
import { DavError } from '../errors.js';
import { sendEmpty } from '../response.js';

/**
 * DELETE: the core deletes a collection with everything in it, all or nothing (it checks rights and locks on every
 * member first), so a failure is one mapped status rather than a 207 listing members.
 */
export async function handleDelete(ctx: DavContext): Promise<void> {
  const depth = header(ctx, 'depth');
  // RFC 4918 9.6.1: DELETE on a collection acts as Depth infinity; any other Depth is an error.
  if (depth !== undefined && depth.trim().toLowerCase() !== 'infinity') {
    const entry = await ctx.storage.stat(ctx.caller, ctx.target.path);
    if (entry.type === 'directory') throw new DavError(400, 'DELETE of a collection needs Depth: infinity');
  }
  await checkConditions(ctx);
  await ctx.storage.remove(ctx.caller, ctx.target.path, { lockTokens: lockTokensOf(ctx) });
  sendEmpty(ctx, 204);
}
