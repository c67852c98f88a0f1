import { checkConditions, hasRequestBody, lockTokensOf, type DavContext } from '../context.js';
import { DavError } from '../errors.js';
import { sendEmpty } from '../response.js';

/** MKCOL: no body is understood (RFC 4918 9.3: 415), an existing resource is 405, a missing parent 409. */
export async function handleMkcol(ctx: DavContext): Promise<void> {
  if (hasRequestBody(ctx)) {
    throw new DavError(415, 'MKCOL with a body is not supported', { closeConnection: true });
  }
  await checkConditions(ctx);
  await ctx.storage.mkdir(ctx.caller, ctx.target.path, { lockTokens: lockTokensOf(ctx) });
  sendEmpty(ctx, 201);
}
