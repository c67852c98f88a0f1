import http from 'node:http';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/**
 * The admin routes of the parts that run in the control worker alone (see WorkerRole): Samba's supervisor, the
 * service status sampler, the hardware drivers (RAID, S.M.A.R.T., power, fans and the host telemetry of
 * /api/system: the fan loop runs there, a CPU load is measured since that process's last reading, and the
 * simulations' state is that process's, saved under <data dir>/hardware), the energy plug (the simulated one keeps
 * its counters in that process), the scheduler (a run is cancelled in the process that runs it), telemetry, and
 * the Prometheus registry (which gathers the other workers' own series).
 */
const CONTROL_ROUTES =
  /^\/api\/(smb|services|system|raid|smart|power|fans|energy|scheduler|telemetry|metrics)(\/|\?|$)/;

/** Header carrying the client's address from a worker to the control worker; honoured on the socket only. */
const PEER_HEADER = 'x-baluhost-peer';

export function isControlRequest(req: http.IncomingMessage): boolean {
  return CONTROL_ROUTES.test(req.url ?? '');
}

/** Where the control worker listens for forwarded requests: in the data dir, so only BaluHost's user reaches it. */
export function controlSocketPath(dataDir: string): string {
  return path.join(dataDir, 'run', 'control.sock');
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** Headers of one connection, never passed on by a proxy (RFC 9110 7.6.1), besides those `Connection` names. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * `headers` without those of its own connection. Passed on, a client's `Connection: close` made every forwarded
 * request a connection of its own that the control worker closed after answering, and the end of a request
 * written to it could then fail (EPIPE) and be answered as a restart; the control worker's `keep-alive` would
 * have told a client that asked to close to stay.
 */
export function endToEndHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const named = (headers.connection ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !named.includes(name)) out[name] = value;
  }
  return out;
}

/** Passes a request to the control worker and its answer back, streaming both ways. */
export function forwardToControl(
  socketPath: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): void {
  const headers = { ...endToEndHeaders(req.headers), [PEER_HEADER]: req.socket.remoteAddress ?? '' };
  const upstream = http.request(
    { socketPath, agent, method: req.method, path: req.url, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEndHeaders(answer.headers));
      answer.pipe(res);
    },
  );
  upstream.once('error', () => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // The control worker is restarting: the client may try again in a moment.
    res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '2' });
    res.end(
      JSON.stringify({
        error: {
          code: 'SERVICE_UNAVAILABLE',
          message: 'The control worker is restarting. Try again in a moment.',
          requestId: req.headers['x-request-id'] ?? null,
        },
      }),
    );
  });
  res.once('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

/**
 * The control worker's socket for requests the other workers forward. The address the client connected from
 * comes in {@link PEER_HEADER}; it stands in for the socket's own (none, on a Unix socket), so that audit rows,
 * rate limits and the trusted-proxy rule see the same address as on the worker that took the connection.
 */
export async function listenOnControlSocket(
  socketPath: string,
  listener: http.RequestListener,
): Promise<http.Server> {
  mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  rmSync(socketPath, { force: true });
  const server = http.createServer((req, res) => {
    const peer = req.headers[PEER_HEADER];
    delete req.headers['x-baluhost-peer'];
    Object.defineProperty(req.socket, 'remoteAddress', {
      value: typeof peer === 'string' && peer !== '' ? peer : undefined,
      configurable: true,
    });
    listener(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // exclusive: the socket is this worker's own, not a handle node:cluster shares among the workers.
    server.listen({ path: socketPath, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
