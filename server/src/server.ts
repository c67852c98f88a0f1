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
import { createServices, type DomainEventName, type Services } from './services/index.js';
import { createApp, finishApp, isWebdavRequest } from './api/app.js';
import { expectsContinue } from '@baluhost/protocols';
import { loadOrCreateSecret } from './keys.js';
import { prepareLayout, removeStaleTmp } from './storage/layout.js';
import { VERSION } from './version.js';
import { loadTls } from './tls.js';
import { startMonitoring, stopMonitoring, type MonitoringOptions } from './scheduler/monitoring-services.js';
import { forwardToControl, isControlRequest, listenOnControlSocket } from './control-socket.js';
import { CONFIRMATION_SECRET_KEY } from './hardware/hardware-service.js';
import { startDiscovery, type Discovery } from './discovery.js';
import { PendingResponses } from './pending-responses.js';

/**
 * One worker of `baluhost serve --workers N`. The primary has migrated the database, cleared stale uploads and
 * created the first admin and the keys; workers share the ports (node:cluster) and every state in the database.
 */
export interface WorkerRole {
  /** 1..count; a restarted worker keeps its slot. */
  readonly slot: number;
  readonly count: number;
  /**
   * The control worker (slot 1) alone runs what must run once per server: the scheduler, telemetry sampling, alert
   * rules, the service status sampler, the fan loop, the SMB gateway and LAN discovery. The other workers forward
   * the admin routes of those parts ({@link isControlRequest}) to it over `controlSocket`.
   */
  readonly isControl: boolean;
  readonly controlSocket: string;
}

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
  /** Set in a worker of `baluhost serve --workers N`; absent for a single process. */
  readonly worker?: WorkerRole;
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
  readonly worker: WorkerRole | null;
  /** Stops accepting connections, lets requests in flight finish, then closes the database. */
  close(): Promise<void>;
}

