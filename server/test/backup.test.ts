import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { base32Decode, totpCode } from '../src/auth/totp.js';
import {
  ADMIN_PASSWORD,
  TEST_DATABASE_URL,
  baluhost,
  bearer,
  dropTestDatabase,
  startTestServer,
  type TestServer,
} from './helpers.js';

// The cross-database cases need PostgreSQL in every run (the SQLite run included): the local one by default,
// like `npm test -- --postgres`. A missing database fails them; they are never skipped.
const POSTGRES_URL = TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

type Backend = 'sqlite' | 'postgres';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function envFor(backend: Backend): Promise<Record<string, string>> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'baluhost-backup-'));
  const env: Record<string, string> = {
    BALUHOST_DATA_DIR: dataDir,
    PORT: '0',
    BALUHOST_HOST: '127.0.0.1',
    BALUHOST_LOG_LEVEL: 'warn',
    BALUHOST_TLS_PORT: '0',
    ...(backend === 'postgres'
      ? { DATABASE_URL: POSTGRES_URL, BALUHOST_DATABASE_SCHEMA: `t_${randomBytes(6).toString('hex')}` }
      : {}),
  };
  cleanups.push(async () => {
    await dropTestDatabase(env);
    await rm(dataDir, { recursive: true, force: true });
  });
  return env;
}

interface Snapshot {
  readonly users: unknown;
  readonly groups: unknown;
  readonly shares: unknown;
  readonly audit: { id: number }[];
}

async function snapshot(t: TestServer, token: string): Promise<Snapshot> {
  const get = async (url: string) => {
    const res = await t
      .http()
      .get(url)
      .set(...bearer(token));
    assert.equal(res.status, 200, `${url}: ${JSON.stringify(res.body)}`);
    return res.body as { items?: unknown };
  };
  return {
    users: (await get('/api/users?limit=500')).items,
    groups: await get('/api/groups'),
    shares: await get('/api/shares'),
    audit: (await get('/api/audit?limit=500')).items as { id: number }[],
  };
}

async function fill(t: TestServer): Promise<Buffer> {
  const admin = await t.adminToken();
  await t.createUser('alice', 'alice-password-1', { quotaBytes: 5_000_000 });
  await t.createUser('bob', 'bob-password-1', { role: 'admin' });
  const group = await t
    .http()
    .post('/api/groups')
    .set(...bearer(admin))
    .send({ name: 'family', members: ['alice', 'bob'] });
  assert.equal(group.status, 201, JSON.stringify(group.body));
  const share = await t
    .http()
    .post('/api/shares')
    .set(...bearer(admin))
    .send({
      name: 'photos',
      quotaBytes: 9_000_000,
      acl: [
        { type: 'group', name: 'family', access: 'read' },
        { type: 'user', name: 'alice', access: 'write' },
      ],
    });
  assert.equal(share.status, 201, JSON.stringify(share.body));
  const alice = await t.login('alice', 'alice-password-1');
  const enrol = await t
    .http()
    .post('/api/me/totp')
    .set(...bearer(alice));
  const secret = base32Decode((enrol.body as { secret: string }).secret);
  const confirm = await t
    .http()
    .post('/api/me/totp/confirm')
    .set(...bearer(alice))
    .send({ code: totpCode(secret, Date.now()) });
  assert.equal(confirm.status, 200);
  return secret;
}

