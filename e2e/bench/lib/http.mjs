// A small HTTP/1.1 client over node:http with keep-alive agents, for the workloads the harness drives itself.
import http from 'node:http';
import { Buffer } from 'node:buffer';

export function basicAuth(user, pass) {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

export function keepAliveAgent(maxSockets = 1) {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

/**
 * One request. `body` is a Buffer or undefined; the response body is drained (`keepBody` keeps it as a
 * Buffer). Resolves { status, headers, bytes, body? }; rejects on a socket error or after `timeoutMs`.
 */
export function request(
  url,
  { method = 'GET', agent, auth, headers = {}, body, keepBody = false, timeoutMs = 60_000 },
) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (auth) h.Authorization = auth;
    if (body !== undefined) h['Content-Length'] = String(body.length);
    const req = http.request(url, { method, agent, headers: h }, (res) => {
      const chunks = [];
      let bytes = 0;
      res.on('data', (c) => {
        bytes += c.length;
        if (keepBody) chunks.push(c);
      });
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          bytes,
          body: keepBody ? Buffer.concat(chunks) : undefined,
        });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Like request(), but throws unless the status is one of `expect`. */
export async function expectStatus(expect, url, opts) {
  const r = await request(url, opts);
  if (!expect.includes(r.status)) {
    const text = r.body ? r.body.toString('utf8').slice(0, 300) : '';
    throw new Error(`${opts.method ?? 'GET'} ${url}: HTTP ${r.status}, expected ${expect.join('/')} ${text}`);
  }
  return r;
}
