import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DbInspector,
  NOT_SECRET_COLUMNS,
  REDACTED,
  SECRET_COLUMNS,
  SECRET_LIKE,
} from '../src/operations/db-inspector.js';
import { base32Decode, totpCode } from '../src/auth/totp.js';
import { bearer, startTestServer, type TestServer } from './helpers.js';

interface Rows {
  table: string;
  columns: { name: string; isRedacted: boolean; canFilter: boolean }[];
  rows: Record<string, unknown>[];
  total: number;
}

describe('database inspector', () => {
  let t: TestServer;
  let admin: [string, string];
  let inspector: DbInspector;
  /** Every secret this test made, in clear text and as stored. */
  const secrets: string[] = [];

  const get = async (url: string, status = 200): Promise<unknown> => {
    const res = await t
      .http()
      .get(url)
      .set(...admin);
    assert.equal(res.status, status, `GET ${url}: ${JSON.stringify(res.body)}`);
    return res.body;
  };

  before(async () => {
    t = await startTestServer();
    admin = bearer(await t.adminToken());
    inspector = new DbInspector(t.server.db, t.server.config);
    for (const name of ['alice', 'bob']) {
      const password = `${name}-password-1`;
      secrets.push(password);
      await t.createUser(name, password);
      await t.login(name, password);
    }
    const alice = bearer(await t.login('alice', 'alice-password-1'));
    const app = await t
      .http()
      .post('/api/me/app-passwords')
      .set(...alice)
      .send({ name: 'laptop' });
    assert.equal(app.status, 201, JSON.stringify(app.body));
    secrets.push((app.body as { password: string }).password);
    // Two-factor login: the shared secret (base32 to the user, sealed in the db) and the recovery codes.
    const enrol = await t
      .http()
      .post('/api/me/totp')
      .set(...alice)
      .send({});
    assert.equal(enrol.status, 201, JSON.stringify(enrol.body));
    const totpSecret = (enrol.body as { secret: string }).secret;
    secrets.push(totpSecret);
    const code = totpCode(base32Decode(totpSecret), Date.now());
    const confirm = await t
      .http()
      .post('/api/me/totp/confirm')
      .set(...alice)
      .send({ code });
    assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
    secrets.push(...(confirm.body as { recoveryCodes: string[] }).recoveryCodes);
    // A WebDAV lock, whose token is redacted too.
    const auth = `Basic ${Buffer.from('alice:alice-password-1').toString('base64')}`;
    const put = await fetch(`${t.url}/dav/home/locked.txt`, {
      method: 'PUT',
      headers: { authorization: auth },
      body: 'x',
    });
    assert.ok(put.ok, `PUT ${String(put.status)}`);
    const lock = await fetch(`${t.url}/dav/home/locked.txt`, {
      method: 'LOCK',
      headers: { authorization: auth, 'content-type': 'application/xml', timeout: 'Second-600' },
      body: '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>',
    });
    assert.equal(lock.status, 200, await lock.text());
    // Notification channels hold webhook secrets (and SMTP passwords).
    const webhookSecret = 'webhook-secret-value-1234';
    secrets.push(webhookSecret);
    await t.server.db('settings').insert({
      key: 'notifications.channels',
      value: JSON.stringify({ webhooks: [{ url: 'https://hooks.example/x', secret: webhookSecret }] }),
      updatedAt: new Date().toISOString(),
    });
    // What is stored: the hashes and tokens themselves.
    for (const id of [
      'users.password_hash',
      'refresh_tokens.token_hash',
      'app_passwords.token_hash',
      'locks.token',
    ]) {
      const [table, column] = id.split('.') as [string, string];
      const rows = await inspector.rows(table, { offset: 0, limit: 500 });
      assert.ok(rows.rows.length > 0, `the test made no ${table} rows`);
      const raw = await t.server.db.raw(`select ${column} as v from ${table}`);
      const values = (Array.isArray(raw) ? raw : (raw as { rows: unknown[] }).rows) as { v: unknown }[];
      for (const r of values) if (typeof r.v === 'string' && r.v.length >= 8) secrets.push(r.v);
    }
    assert.ok(secrets.length >= 20, `secrets: ${String(secrets.length)}`);
  });
  after(async () => {
    await t.close();
  });

  it('knows every column that looks like a secret: redacted, or allowed with a reason', async () => {
    const seen = new Set<string>();
    for (const table of await inspector.tableNames()) {
      for (const column of await inspector.columns(table)) {
        const id = `${table}.${column}`;
        seen.add(id);
        if (!SECRET_LIKE.test(column)) continue;
        assert.ok(
          id in SECRET_COLUMNS || id in NOT_SECRET_COLUMNS,
          `${id} looks like a secret: add it to SECRET_COLUMNS, or to NOT_SECRET_COLUMNS with a reason`,
        );
      }
    }
    const tables = new Set([...seen].map((id) => id.split('.')[0]));
    for (const id of [...Object.keys(SECRET_COLUMNS), ...Object.keys(NOT_SECRET_COLUMNS)]) {
      // Listed tables may be absent (a feature not migrated yet); listed columns of present tables may not.
      if (tables.has(id.split('.')[0])) assert.ok(seen.has(id), `${id} is listed but is not in the schema`);
    }
    for (const reason of Object.values(NOT_SECRET_COLUMNS)) assert.ok(reason.length > 10);
  });

  it('never answers a secret, whatever is asked', async () => {
    const answers: string[] = [];
    const tables = (await get('/api/db/tables')) as { tables: { name: string; rowCount: number }[] };
    answers.push(JSON.stringify(tables));
    for (const { name } of tables.tables) {
      const page = (await get(`/api/db/tables/${name}/rows?limit=500`)) as Rows;
      answers.push(JSON.stringify(page));
      for (const c of page.columns.filter((x) => x.canFilter)) {
        answers.push(
          JSON.stringify(await get(`/api/db/tables/${name}/rows?limit=500&sort=${c.name}&order=desc`)),
        );
      }
      for (const c of page.columns.filter((x) => !x.canFilter)) {
        await get(`/api/db/tables/${name}/rows?sort=${c.name}`, 400);
        await get(`/api/db/tables/${name}/rows?filterColumn=${c.name}&filterValue=a`, 400);
      }
      for (const row of page.rows) {
        for (const c of page.columns.filter((x) => x.isRedacted)) {
          assert.ok(row[c.name] === REDACTED || row[c.name] === null, `${name}.${c.name}`);
        }
      }
    }
    const all = answers.join('\n');
    for (const s of secrets) assert.ok(!all.includes(s), `a secret left the server: ${s.slice(0, 6)}…`);
    const settings = (await get(
      '/api/db/tables/settings/rows?filterColumn=key&filterValue=notifications',
    )) as Rows;
    assert.deepEqual(
      settings.rows.map((r) => r['value']),
      [REDACTED],
    );
  });

  it('pages, sorts and filters on one column', async () => {
    const users = (await get('/api/db/tables/users/rows?sort=username&order=desc&limit=2')) as Rows;
    assert.deepEqual(
      users.rows.map((r) => r['username']),
      ['bob', 'alice'],
    );
    assert.equal(users.total, 3);
    const next = (await get('/api/db/tables/users/rows?sort=username&order=desc&limit=2&offset=2')) as Rows;
    assert.deepEqual(
      next.rows.map((r) => r['username']),
      ['admin'],
    );
    const filtered = (await get('/api/db/tables/users/rows?filterColumn=username&filterValue=LI')) as Rows;
    assert.deepEqual(
      filtered.rows.map((r) => r['username']),
      ['alice'],
    );
    assert.equal(filtered.total, 1);
    // LIKE's wildcards are literal.
    const none = (await get('/api/db/tables/users/rows?filterColumn=username&filterValue=%25')) as Rows;
    assert.equal(none.total, 0);
  });

  it('checks table and column names against the schema', async () => {
    await get('/api/db/tables/nope/rows', 404);
    await get('/api/db/tables/users;drop/rows', 400);
    await get('/api/db/tables/users/rows?sort=nope', 400);
    await get('/api/db/tables/users/rows?filterColumn=username%20or%201&filterValue=x', 400);
    const tables = (await get('/api/db/tables')) as { tables: { name: string; rowCount: number }[] };
    assert.equal(tables.tables.find((x) => x.name === 'users')?.rowCount, 3);
  });

  it('is for admins only', async () => {
    const res = await t
      .http()
      .get('/api/db/tables')
      .set(...bearer(await t.login('bob', 'bob-password-1')));
    assert.equal(res.status, 403);
  });
});
