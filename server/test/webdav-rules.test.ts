import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ADMIN_PASSWORD, bearer, startTestServer, type TestServer } from './helpers.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw WebDAV request: the path goes on the wire exactly as given (no client-side normalisation). */
function dav(
  base: string,
  method: string,
  rawPath: string,
  auth: [string, string] | null,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: rawPath,
        headers: {
          ...(auth
            ? { Authorization: `Basic ${Buffer.from(`${auth[0]}:${auth[1]}`).toString('base64')}` }
            : {}),
          ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const ALICE: [string, string] = ['alice', 'alice-password-1'];
const BOB: [string, string] = ['bob', 'bob-password-1'];

describe('WebDAV obeys the storage core’s rules', () => {
  let t: TestServer;
  let admin: string;
  before(async () => {
    t = await startTestServer();
    admin = await t.adminToken();
    await t.createUser('alice', ALICE[1]);
    await t.createUser('bob', BOB[1]);
    await t
      .http()
      .post('/api/shares')
      .set(...bearer(admin))
      .send({
        name: 'family',
        acl: [
          { type: 'user', name: 'alice', access: 'write' },
          { type: 'user', name: 'bob', access: 'write' },
        ],
      })
      .expect(201);
  });
  after(async () => {
    await t.close();
  });

  it('answers Windows’ OPTIONS / and /dav/ without a redirect or credentials', async () => {
    for (const p of ['/', '/dav/', '/dav']) {
      const res = await dav(t.url, 'OPTIONS', p, null);
      assert.equal(res.status, 200, p);
      assert.match(String(res.headers['dav']), /1, 2/);
      assert.equal(res.headers['ms-author-via'], 'DAV');
    }
  });

  it('keeps alice out of bob’s home (403), and in a shared folder bob cannot overwrite or delete alice’s file', async () => {
    assert.equal((await dav(t.url, 'PUT', '/dav/home/secret.txt', BOB, 'bob only')).status, 201);
    assert.equal(
      (await dav(t.url, 'PROPFIND', '/dav/homes/bob/', ALICE, undefined, { Depth: '1' })).status,
      403,
    );
    assert.equal((await dav(t.url, 'GET', '/dav/homes/bob/secret.txt', ALICE)).status, 403);
    assert.equal((await dav(t.url, 'PUT', '/dav/homes/bob/planted.txt', ALICE, 'x')).status, 403);
    assert.equal((await dav(t.url, 'PUT', '/dav/family/alice.txt', ALICE, 'from alice')).status, 201);
    assert.equal((await dav(t.url, 'PUT', '/dav/family/bob.txt', BOB, 'from bob')).status, 201);
    assert.equal((await dav(t.url, 'PUT', '/dav/family/alice.txt', BOB, 'overwritten')).status, 403);
    assert.equal((await dav(t.url, 'DELETE', '/dav/family/alice.txt', BOB)).status, 403);
    assert.equal(
      (
        await dav(t.url, 'MOVE', '/dav/family/alice.txt', BOB, undefined, {
          Destination: `${t.url}/dav/family/stolen.txt`,
        })
      ).status,
      403,
    );
    assert.equal((await dav(t.url, 'GET', '/dav/family/alice.txt', BOB)).body, 'from alice');
    // The same rule over the file API.
    const bobToken = await t.login('bob', BOB[1]);
    assert.equal(
      (
        await t
          .http()
          .delete('/api/files?path=/family/alice.txt')
          .set(...bearer(bobToken))
      ).status,
      403,
    );
  });

  it('reports quota-used-bytes equal to the bytes stored, and quota-available-bytes', async () => {
    await dav(t.url, 'PUT', '/dav/home/a.bin', ALICE, Buffer.alloc(1234));
    const res = await dav(
      t.url,
      'PROPFIND',
      '/dav/home/',
      ALICE,
      '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:quota-used-bytes/><D:quota-available-bytes/></D:prop></D:propfind>',
      { Depth: '0', 'Content-Type': 'application/xml' },
    );
    assert.equal(res.status, 207);
    const used = Number(/quota-used-bytes[^>]*>(\d+)</.exec(res.body)?.[1]);
    const usage = await t
      .http()
      .get('/api/me/usage')
      .set(...bearer(await t.login('alice', ALICE[1])));
    assert.equal(used, usage.body.usedBytes);
    assert.equal(used, 1234 + 'from alice'.length);
    assert.ok(Number(/quota-available-bytes[^>]*>(\d+)</.exec(res.body)?.[1]) > 0);
  });

  it('keeps 16 parallel 1 MB PUTs and a 5 MB PUT within a 10 MB quota; refused ones get 507 and leave nothing', async () => {
    await t.createUser('quinn', 'quinn-password-1', { quotaBytes: 10_000_000 });
    const quinn: [string, string] = ['quinn', 'quinn-password-1'];
    const results = await Promise.all([
      ...Array.from({ length: 16 }, (_, i) =>
        dav(t.url, 'PUT', `/dav/home/p${i}.bin`, quinn, Buffer.alloc(1_000_000, 3)),
      ),
      dav(t.url, 'PUT', '/dav/home/big.bin', quinn, Buffer.alloc(5_000_000, 4)),
    ]);
    const statuses = results.map((r) => r.status);
    assert.ok(
      statuses.every((s) => s === 201 || s === 507),
      statuses.join(','),
    );
    assert.ok(statuses.includes(507));
    const listing = await dav(t.url, 'PROPFIND', '/dav/home/', quinn, undefined, { Depth: '1' });
    const sizes = [...listing.body.matchAll(/getcontentlength>(\d+)</g)].map((m) => Number(m[1]));
    const stored = sizes.reduce((a, b) => a + b, 0);
    assert.ok(stored <= 10_000_000, String(stored));
    assert.equal(sizes.length, statuses.filter((s) => s === 201).length);
    assert.deepEqual(await readdir(path.join(t.dataDir, 'tmp')), []);
  });

  it('applies a quota set or lifted between two uploads to the next one, for a user and for a share', async () => {
    const id = await t.createUser('rita', 'rita-password-1');
    const rita: [string, string] = ['rita', 'rita-password-1'];
    const quota = async (route: string, quotaBytes: number | null) =>
      t
        .http()
        .patch(route)
        .set(...bearer(admin))
        .send({ quotaBytes })
        .expect(200);
    // Uploads without a quota, then the admin sets one well below what the next upload needs.
    assert.equal((await dav(t.url, 'PUT', '/dav/home/a.bin', rita, Buffer.alloc(3000, 1))).status, 201);
    await quota(`/api/users/${id}`, 5000);
    assert.equal((await dav(t.url, 'PUT', '/dav/home/b.bin', rita, Buffer.alloc(3000, 2))).status, 507);
    await quota(`/api/users/${id}`, null);
    assert.equal((await dav(t.url, 'PUT', '/dav/home/b.bin', rita, Buffer.alloc(3000, 2))).status, 201);
    // The same for a share's quota.
    const shares = await t
      .http()
      .get('/api/shares')
      .set(...bearer(admin))
      .expect(200);
    const family = (shares.body.items as { id: number; name: string }[]).find((x) => x.name === 'family');
    assert.ok(family);
    assert.equal((await dav(t.url, 'PUT', '/dav/family/q1.bin', ALICE, Buffer.alloc(3000, 3))).status, 201);
    await quota(`/api/shares/${family.id}`, 1000);
    assert.equal((await dav(t.url, 'PUT', '/dav/family/q2.bin', ALICE, Buffer.alloc(3000, 4))).status, 507);
    await quota(`/api/shares/${family.id}`, null);
    assert.equal((await dav(t.url, 'PUT', '/dav/family/q2.bin', ALICE, Buffer.alloc(3000, 4))).status, 201);
  });

  it('never reads, lists or writes outside the caller’s namespace, whatever the URL', async () => {
    const outside = path.join(t.dataDir, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(path.join(outside, 'loot.txt'), 'secret');
    await symlink(outside, path.join(t.dataDir, 'storage', 'homes', 'alice', 'escape'));
    const hostile = [
      '/dav/../outside/loot.txt',
      '/dav/home/../../outside/loot.txt',
      '/dav/home/%2e%2e/%2e%2e/outside/loot.txt',
      '/dav/home/%2E%2E/homes/bob/secret.txt',
      '/dav/home/%252e%252e/outside',
      '/dav/home/..%2f..%2foutside',
      '/dav/home/..%5c..%5coutside',
      '/dav/home/..\\..\\outside',
      '/dav/home/%00/x',
      '/dav/home/x%00.txt',
      '/dav/home/escape/loot.txt',
      '/dav/home/escape/',
      '/dav/home/escape',
      '/dav/home/%c0%ae%c0%ae/outside',
      '/dav/home/%e0%80%ae%e0%80%ae/outside',
      '/dav/home/.%2e/outside',
      '/dav/home/%2e./outside',
      '/dav//home//..//..//outside',
      '/dav/%2fetc%2fpasswd',
      '/dav/home/%ef%bc%8e%ef%bc%8e/outside',
      '/dav/homes/../outside',
      '/dav/homes/bob/secret.txt',
      '/dav/home/%ed%b2%80',
      '/dav/home/%1b[31m',
      '/dav/home/C:%5cWindows%5cwin.ini',
      '/dav/home/..;/outside',
      '/dav/home/%',
      '/dav/home/%zz',
      '/dav/./home/../../outside',
      '/dav/home/' + 'a'.repeat(300),
      '/dav/home/.%00./outside',
    ];
    assert.ok(hostile.length >= 30);
    for (const p of hostile) {
      for (const [method, body] of [
        ['GET', undefined],
        ['PROPFIND', undefined],
        ['PUT', 'pwned'],
      ] as const) {
        const res = await dav(t.url, method, p, ALICE, body, method === 'PROPFIND' ? { Depth: '1' } : {});
        assert.ok(!res.body.includes('secret') && !res.body.includes('loot'), `${method} ${p} leaked`);
        if (method === 'PUT')
          assert.ok(res.status >= 400 || /^\/dav\/home\/[^/]+$/.test(p), `${method} ${p} → ${res.status}`);
      }
    }
    assert.deepEqual(await readdir(outside), ['loot.txt']);
    const home = await dav(t.url, 'PROPFIND', '/dav/home/', ALICE, undefined, { Depth: '1' });
    assert.ok(!home.body.includes('escape'));
  });

  it('sends a file larger than its buffers whole and in ranges across them, byte for byte, in both APIs', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 123);
    assert.equal((await dav(t.url, 'PUT', '/dav/home/big.bin', ALICE, data)).status, 201);
    const basic = { Authorization: `Basic ${Buffer.from(ALICE.join(':')).toString('base64')}` };
    const token = await t.login(ALICE[0], ALICE[1]);
    const urls = [
      { url: new URL('/dav/home/big.bin', t.url), headers: basic },
      {
        url: new URL('/api/files/content?path=/home/big.bin', t.url),
        headers: { Authorization: `Bearer ${token}` },
      },
    ];
    for (const { url, headers } of urls) {
      const whole = await fetch(url, { headers });
      assert.equal(whole.status, 200, String(url));
      assert.ok(Buffer.from(await whole.arrayBuffer()).equals(data), `${String(url)} whole`);
      for (const [start, end] of [
        [1_048_000, 2_097_700],
        [0, 65_536],
        [3_145_000, data.length - 1],
      ] as const) {
        const part = await fetch(url, { headers: { ...headers, Range: `bytes=${start}-${end}` } });
        assert.equal(part.status, 206, `${String(url)} ${start}-${end}`);
        assert.ok(
          Buffer.from(await part.arrayBuffer()).equals(data.subarray(start, end + 1)),
          `${String(url)} ${start}-${end}`,
        );
      }
    }
  });

  it('refuses a link to a file of the caller’s own and a planted FIFO, without hanging', async () => {
    const home = path.join(t.dataDir, 'storage', 'homes', 'alice');
    assert.equal((await dav(t.url, 'PUT', '/dav/home/real.txt', ALICE, 'mine')).status, 201);
    await symlink(path.join(home, 'real.txt'), path.join(home, 'alias.txt'));
    await mkdir(path.join(home, 'dir'));
    await symlink(path.join(home, 'dir'), path.join(home, 'dir-alias'));
    await writeFile(path.join(home, 'dir', 'inner.txt'), 'inner');
    execFileSync('mkfifo', [path.join(home, 'pipe')]);
    for (const p of ['/dav/home/alias.txt', '/dav/home/dir-alias/inner.txt', '/dav/home/pipe']) {
      const res = await dav(t.url, 'GET', p, ALICE);
      assert.equal(res.status, 403, `GET ${p} → ${res.status}`);
    }
    assert.equal((await dav(t.url, 'GET', '/dav/home/real.txt', ALICE)).body, 'mine');
    assert.equal((await dav(t.url, 'GET', '/dav/home/dir/inner.txt', ALICE)).body, 'inner');
    assert.equal((await dav(t.url, 'GET', '/dav/home/missing.txt', ALICE)).status, 404);
  });

  it('hides macOS metadata from listings but accepts it, and applies Windows’ Win32LastModifiedTime', async () => {
    assert.equal((await dav(t.url, 'PUT', '/dav/home/._photo.jpg', ALICE, 'appledouble')).status, 201);
    assert.equal((await dav(t.url, 'PUT', '/dav/home/.DS_Store', ALICE, 'finder')).status, 201);
    const listing = await dav(t.url, 'PROPFIND', '/dav/home/', ALICE, undefined, { Depth: '1' });
    assert.ok(!listing.body.includes('._photo.jpg') && !listing.body.includes('.DS_Store'));
    assert.equal((await dav(t.url, 'GET', '/dav/home/._photo.jpg', ALICE)).body, 'appledouble');
    const when = 'Tue, 02 Jan 2024 03:04:05 GMT';
    const patch = await dav(
      t.url,
      'PROPPATCH',
      '/dav/home/a.bin',
      ALICE,
      `<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop><Z:Win32LastModifiedTime>${when}</Z:Win32LastModifiedTime><Z:Win32FileAttributes>00000020</Z:Win32FileAttributes></D:prop></D:set></D:propertyupdate>`,
      { 'Content-Type': 'text/xml' },
    );
    assert.equal(patch.status, 207);
    assert.ok(!patch.body.includes('HTTP/1.1 4'), patch.body);
    const head = await dav(t.url, 'HEAD', '/dav/home/a.bin', ALICE);
    assert.equal(head.headers['last-modified'], when);
  });

  it('counts WebDAV password failures in the shared tracker: a blocked name gets 429, audited', async () => {
    await t.createUser('mallory', 'mallory-password-1');
    for (let i = 0; i < 10; i++)
      assert.equal(
        (await dav(t.url, 'PROPFIND', '/dav/', ['mallory', `wrong-${i}`], undefined, { Depth: '0' })).status,
        401,
      );
    const blocked = await dav(t.url, 'PROPFIND', '/dav/', ['mallory', 'mallory-password-1'], undefined, {
      Depth: '0',
    });
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    // The API shares the block.
    assert.equal(
      (await t.http().post('/api/auth/login').send({ username: 'mallory', password: 'mallory-password-1' }))
        .status,
      429,
    );
    const audit = await t
      .http()
      .get('/api/audit?protocol=webdav&actor=mallory&action=auth.login')
      .set(...bearer(admin));
    assert.ok((audit.body.items as { result: string }[]).some((e) => e.result === 'denied'));
    assert.equal((audit.body.items as { result: string }[]).filter((e) => e.result === 'failure').length, 10);
  });

  it('accepts app passwords, and stops at once when one is revoked', async () => {
    const token = await t.login('alice', ALICE[1]);
    const created = await t
      .http()
      .post('/api/me/app-passwords')
      .set(...bearer(token))
      .send({ name: 'laptop' })
      .expect(201);
    const app: [string, string] = ['alice', created.body.password as string];
    assert.equal((await dav(t.url, 'PROPFIND', '/dav/home/', app, undefined, { Depth: '0' })).status, 207);
    const list = await t
      .http()
      .get('/api/me/app-passwords')
      .set(...bearer(token));
    assert.equal(list.body.items[0].name, 'laptop');
    assert.notEqual(list.body.items[0].lastUsedAt, null);
    await t
      .http()
      .delete(`/api/me/app-passwords/${created.body.id as number}`)
      .set(...bearer(token))
      .expect(204);
    assert.equal((await dav(t.url, 'PROPFIND', '/dav/home/', app, undefined, { Depth: '0' })).status, 401);
  });

  it('lists a folder larger than one page (1,234 files) in PROPFIND, the file API and a GET, each name once', async () => {
    const dir = path.join(t.dataDir, 'storage', 'homes', 'alice', 'pages');
    await mkdir(dir, { recursive: true });
    const names = Array.from({ length: 1234 }, (_, i) => `p${String(i).padStart(4, '0')} ü.txt`);
    for (const n of names) await writeFile(path.join(dir, n), n);
    const listing = await dav(t.url, 'PROPFIND', '/dav/home/pages/', ALICE, undefined, { Depth: '1' });
    assert.equal(listing.status, 207);
    const hrefs = [...listing.body.matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) =>
      decodeURIComponent(m[1] ?? ''),
    );
    assert.equal(hrefs.length, 1235, 'the folder and each of its files');
    assert.equal(new Set(hrefs).size, 1235, 'no file twice');
    for (const n of names) assert.ok(hrefs.includes(`/dav/home/pages/${n}`), n);
    const token = await t.login(ALICE[0], ALICE[1]);
    const api = await t
      .http()
      .get('/api/files?path=/home/pages&limit=5000')
      .set(...bearer(token));
    assert.equal(api.status, 200, JSON.stringify(api.body).slice(0, 200));
    const body = api.body as { total: number; items: { name: string }[] };
    assert.equal(body.total, 1234);
    assert.deepEqual(body.items.map((i) => i.name).sort(), [...names].sort());
    const html = await dav(t.url, 'GET', '/dav/home/pages/', ALICE);
    assert.equal((html.body.match(/<li>/g) ?? []).length, 1235, 'the files and ../');
  });
});

