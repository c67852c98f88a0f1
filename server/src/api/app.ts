import type { IncomingMessage, ServerResponse } from 'node:http';
import { createWebdavHandler } from '@baluhost/protocols';
import { fileURLToPath } from 'node:url';
import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import cors from 'cors';
import { rateLimit } from 'express-rate-limit';
import type { Config } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import type { Db } from '../db/index.js';
import type { Services } from '../services/index.js';
import { ApiRoutes } from './route.js';
import { errorHandler, originOf, requestContext } from './middleware.js';
import { NotFoundError, TooManyRequestsError, UnauthenticatedError } from '../errors/index.js';
import { registerSystemRoutes } from './routes/system-routes.js';
import { registerAuthRoutes } from './routes/auth-routes.js';
import { registerUsersRoutes } from './routes/users-routes.js';
import { registerGroupsRoutes } from './routes/groups-routes.js';
import { registerAuditRoutes } from './routes/audit-routes.js';
import { registerFilesRoutes } from './routes/files-routes.js';
import { registerSharesRoutes } from './routes/shares-routes.js';
import { registerHardwareRoutes } from './routes/hardware-routes.js';
import { registerSchedulerRoutes } from './routes/scheduler-routes.js';
import { registerMetricsRoutes } from './routes/metrics-routes.js';
import { registerTelemetryRoutes } from './routes/telemetry-routes.js';
import { registerNotificationsRoutes } from './routes/notifications-routes.js';
import { registerSmbRoutes } from './routes/smb-routes.js';
import { registerTotpRoutes } from './routes/totp-routes.js';
import { KnexRateLimitStore } from './rate-limit-store.js';
import { registerServicesRoutes } from './routes/services-routes.js';
import { registerDbRoutes } from './routes/db-routes.js';
import { registerEnergyRoutes } from './routes/energy-routes.js';
import { DbInspector } from '../operations/db-inspector.js';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Db;
  readonly dbClient: string;
  readonly services: Services;
  readonly version: string;
  /** The built admin console served at `/`: DEFAULT_CONSOLE_DIR when absent, nothing when null. */
  readonly consoleDir?: string | null;
}

/** Where `npm run build --workspace admin-ui` puts the console (the same from server/src/api and server/dist/api). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(
  new URL('../../../admin-ui/dist/admin-ui/browser', import.meta.url),
);

/** The Express app: the API under /api, the admin console at /; protocols mount beside them. */
export function createApp(deps: AppDeps): {
  app: Express;
  routes: ApiRoutes;
  /** The WebDAV handler, for a listener that routes /dav before Express. */
  dav: (req: IncomingMessage, res: ServerResponse) => void;
} {
  const { config, services } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy ? 'loopback' : false);
  // WebDAV answers /dav and /dav/..., and Windows' first probe `OPTIONS /`; Express never touches their bodies.
  const dav = createWebdavHandler({
    storage: services.storage,
    auth: services.webdavAuth,
    prefix: '/dav',
    logger: deps.logger.child({ component: 'webdav' }),
    onRequestDone: (info) => {
      services.metrics.onWebdavRequest(info);
      services.serviceStatus.onWebdavRequest(info);
    },
  });
  app.use((req, res, next) => {
    if (isWebdavRequest(req)) {
      dav(req, res);
      return;
    }
    next();
  });
  app.use(services.metrics.httpMiddleware);
  app.use(requestContext(deps.logger.child({ component: 'api' })));
  app.use(helmet());

  const api = express.Router();
  if (config.corsOrigins.length > 0) {
    api.use(
      '/api',
      cors({
        origin: [...config.corsOrigins],
        credentials: false,
        exposedHeaders: ['X-Request-Id', 'Retry-After'],
      }),
    );
  }
  // Body parsers belong on /api only: WebDAV bodies are the storage core's business.
  // File uploads stream into the storage core: no parser may read them, whatever their content type.
  const isJsonBody = (req: IncomingMessage): boolean =>
    !/^\/api\/files\/(content|upload)(\?|$)/.test(
      (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? '',
    ) && /^application\/([\w.+-]*\+)?json\b/i.test(req.headers['content-type'] ?? '');
  api.use('/api', express.json({ limit: config.jsonBodyLimitBytes, strict: true, type: isJsonBody }));
  api.use(
    '/api/auth',
    rateLimit({
      windowMs: 60_000,
      limit: config.authRateLimitPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      // In the database, so that the limit holds across every worker (baluhost serve --workers N).
      store: new KnexRateLimitStore(deps.db, 'auth:'),
      handler: (req, _res, next, options) => {
        const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
        const retryAfter = resetTime
          ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000))
          : Math.ceil(options.windowMs / 1000);
        services.audit
          .recordAnonymous(originOf(req), null, {
            action: 'auth.rate_limit',
            result: 'denied',
            target: req.path,
          })
          .then(
            () => {
              next(
                new TooManyRequestsError('Too many requests to the login API. Try again later.', retryAfter),
              );
            },
            (err: unknown) => {
              next(err);
            },
          );
      },
    }),
  );

  const routes = new ApiRoutes(api, async (req) => {
    const header = req.get('authorization');
    const match = header === undefined ? null : /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
    if (!match?.[1]) throw new UnauthenticatedError('Send an access token: Authorization: Bearer <token>.');
    return services.auth.authenticateAccessToken(match[1], originOf(req));
  });
  registerSystemRoutes(routes, { db: deps.db, dbClient: deps.dbClient, version: deps.version });
  registerAuthRoutes(routes, services);
  registerTotpRoutes(routes, services);
  registerUsersRoutes(routes, services);
  registerGroupsRoutes(routes, services);
  registerAuditRoutes(routes, services);
  registerSharesRoutes(routes, services);
  registerFilesRoutes(routes, services);
  registerHardwareRoutes(routes, services);
  registerSchedulerRoutes(routes, services);
  registerMetricsRoutes(routes, services);
  registerTelemetryRoutes(routes, services);
  registerEnergyRoutes(routes, services);
  registerNotificationsRoutes(routes, services);
  registerSmbRoutes(routes, services);
  registerServicesRoutes(routes, services);
  registerDbRoutes(routes, new DbInspector(deps.db, config));

  let document: unknown;
  api.get('/api/openapi.json', (_req, res) => {
    document ??= routes.document(deps.version);
    res.json(document);
  });
  // swagger-ui's page needs inline styles and its own init script; the rest of the app keeps helmet's CSP.
  api.use(
    '/api/docs',
    helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
        },
      },
    }),
    apiDocs(),
  );
  api.use('/api', (req, _res, next) => {
    next(new NotFoundError(`No API route ${req.method} ${req.originalUrl.split('?')[0] ?? ''}.`));
  });
  app.use(api);
  const consoleDir = deps.consoleDir === undefined ? DEFAULT_CONSOLE_DIR : deps.consoleDir;
  if (consoleDir !== null) app.use(serveConsole(consoleDir));
  return { app, routes, dav };
}

