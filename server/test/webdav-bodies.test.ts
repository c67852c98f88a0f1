import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startTestServer, type TestServer } from './helpers.js';

const AUTH = `Basic ${Buffer.from('alice:alice-password-1').toString('base64')}`;
const FIFTY_MB = 50 * 1024 * 1024;

/**
 * Sends up to 50 MB of XML-ish bytes to a WebDAV method, with Content-Length or chunked, and resolves with the
 * status as soon as the server answers (it must answer before the body is done, and close or drain the rest).
 */
function hugeBody(
  base: string,
  method: string,
  chunked: boolean,
): Promise<{ status: number; sentBytes: number }> {
  const url = new URL('/dav/home/', base);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: url.pathname,
        headers: {
          Authorization: AUTH,
          'Content-Type': 'application/xml',
          Depth: '0',
          ...(chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(FIFTY_MB) }),
        },
      },
      (res) => {
        answered = true;
        res.resume();
        resolve({ status: res.statusCode ?? 0, sentBytes: sent });
        req.destroy();
      },
    );
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    chunk.write('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/>');
    const pump = (): void => {
      while (!answered && sent < FIFTY_MB) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe('WebDAV request bodies', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    await t.createUser('alice', 'alice-password-1');
  });
  after(async () => {
    await t.close();
  });

  for (const method of ['PROPFIND', 'PROPPATCH', 'LOCK']) {
    for (const chunked of [false, true]) {
      it(`refuses a 50 MB ${method} body (${chunked ? 'chunked' : 'Content-Length'}) with a 4xx, without reading it into memory`, async () => {
        global.gc?.();
        const before = process.memoryUsage().rss;
        const { status, sentBytes } = await hugeBody(t.url, method, chunked);
        assert.ok(status >= 400 && status < 500, `${method}: ${status}`);
        assert.ok(sentBytes < FIFTY_MB, `${method}: the server waited for the whole body`);
        // The body is not buffered: the process grows by far less than the 50 MB sent at it.
        const grown = process.memoryUsage().rss - before;
        assert.ok(grown < 20 * 1024 * 1024, `${method}: grew ${grown} bytes`);
        // And the server answers the next request normally.
        const ok = await fetch(`${t.url}/dav/home/`, {
          method: 'PROPFIND',
          headers: { Authorization: AUTH, Depth: '0' },
        });
        assert.equal(ok.status, 207);
      });
    }
  }
});