describe('WebDAV locks across a restart', () => {
  it('a lock taken before a restart still stops another user’s PUT (423), and its token still unlocks it', async () => {
    let t = await startTestServer();
    try {
      const admin = await t.adminToken();
      await t.createUser('alice', ALICE[1]);
      await t.createUser('bob', BOB[1]);
      await t
        .http()
        .post('/api/shares')
        .set(...bearer(admin))
        .send({
          name: 'team',
          acl: [
            { type: 'user', name: 'alice', access: 'write' },
            { type: 'user', name: 'bob', access: 'write' },
          ],
        })
        .expect(201);
      assert.equal((await dav(t.url, 'PUT', '/dav/team/plan.txt', ALICE, 'v1')).status, 201);
      const lock = await dav(
        t.url,
        'LOCK',
        '/dav/team/plan.txt',
        ALICE,
        '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>alice</D:owner></D:lockinfo>',
        { 'Content-Type': 'application/xml', Timeout: 'Second-3600' },
      );
      assert.equal(lock.status, 200);
      const token = String(lock.headers['lock-token']).replace(/[<>]/g, '');
      assert.match(token, /^urn:uuid:/);

      // And a depth-infinity lock on a folder of the share, where bob may otherwise create files.
      assert.equal((await dav(t.url, 'MKCOL', '/dav/team/drafts', ALICE)).status, 201);
      const dirLock = await dav(
        t.url,
        'LOCK',
        '/dav/team/drafts',
        ALICE,
        '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>',
        { 'Content-Type': 'application/xml', Depth: 'infinity' },
      );
      assert.equal(dirLock.status, 200);
      const adminAuth: [string, string] = ['admin', ADMIN_PASSWORD];

      t = await t.restart();
      // Another user who could otherwise write there: bob creating in the locked folder, the admin overwriting.
      assert.equal((await dav(t.url, 'PUT', '/dav/team/drafts/bob.txt', BOB, 'bob')).status, 423);
      assert.equal((await dav(t.url, 'PUT', '/dav/team/plan.txt', adminAuth, 'admin')).status, 423);
      // Alice without the token is refused too; with it, she may write.
      assert.equal((await dav(t.url, 'PUT', '/dav/team/plan.txt', ALICE, 'v2')).status, 423);
      assert.equal(
        (await dav(t.url, 'PUT', '/dav/team/plan.txt', ALICE, 'v2', { If: `(<${token}>)` })).status,
        204,
      );
      // The file API obeys the same lock.
      const bobToken = await t.login('bob', BOB[1]);
      assert.equal(
        (
          await t
            .http()
            .put('/api/files/content?path=/team/drafts/api.txt')
            .set(...bearer(bobToken))
            .send('api')
        ).status,
        423,
      );
      assert.equal(
        (await dav(t.url, 'UNLOCK', '/dav/team/plan.txt', ALICE, undefined, { 'Lock-Token': `<${token}>` }))
          .status,
        204,
      );
      assert.equal((await dav(t.url, 'GET', '/dav/team/plan.txt', BOB)).body, 'v2');
    } finally {
      await t.close();
    }
  });
});

