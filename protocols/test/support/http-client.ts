/** A minimal HTTP client for WebDAV tests: any method, raw headers, the whole answer as text. */
import http from 'node:http';

export interface DavResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface DavRequest {
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** [username, password]; null: no Authorization header. */
  readonly auth?: readonly [string, string] | null;
}

export function basic(username: string, password: string): string {
  return 'Basic ' + Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}

export function davRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: DavRequest = {},
): Promise<DavResponse> {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  const auth = options.auth === undefined ? (['alice', 'alice-pass'] as const) : options.auth;
  if (auth !== null) headers['Authorization'] = basic(auth[0], auth[1]);
  if (options.body !== undefined && headers['Transfer-Encoding'] === undefined) {
    headers['Content-Length'] = String(Buffer.byteLength(options.body));
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
