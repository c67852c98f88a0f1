import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import knexFactory from 'knex';
import request from 'supertest';
import {
  loadConfig,
  startServer,
  type BaluhostServer,
  type Config,
  type StartOptions,
} from '../src/index.js';
import { migrateLatest, openDatabase, type Db } from '../src/db/index.js';

export const ADMIN_PASSWORD = 'admin-password-1';

/** The PostgreSQL run sets TEST_DATABASE_URL; every server then gets a schema of its own. */
export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'];

export interface TestServer {
  readonly server: BaluhostServer;
  readonly url: string;
  readonly dataDir: string;
  readonly env: Record<string, string>;
  readonly logs: string[];
  /** supertest against the live server. */
  http(): ReturnType<typeof request>;
  /** Logs in and returns the access token; asserts 200. */
  login(username: string, password: string): Promise<string>;
  /** Creates a user through the API as admin; returns its id. */
  createUser(username: string, password: string, extra?: Record<string, unknown>): Promise<number>;
  adminToken(): Promise<string>;
  /** Stops the server, keeping data dir and database (for restart tests). */
  stop(): Promise<void>;
  /** Starts a new server on the same data dir and database. */
  restart(): Promise<TestServer>;
  /** Stops the server and removes its data dir and database schema. */
  close(): Promise<void>;
}

class LogSink extends Writable {
  constructor(private readonly lines: string[]) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    done();
  }
}

export async function startTestServer(
  extraEnv: Record<string, string> = {},
  reuse?: { dataDir: string; env: Record<string, string> },
  /** Passed to startServer (a clock, the scheduler's timer...); kept by restart(). */
  startOptions: StartOptions = {},
): Promise<TestServer> {
  const dataDir = reuse?.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'baluhost-test-')));
  const env: Record<string, string> = reuse?.env ?? {
    BALUHOST_DATA_DIR: dataDir,
    PORT: '0',
    BALUHOST_HOST: '127.0.0.1',
    BALUHOST_ADMIN_PASSWORD: ADMIN_PASSWORD,
    BALUHOST_LOG_LEVEL: 'warn',
    BALUHOST_TLS_PORT: '0',
    ...(TEST_DATABASE_URL
      ? { DATABASE_URL: TEST_DATABASE_URL, BALUHOST_DATABASE_SCHEMA: `t_${randomBytes(6).toString('hex')}` }
      : {}),
    ...extraEnv,
  };
  const logs: string[] = [];
  const server = await startServer(loadConfig(env), { ...startOptions, logStream: new LogSink(logs) });
  let adminToken: string | undefined;
  let stopped = false;
  const ts: TestServer = {
    server,
    url: server.url,
    dataDir,
    env,
    logs,
    http: () => request(server.url),
    async login(username, password) {
      const res = await request(server.url).post('/api/auth/login').send({ username, password });
      assert.equal(res.status, 200, `login as ${username}: ${JSON.stringify(res.body)}`);
      return (res.body as { accessToken: string }).accessToken;
    },
    async adminToken() {
      adminToken ??= await ts.login('admin', ADMIN_PASSWORD);
      return adminToken;
    },
    async createUser(username, password, extra = {}) {
      const res = await request(server.url)
        .post('/api/users')
        .set('Authorization', `Bearer ${await ts.adminToken()}`)
        .send({ username, password, ...extra });
      assert.equal(res.status, 201, `create ${username}: ${JSON.stringify(res.body)}`);
      return (res.body as { id: number }).id;
    },
    async stop() {
      if (!stopped) {
        stopped = true;
        await server.close();
      }
    },
    async restart() {
      await ts.stop();
      return startTestServer({}, { dataDir, env }, startOptions);
    },
    async close() {
      await ts.stop();
      await dropTestDatabase(env);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return ts;
}

export async function dropTestDatabase(env: Record<string, string>): Promise<void> {
  const schema = env['BALUHOST_DATABASE_SCHEMA'];
  if (!TEST_DATABASE_URL || !schema) return;
  const db = knexFactory({ client: 'pg', connection: TEST_DATABASE_URL });
  try {
    await db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
  } finally {
    await db.destroy();
  }
}

/** A database of its own for a test that uses one without a server: see {@link openTestDatabase}. */
export interface TestDatabase {
  readonly db: Db;
  readonly dataDir: string;
  /** The configuration the database was opened with. */
  readonly config: Config;
  /** Destroys the connection, drops the PostgreSQL schema and removes the data dir. */
  close(): Promise<void>;
}

/**
 * Opens SQLite in a fresh data dir, or in the PostgreSQL run a fresh schema of TEST_DATABASE_URL, as the server
 * would (openDatabase); `migrate` applies every migration, otherwise the schema is empty.
 */
export async function openTestDatabase(prefix: string, { migrate = true } = {}): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `baluhost-${prefix}-`));
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const env: Record<string, string> = {
    BALUHOST_DATA_DIR: dataDir,
    ...(TEST_DATABASE_URL ? { DATABASE_URL: TEST_DATABASE_URL, BALUHOST_DATABASE_SCHEMA: schema } : {}),
  };
  const config = loadConfig(env);
  const { db } = openDatabase(config);
  if (migrate) await migrateLatest(db, config);
  else if (TEST_DATABASE_URL) await db.raw('CREATE SCHEMA ??', [schema]);
  return {
    db,
    dataDir,
    config,
    async close() {
      await db.destroy();
      await dropTestDatabase(env);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function readJwtSecret(dataDir: string): Promise<string> {
  return (await readFile(path.join(dataDir, 'keys', 'jwt-secret'), 'utf8')).trim();
}

export function bearer(token: string): [string, string] {
  return ['Authorization', `Bearer ${token}`];
}

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

/** Runs the `baluhost` CLI from source with exactly this environment (plus PATH). */
export function baluhost(args: string[], env: Record<string, string>, input?: string) {
  const r = spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', CLI, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** An answer read whole, with the worker that gave it (X-Baluhost-Worker; NaN from a single process). */
export interface Answer {
  readonly status: number;
  readonly worker: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One request on a connection of its own (so that node:cluster hands each to the next worker). */
export function send(
  url: string,
  method: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false });
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.once('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          worker: Number(res.headers['x-baluhost-worker']),
          headers: res.headers,
          body: text,
        });
      });
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** The admin's access token from a server started by the CLI at `url` (login over a connection of its own). */
export async function adminTokenAt(url: string): Promise<string> {
  const login = await send(
    `${url}/api/auth/login`,
    'POST',
    { 'Content-Type': 'application/json' },
    JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  );
  assert.equal(login.status, 200, login.body);
  return (JSON.parse(login.body) as { accessToken: string }).accessToken;
}
