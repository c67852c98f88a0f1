/** Starts the WebDAV handler on 127.0.0.1:0 over the scaffold storage (protocol-level tests only). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createWebdavHandler, type WebdavOptions } from '../../src/webdav/index.js';
import { FsStorage, ScaffoldAuth } from './fs-storage.js';

export interface ScaffoldServer {
  readonly url: string;
  readonly port: number;
  readonly storage: FsStorage;
  readonly logs: { level: string; obj: object; msg: string }[];
  readonly done: { method: string; status: number; bytesIn: number; bytesOut: number }[];
  close(): Promise<void>;
}

export const USERS: Readonly<Record<string, string>> = { alice: 'alice-pass', bob: 'bob-pass' };

export async function startScaffold(extra: Partial<WebdavOptions> = {}): Promise<ScaffoldServer> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'baluhost-dav-'));
  const storage = new FsStorage(root);
  for (const user of Object.keys(USERS)) await storage.ensureUser(user);
  const logs: ScaffoldServer['logs'] = [];
  const done: ScaffoldServer['done'] = [];
  const log =
    (level: string) =>
    (obj: object, msg: string): void => {
      logs.push({ level, obj, msg });
    };
  const handler = createWebdavHandler({
    storage,
    auth: new ScaffoldAuth(USERS),
    prefix: '/dav',
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    onRequestDone: (info) => done.push(info),
    ...extra,
  });
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (
      url === '/dav' ||
      url.startsWith('/dav/') ||
      url.startsWith('/dav?') ||
      (req.method === 'OPTIONS' && url === '/')
    ) {
      handler(req, res);
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    storage,
    logs,
    done,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      await rm(root, { recursive: true, force: true });
    },
  };
}