async function backupAndRestore(from: Backend, to: Backend) {
  const sourceEnv = await envFor(from);
  const source = await startTestServer(
    {},
    {
      dataDir: sourceEnv['BALUHOST_DATA_DIR'] ?? '',
      env: { ...sourceEnv, BALUHOST_ADMIN_PASSWORD: ADMIN_PASSWORD },
    },
  );
  const secret = await fill(source);
  const before = await snapshot(source, await source.adminToken());
  await source.stop();

  const file = path.join(
    sourceEnv['BALUHOST_DATA_DIR'] ?? '',
    '..',
    `backup-${randomBytes(4).toString('hex')}.jsonl.gz`,
  );
  cleanups.push(() => rm(file, { force: true }));
  const made = baluhost(['backup', '--out', file], sourceEnv);
  assert.equal(made.status, 0, made.stderr);
  assert.match(made.stdout, /Wrote .*keys: .*jwt-secret.*totp-key/);
  assert.equal((await stat(file)).mode & 0o777, 0o600);

  const targetEnv = await envFor(to);
  const restored = baluhost(['restore', file], targetEnv);
  assert.equal(restored.status, 0, restored.stderr);
  const target = await startTestServer({}, { dataDir: targetEnv['BALUHOST_DATA_DIR'] ?? '', env: targetEnv });
  cleanups.push(() => target.stop());
  const after = await snapshot(target, await target.login('admin', ADMIN_PASSWORD));
  assert.deepEqual(after.users, before.users);
  assert.deepEqual(after.groups, before.groups);
  assert.deepEqual(after.shares, before.shares);
  const maxId = Math.max(...before.audit.map((e) => e.id));
  assert.deepEqual(
    after.audit.filter((e) => e.id <= maxId),
    before.audit,
  );
  // The same passwords, and the two-factor secret still opens with the restored key.
  const bare = await target
    .http()
    .post('/api/auth/login')
    .send({ username: 'alice', password: 'alice-password-1' });
  assert.equal(bare.body.error?.code, 'TOTP_REQUIRED');
  const ok = await target
    .http()
    .post('/api/auth/login')
    .send({
      username: 'alice',
      password: 'alice-password-1',
      totpCode: totpCode(secret, Date.now() + 30_000),
    });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  // New rows get fresh ids after the restored ones (PostgreSQL's sequences were moved on).
  const carol = await target.createUser('carol', 'carol-password-1');
  assert.ok(carol > Math.max(...(before.users as { id: number }[]).map((u) => u.id)));
  return { file, targetEnv };
}

describe('baluhost backup and restore', () => {
  const same: Backend = TEST_DATABASE_URL ? 'postgres' : 'sqlite';

  it(`restores users, groups, shares, quotas, the audit log and keys into a new data dir (${same})`, async () => {
    const { file, targetEnv } = await backupAndRestore(same, same);
    // The target now has users: a second restore is refused unless forced.
    const again = baluhost(['restore', file], targetEnv);
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /already has users/);
  });

  it('restores a SQLite backup into PostgreSQL', async () => {
    await backupAndRestore('sqlite', 'postgres');
  });

  it('restores a PostgreSQL backup into SQLite', async () => {
    await backupAndRestore('postgres', 'sqlite');
  });

  it('refuses a backup of another schema version, and a cut-off one, leaving the database empty', async () => {
    const sourceEnv = await envFor('sqlite');
    const made = baluhost(
      ['backup', '--out', path.join(sourceEnv['BALUHOST_DATA_DIR'] ?? '', 'b.jsonl.gz')],
      sourceEnv,
    );
    assert.equal(made.status, 0, made.stderr);
    const lines = gunzipSync(await readFile(path.join(sourceEnv['BALUHOST_DATA_DIR'] ?? '', 'b.jsonl.gz')))
      .toString('utf8')
      .trimEnd()
      .split('\n');
    const header = JSON.parse(lines[0] ?? '{}') as { migrations: string[] };
    const targetEnv = await envFor('sqlite');

    const older = path.join(
      targetEnv['BALUHOST_DATA_DIR'] ?? '',
      '..',
      `older-${randomBytes(4).toString('hex')}.jsonl.gz`,
    );
    cleanups.push(() => rm(older, { force: true }));
    await writeFile(
      older,
      gzipSync(
        [JSON.stringify({ ...header, migrations: header.migrations.slice(0, -1) }), ...lines.slice(1)].join(
          '\n',
        ),
      ),
    );
    const refused = baluhost(['restore', older], targetEnv);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /another schema version/);

    const cut = path.join(
      targetEnv['BALUHOST_DATA_DIR'] ?? '',
      '..',
      `cut-${randomBytes(4).toString('hex')}.jsonl.gz`,
    );
    cleanups.push(() => rm(cut, { force: true }));
    await writeFile(cut, gzipSync(lines.slice(0, -1).join('\n')));
    const damaged = baluhost(['restore', cut], targetEnv);
    assert.notEqual(damaged.status, 0);
    assert.match(damaged.stderr, /cut off/);
    const list = baluhost(['user', 'list'], targetEnv);
    assert.equal(list.stdout.trim(), '', 'nothing was restored');
  });
});