/** Paths the console never answers: the API's own 404 and the protocols (mounted after) get them. */
const NOT_CONSOLE = /^\/(api|dav)(\/|$)/;
/** Angular's output-hashed file names (chunk-ABCD1234.js, media/roboto-…-ABCD1234.woff2) never change content. */
const HASHED_ASSET = /-[A-Z0-9]{8}\.(js|css|woff2?|ttf)$/;

/**
 * The built admin console: its files, and index.html for any other GET or HEAD that accepts HTML (client-side
 * routes such as /users). When the folder is missing (console not built) every request falls through.
 */
function serveConsole(root: string): Router {
  const router = express.Router();
  // Helmet's default CSP, less upgrade-insecure-requests: on a plain-http LAN address (http://192.168.1.10:8080)
  // it makes the browser fetch the console's own scripts over https, and the page stays blank. TLS belongs to
  // the reverse proxy in front (see the README); scripts stay 'self' only.
  // Previews of the user's own files are blob: URLs made by the console (PDF in a frame, images).
  const csp = helmet.contentSecurityPolicy({
    directives: {
      'upgrade-insecure-requests': null,
      'frame-src': ["'self'", 'blob:'],
      'img-src': ["'self'", 'data:', 'blob:'],
    },
  });
  const files = express.static(root, {
    index: 'index.html',
    redirect: false,
    setHeaders: (res, filePath) => {
      res.setHeader(
        'Cache-Control',
        HASHED_ASSET.test(filePath) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  router.use((req, res, next) => {
    if (NOT_CONSOLE.test(req.path)) {
      next();
      return;
    }
    csp(req, res, () => {
      files(req, res, next);
    });
  });
  router.use((req, res, next) => {
    if (
      (req.method !== 'GET' && req.method !== 'HEAD') ||
      NOT_CONSOLE.test(req.path) ||
      !req.accepts('html')
    ) {
      next();
      return;
    }
    res.sendFile('index.html', { root, headers: { 'Cache-Control': 'no-cache' } }, (err?: Error) => {
      // Not built: fall through to the 404 of whatever comes next.
      if (err && !res.headersSent) next();
    });
  });
  return router;
}

/**
 * The interactive API docs (swagger-ui), loaded on the first visit: most servers never show them, and the
 * package weighs several MB of memory.
 */
function apiDocs(): RequestHandler {
  let handlers: Promise<RequestHandler[]> | undefined;
  return (req, res, next) => {
    handlers ??= import('swagger-ui-express').then(({ default: swaggerUi }) => [
      ...swaggerUi.serve,
      swaggerUi.setup(undefined, {
        swaggerOptions: { url: '/api/openapi.json' },
        customSiteTitle: 'BaluHost API',
      }),
    ]);
    handlers.then(
      (chain) => {
        const run = (i: number, err?: unknown): void => {
          const handler = chain[i];
          if (err !== undefined || handler === undefined) {
            next(err);
            return;
          }
          void handler(req, res, (e?: unknown) => {
            run(i + 1, e);
          });
        };
        run(0);
      },
      (err: unknown) => {
        next(err);
      },
    );
  };
}

/** WebDAV answers /dav and /dav/..., and Windows' first probe `OPTIONS /`. */
export function isWebdavRequest(req: IncomingMessage): boolean {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const p = q === -1 ? url : url.slice(0, q);
  return p === '/dav' || p.startsWith('/dav/') || (req.method === 'OPTIONS' && (p === '/' || p === '*'));
}

/** Appended last, after the protocols and the console have been mounted. */
export function finishApp(app: Express): void {
  app.use(errorHandler());
}
