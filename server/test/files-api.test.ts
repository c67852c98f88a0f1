import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readdir, symlink, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { bearer, startTestServer, type TestServer } from './helpers.js';

describe('file API on the storage core', () => {
  let t: TestServer;
  let admin: string;
  let alice: string;
  let bob: string;
  before(async () => {
    t = await startTestServer();
    admin = await t.adminToken();
    await t.createUser('alice', 'alice-password-1');
    await t.createUser('bob', 'bob-password-1');
    alice = await t.login('alice', 'alice-password-1');
    bob = await t.login('bob', 'bob-password-1');
  });
  after(async () => {
    await t.close();
  });

  // A lone surrogate cannot be percent-encoded as UTF-8: send the bytes a broken client would.
  const enc = (p: string) => {
    try {
      return encodeURIComponent(p);
    } catch {
      return '%2Fhome%2F%ED%B2%80';
    }
  };
  const put = (token: string, p: string, body: string | Buffer) =>
    t
      .http()
      .put(`/api/files/content?path=${enc(p)}`)
      .set(...bearer(token))
      .set('Content-Type', 'application/octet-stream')
      .send(body);

  it('uploads, lists, stats, downloads with ranges and ETags, and counts usage', async () => {
    const up = await put(alice, '/home/hello.txt', 'hello world');
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.equal(up.body.size, 11);
    assert.equal(up.body.owner, 'alice');
    const again = await put(alice, '/home/hello.txt', 'hello again!');
    assert.equal(again.status, 200);
    assert.notEqual(again.body.etag, up.body.etag);
    const list = await t
      .http()
      .get('/api/files?path=/home')
      .set(...bearer(alice));
    assert.deepEqual(
      (list.body.items as { name: string }[]).map((e) => e.name),
      ['hello.txt'],
    );
    const root = await t
      .http()
      .get('/api/files?path=/')
      .set(...bearer(alice));
    assert.deepEqual(
      (root.body.items as { name: string }[]).map((e) => e.name),
      ['home'],
    );
    const dl = await t
      .http()
      .get('/api/files/content?path=/home/hello.txt')
      .set(...bearer(alice));
    assert.equal(dl.text, 'hello again!');
    assert.equal(dl.headers['etag'], again.body.etag);
    const ranged = await t
      .http()
      .get('/api/files/content?path=/home/hello.txt')
      .set(...bearer(alice))
      .set('Range', 'bytes=6-10');
    assert.equal(ranged.status, 206);
    assert.equal(ranged.text, 'again');
    assert.equal(ranged.headers['content-range'], 'bytes 6-10/12');
    const tail = await t
      .http()
      .get('/api/files/content?path=/home/hello.txt')
      .set(...bearer(alice))
      .set('Range', 'bytes=-1');
    assert.equal(tail.text, '!');
    const bad = await t
      .http()
      .get('/api/files/content?path=/home/hello.txt')
      .set(...bearer(alice))
      .set('Range', 'bytes=100-');
    assert.equal(bad.status, 416);
    assert.equal(bad.headers['content-range'], 'bytes */12');
    // The same rules as WebDAV's GET: an invalid range and a stale If-Range both get the whole file.
    for (const headers of [{ Range: 'bytes=10-6' }, { Range: 'bytes=6-10', 'If-Range': '"not-the-etag"' }]) {
      const whole = await t
        .http()
        .get('/api/files/content?path=/home/hello.txt')
        .set(...bearer(alice))
        .set(headers);
      assert.equal(whole.status, 200, JSON.stringify(headers));
      assert.equal(whole.text, 'hello again!');
    }
    const current = await t
      .http()
      .get('/api/files/content?path=/home/hello.txt')
      .set(...bearer(alice))
      .set({ Range: 'bytes=0-4', 'If-Range': String(again.body.etag) });
    assert.equal(current.status, 206);
    assert.equal(current.text, 'hello');
    const notModified = await t
      .http()
      .get('/api/files/content?path=/home/hello.txt')
      .set(...bearer(alice))
      .set('If-None-Match', String(again.body.etag));
    assert.equal(notModified.status, 304);
    const folder = await t
      .http()
      .get('/api/files/content?path=/home')
      .set(...bearer(alice));
    assert.equal(folder.status, 409);
    assert.match(JSON.stringify(folder.body), /is a folder; list it instead/);
    const stale = await put(alice, '/home/hello.txt', 'x').set('If-Match', String(up.body.etag));
    assert.equal(stale.status, 412);
    const usage = await t
      .http()
      .get('/api/me/usage')
      .set(...bearer(alice));
    assert.equal(usage.body.usedBytes, 12);
    assert.equal(usage.body.quotaBytes, null);
  });

  it('keeps homes private: alice cannot list, read or write bob’s home (403)', async () => {
    await put(bob, '/home/secret.txt', 'bob only');
    for (const res of [
      await t
        .http()
        .get('/api/files?path=/homes/bob')
        .set(...bearer(alice)),
      await t
        .http()
        .get('/api/files/content?path=/homes/bob/secret.txt')
        .set(...bearer(alice)),
      await put(alice, '/homes/bob/planted.txt', 'x'),
      await t
        .http()
        .delete('/api/files?path=/homes/bob/secret.txt')
        .set(...bearer(alice)),
    ]) {
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'FORBIDDEN');
    }
    // An admin sees every home.
    const asAdmin = await t
      .http()
      .get('/api/files/content?path=/homes/bob/secret.txt')
      .set(...bearer(admin));
    assert.equal(asAdmin.text, 'bob only');
  });

  it('in a share where both may write, bob creates but cannot overwrite or delete alice’s file', async () => {
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
    assert.equal((await put(alice, '/family/alice.txt', 'from alice')).status, 201);
    assert.equal((await put(bob, '/family/bob.txt', 'from bob')).status, 201);
    const overwrite = await put(bob, '/family/alice.txt', 'bob was here');
    assert.equal(overwrite.status, 403);
    const del = await t
      .http()
      .delete('/api/files?path=/family/alice.txt')
      .set(...bearer(bob));
    assert.equal(del.status, 403);
    const mv = await t
      .http()
      .post('/api/files/move')
      .set(...bearer(bob))
      .send({ from: '/family/alice.txt', to: '/family/mine.txt' });
    assert.equal(mv.status, 403);
    const listing = await t
      .http()
      .get('/api/files?path=/family')
      .set(...bearer(bob));
    const owners = Object.fromEntries(
      (listing.body.items as { name: string; owner: string; canModify: boolean }[]).map((e) => [
        e.name,
        [e.owner, e.canModify],
      ]),
    );
    assert.deepEqual(owners, { 'alice.txt': ['alice', false], 'bob.txt': ['bob', true] });
    assert.equal(
      (
        await t
          .http()
          .get('/api/files/content?path=/family/alice.txt')
          .set(...bearer(bob))
      ).text,
      'from alice',
    );
    // Bytes in a share count for the user who owns them.
    const usage = await t
      .http()
      .get('/api/me/usage')
      .set(...bearer(bob));
    assert.equal(usage.body.usedBytes, 'bob only'.length + 'from bob'.length);
    const denied = await t
      .http()
      .get('/api/audit?action=file.write&result=denied&actor=bob')
      .set(...bearer(admin));
    assert.ok(denied.body.items.length >= 1);
  });

  it('read-only share access refuses writes, and a share without access is not there', async () => {
    await t
      .http()
      .post('/api/shares')
      .set(...bearer(admin))
      .send({ name: 'media', acl: [{ type: 'user', name: 'alice', access: 'read' }] })
      .expect(201);
    await put(admin, '/media/film.txt', 'film').expect(201);
    assert.equal(
      (
        await t
          .http()
          .get('/api/files/content?path=/media/film.txt')
          .set(...bearer(alice))
      ).text,
      'film',
    );
    assert.equal((await put(alice, '/media/mine.txt', 'x')).status, 403);
    assert.equal(
      (
        await t
          .http()
          .post('/api/files/mkdir')
          .set(...bearer(alice))
          .send({ path: '/media/dir' })
      ).status,
      403,
    );
    assert.equal(
      (
        await t
          .http()
          .get('/api/files?path=/media')
          .set(...bearer(bob))
      ).status,
      404,
    );
    const shares = await t
      .http()
      .get('/api/shares')
      .set(...bearer(alice));
    assert.deepEqual(
      (shares.body.items as { name: string; access: string }[]).map((s) => [s.name, s.access]),
      [
        ['family', 'write'],
        ['media', 'read'],
      ],
    );
  });

  it('makes folders, moves, copies and deletes, with the same error codes as WebDAV', async () => {
    await t
      .http()
      .post('/api/files/mkdir')
      .set(...bearer(alice))
      .send({ path: '/home/docs' })
      .expect(201);
    assert.equal(
      (
        await t
          .http()
          .post('/api/files/mkdir')
          .set(...bearer(alice))
          .send({ path: '/home/docs' })
      ).body.error.code,
      'ALREADY_EXISTS',
    );
    assert.equal(
      (
        await t
          .http()
          .post('/api/files/mkdir')
          .set(...bearer(alice))
          .send({ path: '/home/nope/deeper' })
      ).body.error.code,
      'CONFLICT',
    );
    await put(alice, '/home/docs/a.txt', 'aaaa').expect(201);
    await t
      .http()
      .post('/api/files/copy')
      .set(...bearer(alice))
      .send({ from: '/home/docs', to: '/home/docs2' })
      .expect(200);
    assert.equal(
      (
        await t
          .http()
          .get('/api/files/content?path=/home/docs2/a.txt')
          .set(...bearer(alice))
      ).text,
      'aaaa',
    );
    const clash = await t
      .http()
      .post('/api/files/move')
      .set(...bearer(alice))
      .send({ from: '/home/docs2', to: '/home/docs' });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.error.code, 'ALREADY_EXISTS');
    await t
      .http()
      .post('/api/files/move')
      .set(...bearer(alice))
      .send({ from: '/home/docs2', to: '/home/docs', overwrite: true })
      .expect(200);
    assert.equal(
      (
        await t
          .http()
          .get('/api/files/stat?path=/home/docs2')
          .set(...bearer(alice))
      ).status,
      404,
    );
    const into = await t
      .http()
      .post('/api/files/move')
      .set(...bearer(alice))
      .send({ from: '/home/docs', to: '/home/docs/inner' });
    assert.equal(into.status, 400);
    await t
      .http()
      .delete('/api/files?path=/home/docs')
      .set(...bearer(alice))
      .expect(204);
    const usage = await t
      .http()
      .get('/api/me/usage')
      .set(...bearer(alice));
    // hello.txt (12) in home + alice.txt (10) in family.
    assert.equal(usage.body.usedBytes, 22);
  });

  it('uploads several files as multipart', async () => {
    const res = await t
      .http()
      .post('/api/files/upload?path=/home')
      .set(...bearer(alice))
      .attach('files', Buffer.from('one'), 'one.txt')
      .attach('files', Buffer.from('two!'), 'ünï cødé.txt');
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(
      (res.body.items as { name: string; size: number }[]).map((e) => [e.name, e.size]),
      [
        ['one.txt', 3],
        ['ünï cødé.txt', 4],
      ],
    );
    const json = await t
      .http()
      .put('/api/files/content?path=/home/data.json')
      .set(...bearer(alice))
      .set('Content-Type', 'application/json')
      .send('{"a":1}');
    assert.equal(json.body.size, 7);
  });

  it('never reads, lists or writes outside the namespace, whatever the path', async () => {
    const outside = path.join(t.dataDir, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(path.join(outside, 'loot.txt'), 'secret');
    // A symlink planted inside alice's home, pointing out of the data root's storage.
    await symlink(outside, path.join(t.dataDir, 'storage', 'homes', 'alice', 'escape'));
    await symlink(
      path.join(t.dataDir, 'baluhost.sqlite'),
      path.join(t.dataDir, 'storage', 'homes', 'alice', 'db-link'),
    );
    // A dangling link (its target is gone): refused all the same, never replaced by a write.
    await symlink(path.join(outside, 'gone'), path.join(t.dataDir, 'storage', 'homes', 'alice', 'dangling'));
    const hostile = [
      '../outside/loot.txt',
      '/home/../../outside/loot.txt',
      '/home/../homes/bob/secret.txt',
      '/home/./../x',
      '/home/..',
      '/home/%2e%2e/%2e%2e/outside/loot.txt',
      '/home/%252e%252e/outside',
      '/home/..%2foutside',
      '/home/..%5coutside',
      '/home/..\\..\\outside',
      '\\home\\..\\outside',
      '/home/\u0000/x',
      '/home/x\u0000.txt',
      '/home/escape/loot.txt',
      '/home/escape',
      '/home/db-link',
      '/home/dangling',
      '/home/escape/../escape/loot.txt',
      '/etc/passwd',
      '//etc/passwd',
      '/home//..//..//outside',
      '/home/.\u002e/outside',
      '/home/\uff0e\uff0e/outside',
      '/home/\u2025/outside',
      '/home/%c0%ae%c0%ae/outside',
      '/home/\udc80',
      '/homes/../outside',
      '/home/' + 'a'.repeat(300),
      '/../../../../etc/shadow',
      '/home/\u001b[31m',
      'C:\\Windows\\win.ini',
      '/home/..;/outside',
    ];
    assert.ok(hostile.length >= 30);
    for (const p of hostile) {
      for (const res of [
        await t
          .http()
          .get(`/api/files/content?path=${enc(p)}`)
          .set(...bearer(alice)),
        await t
          .http()
          .get(`/api/files?path=${enc(p)}`)
          .set(...bearer(alice)),
        await put(alice, p, 'pwned'),
      ]) {
        // A name such as `..%2foutside` is only odd, not a way out: the file API takes the path decoded once, so
        // such a name may be stored, but only inside the caller's home.
        if (res.status === 201) assert.match(String(res.body.path), /^\/home\/[^/]+$/, JSON.stringify(p));
        else assert.ok([400, 403, 404, 409].includes(res.status), `${JSON.stringify(p)} → ${res.status}`);
        assert.ok(!res.text.includes('secret'), `${JSON.stringify(p)} leaked`);
      }
    }
    // Nothing was written outside, and the listing does not show the links.
    assert.deepEqual(await readdir(outside), ['loot.txt']);
    const list = await t
      .http()
      .get('/api/files?path=/home')
      .set(...bearer(alice));
    assert.ok(
      !(list.body.items as { name: string }[]).some(
        (e) => e.name === 'escape' || e.name === 'db-link' || e.name === 'dangling',
      ),
      JSON.stringify(list.body),
    );
  });

  it('keeps 16 parallel 1 MB uploads plus a 5 MB one within a 10 MB quota; refused ones get 507 and leave no file', async () => {
    const id = await t.createUser('quinn', 'quinn-password-1', { quotaBytes: 10_000_000 });
    assert.ok(id > 0);
    const quinn = await t.login('quinn', 'quinn-password-1');
    const mb = Buffer.alloc(1_000_000, 7);
    const results = await Promise.all([
      ...Array.from({ length: 16 }, (_, i) => put(quinn, `/home/part-${i}.bin`, mb)),
      put(quinn, '/home/big.bin', Buffer.alloc(5_000_000, 1)),
    ]);
    const statuses = results.map((r) => r.status);
    assert.ok(
      statuses.every((s) => s === 201 || s === 507),
      statuses.join(','),
    );
    assert.ok(statuses.includes(507));
    for (const r of results.filter((x) => x.status === 507))
      assert.equal(r.body.error.code, 'QUOTA_EXCEEDED');
    const usage = await t
      .http()
      .get('/api/me/usage')
      .set(...bearer(quinn));
    assert.ok(usage.body.usedBytes <= 10_000_000, String(usage.body.usedBytes));
    const list = await t
      .http()
      .get('/api/files?path=/home')
      .set(...bearer(quinn));
    const stored = (list.body.items as { size: number }[]).reduce((a, e) => a + e.size, 0);
    assert.equal(stored, usage.body.usedBytes);
    assert.equal(list.body.items.length, statuses.filter((s) => s === 201).length);
    assert.deepEqual(await readdir(path.join(t.dataDir, 'tmp')), []);
  });

  it('a client that disconnects mid-upload leaves the previous version intact and no temp file', async () => {
    await put(alice, '/home/keep.txt', 'version one').expect(201);
    const url = new URL(`${t.url}/api/files/content?path=${encodeURIComponent('/home/keep.txt')}`);
    const tmp = path.join(t.dataDir, 'tmp');
    await new Promise<void>((resolve) => {
      const req = http.request(url, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${alice}`, 'Content-Length': '10000000' },
      });
      req.on('error', () => {
        resolve();
      });
      req.write(Buffer.alloc(100_000, 1), () => {
        // Give the server the first bytes; once the upload has reached tmp/ (bounded wait), so that there is
        // something to discard, vanish.
        void (async () => {
          for (let i = 0; i < 250 && (await readdir(tmp)).length === 0; i++)
            await new Promise((r) => setTimeout(r, 20));
          assert.equal((await readdir(tmp)).length, 1, 'the upload reached tmp/');
          req.destroy();
          resolve();
        })();
      });
    });
    // Wait (bounded) until the server has noticed and cleaned up.
    for (let i = 0; i < 100 && (await readdir(path.join(t.dataDir, 'tmp'))).length > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await readdir(path.join(t.dataDir, 'tmp')), []);
    assert.equal(
      (
        await t
          .http()
          .get('/api/files/content?path=/home/keep.txt')
          .set(...bearer(alice))
      ).text,
      'version one',
    );
  });

  it('reconciles usage with what is on disk', async () => {
    await writeFile(path.join(t.dataDir, 'storage', 'homes', 'alice', 'sneaked-in.bin'), Buffer.alloc(1000));
    const res = await t
      .http()
      .post('/api/storage/reconcile')
      .set(...bearer(admin));
    assert.equal(res.status, 200);
    const usage = await t
      .http()
      .get('/api/me/usage')
      .set(...bearer(alice));
    const home = await t
      .http()
      .get('/api/files?path=/home')
      .set(...bearer(alice));
    const family = await t
      .http()
      .get('/api/files?path=/family')
      .set(...bearer(alice));
    const mine = (family.body.items as { owner: string; size: number }[])
      .filter((e) => e.owner === 'alice')
      .reduce((a, e) => a + e.size, 0);
    assert.equal(
      usage.body.usedBytes,
      (home.body.items as { size: number }[]).reduce((a, e) => a + e.size, 0) + mine,
    );
  });
});
