import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { HardwareServiceOptions } from './hardware/index.js';
import type { Config } from './config/index.js';
import { redactConfig } from './config/index.js';
import { createLogger, type Logger } from './logging/logger.js';
import { migrateLatest, openDatabase, type Db, type DatabaseInfo } from './db/index.js';
import { createServices, type Services } from './services/index.js';
import { createApp, finishApp } from './api/app.js';
import { loadOrCreateSecret } from './keys.js';
import { prepareLayout, removeStaleTmp } from './storage/layout.js';
import { VERSION } from './version.js';

export interface StartOptions {
  /** Where logs go (stdout when absent). */
  readonly logStream?: Writable;
  /** Called once with the generated first-admin password; prints a banner when absent. */
  readonly onAdminPassword?: (username: string, password: string, url: string) => void;
  readonly clock?: () => number;
  /** The hardware drivers' clock (tests pass a ManualClock) and /proc, /sys roots (fake trees in tests). */
  readonly hardware?: Pick<HardwareServiceOptions, 'clock' | 'procRoot' | 'sysfsRoot'>;
  /** The built admin console to serve at `/` (default: admin-ui's build output); null serves none. */
  readonly consoleDir?: string | null;
}

export interface BaluhostServer {
  readonly url: string;
  readonly port: number;
  readonly config: Config;
  readonly db: Db;
  readonly dbInfo: DatabaseInfo;
  readonly services: Services;
  readonly logger: Logger;
  /** Stops accepting connections, lets requests in flight finish, then closes the database. */
  close(): Promise<void>;
}

/** The composition root: data dir, keys, database and migrations, services, the first admin, HTTP. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<BaluhostServer> {
  const logger = createLogger(config.logLevel, options.logStream);
  logger.info({ config: redactConfig(config), version: VERSION }, 'starting');
  mkdirSync(config.dataDir, { recursive: true, mode: 0o750 });
  const jwtSecret = config.jwtSecret ?? loadOrCreateSecret(config.dataDir, 'jwt-secret');

  const { db, info } = openDatabase(config);
  try {
    const applied = await migrateLatest(db, config);
    logger.info({ database: info.client, location: info.location, applied }, 'database ready');
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const layout = await prepareLayout(config.dataDir);
  const staleTmp = await removeStaleTmp(layout);
  if (staleTmp > 0) logger.info({ removed: staleTmp }, 'removed stale upload files');
  const services = createServices(db, config, jwtSecret, layout, options.clock, {
    ...options.hardware,
    logger: logger.child({ component: 'hardware' }),
  });
  await services.hardware.start();
  const { app } = createApp({
    config,
    logger,
    db,
    dbClient: info.client,
    services,
    version: VERSION,
    consoleDir: options.consoleDir,
  });
  finishApp(app);

  const server = http.createServer(app);
  // Keep-alive longer than a reverse proxy's, so that it never reuses a socket this side is closing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${hostForUrl}:${port}`;

  const initial = await services.users.ensureInitialAdmin(config.adminPassword);
  if (initial?.generatedPassword) {
    (options.onAdminPassword ?? printAdminBanner)(initial.username, initial.generatedPassword, url);
  } else if (initial) {
    logger.info({ username: initial.username }, 'first admin created with the configured password');
  }
  logger.info({ url }, 'listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    config,
    db,
    dbInfo: info,
    services,
    logger,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
          server.closeIdleConnections();
        });
        await services.hardware.close();
        await db.destroy();
        logger.info('stopped');
      })();
      return closing;
    },
  };
}

function printAdminBanner(username: string, password: string, url: string): void {
  const lines = [
    '',
    '  BaluHost: first start. An admin account was created.',
    '',
    `    username: ${username}`,
    `    password: ${password}`,
    '',
    '  This password is shown once and stored nowhere in clear text.',
    `  Log in at ${url}/ and change it under My account.`,
    '',
  ];
  const width = Math.max(...lines.map((l) => l.length)) + 2;
  const bar = '='.repeat(width);
  process.stderr.write(`\n${bar}\n${lines.join('\n')}\n${bar}\n\n`);
}
