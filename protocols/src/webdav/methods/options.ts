import type { ServerResponse } from 'node:http';

export const ALLOWED_METHODS =
  'OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, COPY, MOVE, PROPFIND, PROPPATCH, LOCK, UNLOCK';

/**
 * OPTIONS answers without authentication, on `/` as well as the tree: Windows' mini-redirector probes `OPTIONS /`
 * first and gives up on a redirect or a 401 there.
 */
export function answerOptions(res: ServerResponse): void {
  res.statusCode = 200;
  res.setHeader('DAV', '1, 2');
  res.setHeader('MS-Author-Via', 'DAV');
  res.setHeader('Allow', ALLOWED_METHODS);
  res.setHeader('Content-Length', 0);
  res.end();
}
