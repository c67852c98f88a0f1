// The harness's own HTTP client is Node code too, and V8 optimizes it over its first few thousand requests. The
// first server measured would pay for that warm-up in its small uploads, while the servers after it met an optimized
// client. So the harness first drives the same request paths against a sink, a child process that answers every
// request and keeps nothing, and every server is measured with the same warm client (e2e/bench/README.md).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { smallPuts } from './workloads.mjs';
import { basicAuth, keepAliveAgent, request } from './http.mjs';

const SINK = `
const http = require('node:http');
const small = Buffer.alloc(4096, 120);
http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    const body = req.method === 'GET' ? small : Buffer.alloc(0);
    res.writeHead(req.method === 'PUT' || req.method === 'MKCOL' ? 201 : 200, { 'Content-Length': body.length });
    res.end(body);
  });
}).listen(0, '127.0.0.1', function () { console.log(this.address().port); });
`;

/** Sends `count` sequential and `count` concurrent 4 KiB PUTs, and `count` GETs, to a sink; resolves when done. */
export async function warmClient(payload, count) {
  const child = spawn(process.execPath, ['-e', SINK], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = await once(child.stdout, 'data');
    const port = Number(String(line).trim());
    const h = { davBase: `http://127.0.0.1:${port}/dav/`, auth: basicAuth('warm', 'up') };
    for (let round = 0; round < 2; round++) {
      await smallPuts(h, { smallPuts: count }, payload, `seq-${round}`, 1);
      await smallPuts(h, { smallPuts: count }, payload, `c16-${round}`, 16);
    }
    const agent = keepAliveAgent(1);
    try {
      for (let i = 0; i < count; i++) await request(`${h.davBase}small.bin`, { agent, auth: h.auth });
    } finally {
      agent.destroy();
    }
  } finally {
    child.kill();
  }
}
