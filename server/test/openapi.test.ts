import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Express } from 'express';
import { loadConfig } from '../src/config/index.js';
import { createApp } from '../src/api/app.js';
import { createLogger } from '../src/logging/logger.js';
import { openDatabase } from '../src/db/index.js';
import { createServices } from '../src/services/index.js';
import { prepareLayout } from '../src/storage/layout.js';
import { startTestServer, type TestServer } from './helpers.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every METHOD /path that Express actually registered under /api. */
function registeredRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push(`${method.toUpperCase()} ${layer.route.path}`);
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out.filter((r) => r.includes(' /api/')).sort();
}

describe('OpenAPI document', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.close();
  });

  it('describes exactly the routes Express registered, and nothing else', async () => {
    const config = loadConfig(t.env);
    const { db } = openDatabase(config);
    try {
      const services = createServices(db, config, 'x'.repeat(48), await prepareLayout(config.dataDir));
      const { app } = createApp({
        config,
        logger: createLogger('fatal'),
        db,
        dbClient: 'sqlite',
        services,
        version: 'test',
      });
      const doc = (await t.http().get('/api/openapi.json').expect(200)).body as {
        paths: Record<string, Record<string, unknown>>;
      };
      const documented = Object.entries(doc.paths)
        .flatMap(([p, ops]) =>
          Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
        )
        .sort();
      // The document itself and the docs page are the two routes it does not describe.
      const registered = registeredRoutes(app).filter((r) => r !== 'GET /api/openapi.json');
      assert.deepEqual(documented, registered);
      assert.ok(documented.includes('POST /api/auth/login'));
      assert.ok(documented.length >= 15);
    } finally {
      await db.destroy();
    }
  });

  it('is an OpenAPI 3 document with schemas and bearer security', async () => {
    const doc = (await t.http().get('/api/openapi.json')).body as {
      openapi: string;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
      paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown }>>;
    };
    assert.match(doc.openapi, /^3\./);
    assert.ok(doc.components.securitySchemes['bearer']);
    assert.ok(doc.components.schemas['User']);
    assert.ok(doc.components.schemas['Error']);
    assert.equal(doc.paths['/api/auth/login']?.['post']?.security, undefined);
    assert.ok(doc.paths['/api/users']?.['post']?.requestBody);
    const users = doc.paths['/api/users'];
    assert.ok(users);
    assert.deepEqual(users['get']?.security, [{ bearer: [] }]);
  });
});
