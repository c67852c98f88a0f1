import assert from 'node:assert/strict';
import type { IntervalTimer } from '../src/scheduler/index.js';
import type { StartOptions } from '../src/index.js';
import { bearer, startTestServer, type TestServer } from './helpers.js';

/** A timer that never fires on its own: tests call the services' tick()/evaluate() instead. */
export class ManualTimer implements IntervalTimer {
  private next = 1;
  readonly callbacks = new Map<number, { callback: () => void; intervalMs: number }>();

  setInterval(callback: () => void, intervalMs: number): unknown {
    const handle = this.next++;
    this.callbacks.set(handle, { callback, intervalMs });
    return handle;
  }

  clearInterval(handle: unknown): void {
    this.callbacks.delete(handle as number);
  }
}

/** The server clock of a test: starts at the real time (access tokens are checked against it) and only moves when told. */
export class TestClock {
  nowMs = Date.now();
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/** supertest bodies are untyped; the assertions on them are the typing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ApiBody = any;

export interface MonitoredServer {
  readonly t: TestServer;
  readonly clock: TestClock;
  readonly timer: ManualTimer;
  readonly token: string;
  /** An authenticated admin request helper that asserts the status. */
  api(
    method: 'get' | 'post' | 'patch' | 'put',
    path: string,
    status: number,
    body?: object,
  ): Promise<ApiBody>;
}

/** A test server with a manual clock and timer; `share` starts a second process on the first one's database. */
export async function startMonitoredServer(
  options: {
    env?: Record<string, string>;
    share?: MonitoredServer;
    clock?: TestClock;
    startOptions?: StartOptions;
  } = {},
): Promise<MonitoredServer> {
  const clock = options.share?.clock ?? options.clock ?? new TestClock();
  const timer = new ManualTimer();
  const startOptions: StartOptions = {
    clock: clock.now,
    consoleDir: null,
    ...options.startOptions,
    monitoring: { timer, ...options.startOptions?.monitoring },
  };
  const t = await startTestServer(
    options.env ?? {},
    options.share ? { dataDir: options.share.t.dataDir, env: options.share.t.env } : undefined,
    startOptions,
  );
  const token = await t.adminToken();
  return {
    t,
    clock,
    timer,
    token,
    async api(method, path, status, body) {
      const agent = t.http();
      const req = agent[method](path).set(...bearer(token));
      const res = body === undefined ? await req : await req.send(body);
      assert.equal(res.status, status, `${method.toUpperCase()} ${path}: ${JSON.stringify(res.body)}`);
      // eslint-disable-next-line @typescript-eslint/no-unsafe-return -- see ApiBody
      return res.body;
    },
  };
}
