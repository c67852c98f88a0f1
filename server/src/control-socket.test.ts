import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { endToEndHeaders, forwardToControl, listenOnControlSocket } from './control-socket.js';

describe('forwarding to the control worker', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baluhost-control-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes on end-to-end headers only, both ways', () => {
    assert.deepEqual(
      endToEndHeaders({
        connection: 'close, x-private',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        upgrade: 'websocket',
        'x-private': 'one hop',
        authorization: 'Bearer t',
        'content-length': '17',
        'content-type': 'application/json',
      }),
      { authorization: 'Bearer t', 'content-length': '17', 'content-type': 'application/json' },
    );
  });

  it("keeps its connection to the control worker open when the client closes its own, and the client's answer says close", async () => {
    const socketPath = path.join(dir, 'control.sock');
    const seen: { connection: string | undefined; body: string }[] = [];
    const control = await listenOnControlSocket(socketPath, (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push({ connection: req.headers.connection, body });
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(`got ${body}`);
      });
    });
    let controlConnections = 0;
    control.on('connection', () => (controlConnections += 1));
    const front = http.createServer((req, res) => {
      forwardToControl(socketPath, req, res);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const port = (front.address() as { port: number }).port;
    try {
      for (let i = 0; i < 5; i++) {
        const answer = await new Promise<{ status: number; connection: string | undefined; body: string }>(
          (resolve, reject) => {
            // agent: false sends Connection: close, as a client making one request per connection does.
            const req = http.request({
              port,
              host: '127.0.0.1',
              method: 'PUT',
              path: '/api/fans/x',
              agent: false,
            });
            req.once('response', (res) => {
              let body = '';
              res.setEncoding('utf8');
              res.on('data', (c: string) => (body += c));
              res.once('end', () => {
                resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body });
              });
            });
            req.once('error', reject);
            req.end(`{"mode":"m${i}"}`);
          },
        );
        assert.equal(answer.status, 200);
        assert.equal(answer.body, `got {"mode":"m${i}"}`);
        assert.equal(answer.connection, 'close');
      }
      assert.deepEqual(
        seen.map((s) => s.connection),
        ['keep-alive', 'keep-alive', 'keep-alive', 'keep-alive', 'keep-alive'],
      );
      assert.equal(controlConnections, 1, 'one connection to the control worker, kept alive');
    } finally {
      front.closeAllConnections();
      await new Promise<void>((resolve) =>
        front.close(() => {
          resolve();
        }),
      );
      control.closeAllConnections();
      await new Promise<void>((resolve) =>
        control.close(() => {
          resolve();
        }),
      );
    }
  });
});