describe('WebDAV password checks', () => {
  let t: TestServer;
  let now = Date.now();
  let checks = 0;
  before(async () => {
    t = await startTestServer({}, undefined, { clock: () => now });
    await t.createUser('carol', 'carol-password-1');
    // Count the password checks (scrypt) the WebDAV authenticator asks for.
    const auth = t.server.services.auth;
    const verify = auth.verifyCredentials.bind(auth);
    auth.verifyCredentials = (...args) => {
      checks += 1;
      return verify(...args);
    };
  });
  after(async () => {
    await t.close();
  });

  const propfind = (password: string) =>
    dav(t.url, 'PROPFIND', '/dav/home/', ['carol', password], undefined, { Depth: '0' });

  it('checks a password once for many requests that arrive together, and renews it while in use', async () => {
    const replies = await Promise.all(Array.from({ length: 12 }, () => propfind('carol-password-1')));
    assert.deepEqual(
      replies.map((r) => r.status),
      Array.from({ length: 12 }, () => 207),
    );
    assert.equal(checks, 1, 'twelve requests together, one check');
    // Minutes later the check still holds (a password change or a disable is read every few seconds).
    now += 5 * 60_000;
    assert.equal((await propfind('carol-password-1')).status, 207);
    assert.equal(checks, 1);
    // Late in the cached check's life: answered from the cache, checked again in the background.
    now += 9 * 60_000 + 55_000;
    assert.equal((await propfind('carol-password-1')).status, 207);
    const checked = (): number => checks;
    for (let i = 0; i < 100 && checked() < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(checks, 2, 'renewed in the background');
    // Past the first check's end, the renewed one holds: no wait for a new check.
    now += 60_000;
    assert.equal((await propfind('carol-password-1')).status, 207);
    assert.equal(checks, 2);
    // A changed password stops the old one at once, cached or not.
    const token = await t.login('carol', 'carol-password-1');
    await t
      .http()
      .put('/api/me/password')
      .set(...bearer(token))
      .send({ oldPassword: 'carol-password-1', newPassword: 'carol-password-2' })
      .expect(204);
    assert.equal((await propfind('carol-password-1')).status, 401);
    assert.equal((await propfind('carol-password-2')).status, 207);
    checks = 0;
    // Twelve wrong passwords together: one check, all refused.
    const wrong = await Promise.all(Array.from({ length: 12 }, () => propfind('not-her-password')));
    assert.deepEqual(
      wrong.map((r) => r.status),
      Array.from({ length: 12 }, () => 401),
    );
    assert.equal(checks, 1);
  });
});
