import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { HardwareServiceOptions } from './hardware/index.js';
import type { Config } from './config/index.js';
import { redactConfig } from './config/index.js';
import { createLogger, type Logger } from './logging/logger.js';
import { migrateLatest, openDatabase, type Db, type DatabaseInfo } from './db/index.js';
import { createServices, type Services } from './services/index.js';
import { createApp, finishApp, isWebdavRequest } from './api/app.js';
import { loadOrCreateSecret } from './keys.js';
import { prepareLayout, removeStaleTmp } from './storage/layout.js';
import { VERSION } from './version.js';
import { loadTls } from './tls.js';
import { startMonitoring, stopMonitoring, type MonitoringOptions } from './scheduler/monitoring-services.js';

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
  /** The scheduler's timer (tests drive their own), extra jobs, the telemetry source: see MonitoringOptions. */
  readonly monitoring?: Omit<MonitoringOptions, 'logger'>;
}

export interface BaluhostServer {
  readonly url: string;
  /** The HTTPS address, when a certificate is configured or generated. */
  readonly tlsUrl: string | null;
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
  const services = createServices(
    db,
    config,
    jwtSecret,
    layout,
    options.clock,
    { ...options.hardware, logger: logger.child({ component: 'hardware' }) },
    { ...options.monitoring, logger },
  );
  await services.hardware.start();
  await services.smb.start(logger.child({ component: 'smb' }));
  const { app, dav } = createApp({
    config,
    logger,
    db,
    dbClient: info.client,
    services,
    version: VERSION,
    consoleDir: options.consoleDir,
  });
  finishApp(app);

  const tls = await loadTls(config);
  // WebDAV goes straight to its handler: Express's routing and middleware would only add work to every request
  // of a sync client. The app still routes it too, for code that mounts the app alone.
  const listener: http.RequestListener = (req, res) => {
    if (isWebdavRequest(req)) dav(req, res);
    else app(req, res);
  };
  const servers: (http.Server | https.Server)[] = [http.createServer(listener)];
  if (tls) servers.push(https.createServer({ cert: tls.cert, key: tls.key }, listener));
  // Responses not yet finished: on close, they are told to end their connection, so that a keep-alive client
  // (nginx's upstream pool, a WebDAV client) does not hold the shutdown open after its last answer.
  const inFlight = new Set<http.ServerResponse>();
  let isClosing = false;
  for (const s of servers) {
    // Keep-alive longer than a reverse proxy's, so that it never reuses a socket this side is closing.
    s.keepAliveTimeout = 65_000;
    s.headersTimeout = 66_000;
    s.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      if (isClosing) res.setHeader('Connection', 'close');
      inFlight.add(res);
      res.once('close', () => inFlight.delete(res));
    });
  }
  const listen = (s: http.Server | https.Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, config.host, () => {
        s.off('error', reject);
        resolve((s.address() as AddressInfo).port);
      });
    });
  const [server, secure] = servers as [http.Server, https.Server | undefined];
  const port = await listen(server, config.port);
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${hostForUrl}:${port}`;
  let tlsUrl: string | null = null;
  if (secure && tls) {
    tlsUrl = `https://${hostForUrl}:${await listen(secure, config.tlsPort)}`;
    logger.info({ url: tlsUrl, certificate: tls.source }, 'listening with TLS');
  }

  const initial = await services.users.ensureInitialAdmin(config.adminPassword);
  if (initial?.generatedPassword) {
    (options.onAdminPassword ?? printAdminBanner)(initial.username, initial.generatedPassword, url);
  } else if (initial) {
    logger.info({ username: initial.username }, 'first admin created with the configured password');
  }
  logger.info({ url }, 'listening');
  await startMonitoring(services);
  services.serviceStatus.useHttpServers(servers);
  services.serviceStatus.start();

  let closing: Promise<void> | undefined;
  return {
    url,
    tlsUrl,
    port,
    config,
    db,
    dbInfo: info,
    services,
    logger,
    close() {
      closing ??= (async () => {
        isClosing = true;
        for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
        const drained = Promise.all(
          servers.map(
            (s) =>
              new Promise<void>((resolve) => {
                s.close(() => {
                  resolve();
                });
                s.closeIdleConnections();
              }),
          ),
        );
        // Requests in flight (a long upload) get the shutdown timeout to finish; then their sockets are cut, so
        // that systemd's TimeoutStopSec never has to SIGKILL us half-way through closing the database.
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => {
            resolve(true);
          }, config.shutdownTimeoutSeconds * 1000);
        });
        const isTimedOut = await Promise.race([drained.then(() => false), timedOut]);
        clearTimeout(timer);
        if (isTimedOut) {
          logger.warn(
            { timeoutSeconds: config.shutdownTimeoutSeconds },
            'shutdown timeout: closing connections',
          );
          for (const s of servers) s.closeAllConnections();
          await drained;
        }
        await stopMonitoring(services);
        await services.hardware.close();
        await services.smb.close();
        services.serviceStatus.close();
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