/** The composition root: data dir, keys, database and migrations, services, the first admin, HTTP. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<BaluhostServer> {
  const worker = options.worker ?? null;
  const runsControl = worker === null || worker.isControl;
  const rootLogger = createLogger(config.logLevel, options.logStream);
  const logger = worker === null ? rootLogger : rootLogger.child({ worker: worker.slot });
  if (worker === null) logger.info({ config: redactConfig(config), version: VERSION }, 'starting');
  else logger.info({ pid: process.pid, isControl: worker.isControl }, 'worker starting');
  mkdirSync(config.dataDir, { recursive: true, mode: 0o750 });
  const jwtSecret = config.jwtSecret ?? loadOrCreateSecret(config.dataDir, 'jwt-secret');

  const { db, info } = openDatabase(config);
  // A worker finds the database migrated and stale uploads gone: the primary did both once, before forking.
  if (worker === null) {
    try {
      const applied = await migrateLatest(db, config);
      logger.info({ database: info.client, location: info.location, applied }, 'database ready');
    } catch (err) {
      await db.destroy();
      throw err;
    }
  }
  const layout = await prepareLayout(config.dataDir);
  if (worker === null) {
    const staleTmp = await removeStaleTmp(layout);
    if (staleTmp > 0) logger.info({ removed: staleTmp }, 'removed stale upload files');
  }
  const services = createServices(
    db,
    config,
    jwtSecret,
    layout,
    options.clock,
    { ...options.hardware, logger: logger.child({ component: 'hardware' }) },
    { ...options.monitoring, logger },
    worker === null,
  );
  if (runsControl) {
    await services.hardware.start();
    await services.smb.start(logger.child({ component: 'smb' }));
  }
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
  const local: http.RequestListener = (req, res) => {
    if (isWebdavRequest(req)) dav(req, res);
    else app(req, res);
  };
  // A worker names itself in X-Baluhost-Worker, so that an operator (and the tests) see which one answered.
  const listener: http.RequestListener =
    worker === null
      ? local
      : worker.isControl
        ? (req, res) => {
            res.setHeader('X-Baluhost-Worker', String(worker.slot));
            local(req, res);
          }
        : (req, res) => {
            res.setHeader('X-Baluhost-Worker', String(worker.slot));
            if (isControlRequest(req)) forwardToControl(worker.controlSocket, req, res);
            else local(req, res);
          };
  const servers: (http.Server | https.Server)[] = [http.createServer(listener)];
  if (tls) servers.push(https.createServer({ cert: tls.cert, key: tls.key }, listener));
  // Responses not yet finished: on close, they are told to end their connection, so that a keep-alive client
  // (nginx's upstream pool, a WebDAV client) does not hold the shutdown open after its last answer.
  const inFlight = new PendingResponses();
  // A small upload that is the only request in progress is written on the event loop (QUIET_WRITES).
  services.storage.setQuietCheck(() => inFlight.size <= 1);
  let isClosing = false;
  for (const s of servers) {
    // Keep-alive longer than a reverse proxy's, so that it never reuses a socket this side is closing.
    s.keepAliveTimeout = 65_000;
    s.headersTimeout = 66_000;
    s.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      if (isClosing) res.setHeader('Connection', 'close');
      inFlight.add(res);
    });
    // Expect: 100-continue. WebDAV sends 100 Continue itself once it wants the body (after authentication, rights,
    // locks and quota), so that a refused upload is never sent; everything else gets it at once, as Node would.
    s.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (isWebdavRequest(req)) expectsContinue(req, res);
      else res.writeContinue();
      s.emit('request', req, res);
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

  if (worker === null) {
    await createFirstAdmin(services, config, logger, url, options.onAdminPassword);
  }
  const internal = worker?.isControl ? await listenOnControlSocket(worker.controlSocket, local) : null;
  logger.info({ url }, 'listening');
  let discovery: Discovery | null = null;
  if (runsControl) {
    await startMonitoring(services);
    services.serviceStatus.useHttpServers(servers);
    services.serviceStatus.start();
    discovery = await startDiscovery(
      config,
      services,
      { port, tlsPort: tlsUrl === null ? null : Number(new URL(tlsUrl).port) },
      logger.child({ component: 'discovery' }),
    );
  }

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
    worker,
    close() {
      closing ??= (async () => {
        isClosing = true;
        inFlight.forEach((res) => {
          if (!res.headersSent) res.setHeader('Connection', 'close');
        });
        await discovery?.close();
        const drained = Promise.all(
          [...servers, ...(internal === null ? [] : [internal])].map(
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
          internal?.closeAllConnections();
          await drained;
        }
        if (runsControl) {
          await stopMonitoring(services);
          await services.hardware.close();
          await services.smb.close();
          services.serviceStatus.close();
        }
        await db.destroy();
        logger.info('stopped');
      })();
      return closing;
    },
  };
}

async function createFirstAdmin(
  services: Services,
  config: Config,
  logger: Logger,
  url: string,
  onAdminPassword: StartOptions['onAdminPassword'],
): Promise<void> {
  const initial = await services.users.ensureInitialAdmin(config.adminPassword);
  if (initial?.generatedPassword) {
    (onAdminPassword ?? printAdminBanner)(initial.username, initial.generatedPassword, url);
  } else if (initial) {
    logger.info({ username: initial.username }, 'first admin created with the configured password');
  }
}

/**
 * What the primary of `baluhost serve --workers N` does once before forking: the data dir and its keys, the
 * migrations, stale uploads, the first admin. Returns the domain events that raised (the first admin's
 * `user.created`), for the control worker's SMB gateway.
 */
export async function prepareForWorkers(
  config: Config,
  logger: Logger,
  onAdminPassword?: StartOptions['onAdminPassword'],
): Promise<{ name: DomainEventName; payload: unknown }[]> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o750 });
  const jwtSecret = config.jwtSecret ?? loadOrCreateSecret(config.dataDir, 'jwt-secret');
  loadOrCreateSecret(config.dataDir, CONFIRMATION_SECRET_KEY);
  const { db, info } = openDatabase(config);
  const raised: { name: DomainEventName; payload: unknown }[] = [];
  try {
    const applied = await migrateLatest(db, config);
    logger.info({ database: info.client, location: info.location, applied }, 'database ready');
    const layout = await prepareLayout(config.dataDir);
    const staleTmp = await removeStaleTmp(layout);
    if (staleTmp > 0) logger.info({ removed: staleTmp }, 'removed stale upload files');
    // createServices also creates the two-factor key.
    const services = createServices(db, config, jwtSecret, layout);
    services.events.relayTo((name, payload) => raised.push({ name, payload }));
    const scheme = config.host.includes(':') ? `[${config.host}]` : config.host;
    await createFirstAdmin(services, config, logger, `http://${scheme}:${config.port}`, onAdminPassword);
  } finally {
    await db.destroy();
  }
  return raised;
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
