/**
 * WebDAV through curl against a real BaluHost: the scenarios issue 3 names (transfers, ranges, preconditions,
 * MKCOL with a body, COPY with Overwrite: F, hostile bodies, locks between users).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile, open } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers.js';

interface CurlResult {
  readonly status: number;
  readonly headers: Map<string, string>;
  readonly body: Buffer;
}

let ts: TestServer;
let work: string;
let counter = 0;

const ALICE = 'alice:alice-pass-1';
const BOB = 'bob:bob-pass-12';

/** Runs curl; the status, response headers (last response) and body come back through files. */
function curl(args: readonly string[]): Promise<CurlResult> {
  const id = counter++;
  const bodyFile = path.join(work, `body-${id}`);
  const headerFile = path.join(work, `headers-${id}`);
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      ['-sS', '-g', '-o', bodyFile, '-D', headerFile, '-w', '%{http_code}', ...args],
      { timeout: 60_000, maxBuffer: 1024 * 1024 },
      (err, stdout) => {
        const status = Number(stdout.trim());
        // curl may report a send error when the server refuses a body and closes: the status still counts.
        if (err && !(status > 0)) {
          reject(new Error(`curl failed: ${err.message}`, { cause: err }));
          return;
        }
        void (async () => {
          const rawHeaders = await readFile(headerFile, 'utf8').catch(() => '');
          const blocks = rawHeaders.split(/\r?\n\r?\n/).filter((b) => b.trim() !== '');
          const headers = new Map<string, string>();
          for (const line of (blocks[blocks.length - 1] ?? '').split(/\r?\n/).slice(1)) {
            const colon = line.indexOf(':');
            if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
          }
          const body = await readFile(bodyFile).catch(() => Buffer.alloc(0));
          resolve({ status, headers, body });
        })().catch(reject);
      },
    );
  });
}

const url = (p: string): string => `${ts.url}/dav${p}`;

before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'baluhost-curl-'));
  ts = await startTestServer();
  await ts.createUser('alice', 'alice-pass-1');
  await ts.createUser('bob', 'bob-pass-12');
  const share = await ts
    .http()
    .post('/api/shares')
    .set('Authorization', `Bearer ${await ts.adminToken()}`)
    .send({
      name: 'team',
      acl: [
        { type: 'user', name: 'alice', access: 'write' },
        { type: 'user', name: 'bob', access: 'write' },
      ],
    });
  assert.equal(share.status, 201, JSON.stringify(share.body));
});

after(async () => {
  await ts.close();
  await rm(work, { recursive: true, force: true });
});

describe('WebDAV with curl', () => {
  const content = randomBytes(1024 * 1024 + 123);
  let etag = '';

  it('uploads and downloads a file byte for byte', async () => {
    const file = path.join(work, 'upload.bin');
    await writeFile(file, content);
    const put = await curl(['-u', ALICE, '-T', file, url('/home/upload.bin')]);
    assert.equal(put.status, 201);
    etag = put.headers.get('etag') ?? '';
    assert.match(etag, /^".+"$/);
    const get = await curl(['-u', ALICE, url('/home/upload.bin')]);
    assert.equal(get.status, 200);
    assert.ok(get.body.equals(content));
    assert.equal(get.headers.get('etag'), etag);
  });

  it('keeps nothing of an upload cut off mid-body, and goes on serving', async () => {
    const target = new URL(url('/home/cut.bin'));
    const tmp = path.join(ts.dataDir, 'tmp');
    const req = http.request({
      host: target.hostname,
      port: target.port,
      method: 'PUT',
      path: target.pathname,
      headers: {
        'Content-Length': '5000000',
        Authorization: 'Basic ' + Buffer.from(ALICE).toString('base64'),
      },
      agent: false,
    });
    req.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      req.write(Buffer.alloc(100_000), () => {
        resolve();
      });
    });
    // Cut the connection once the upload has reached tmp/ (bounded wait), so that there is something to discard.
    for (let i = 0; i < 250 && (await readdir(tmp).catch(() => [])).length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal((await readdir(tmp)).length, 1, 'the upload reached tmp/');
    req.destroy();
    // The core discards the partial upload: poll (bounded) until its temp dir is empty again.
    for (let i = 0; i < 250 && (await readdir(tmp).catch(() => [])).length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(await readdir(tmp).catch(() => []), []);
    assert.equal((await curl(['-u', ALICE, url('/home/cut.bin')])).status, 404);
  });

  it('serves a byte range with 206 and Content-Range', async () => {
    const res = await curl(['-u', ALICE, '-r', '1000-1999', url('/home/upload.bin')]);
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 1000-1999/${content.length}`);
    assert.ok(res.body.equals(content.subarray(1000, 2000)));
  });

  it('answers If-Match with another tag 412 and If-None-Match with the current tag 304', async () => {
    const put = await curl([
      '-u',
      ALICE,
      '-X',
      'PUT',
      '--data-binary',
      'x',
      '-H',
      'If-Match: "stale"',
      url('/home/upload.bin'),
    ]);
    assert.equal(put.status, 412);
    const get = await curl(['-u', ALICE, '-H', `If-None-Match: ${etag}`, url('/home/upload.bin')]);
    assert.equal(get.status, 304);
  });

  it('refuses MKCOL with a body (415)', async () => {
    const res = await curl(['-u', ALICE, '-X', 'MKCOL', '--data-binary', '<x/>', url('/home/withbody/')]);
    assert.equal(res.status, 415);
  });

  it('refuses COPY onto an existing target with Overwrite: F (412) and leaves the target alone', async () => {
    await curl(['-u', ALICE, '-X', 'PUT', '--data-binary', 'target', url('/home/target.txt')]);
    const res = await curl([
      '-u',
      ALICE,
      '-X',
      'COPY',
      '-H',
      `Destination: ${url('/home/target.txt')}`,
      '-H',
      'Overwrite: F',
      url('/home/upload.bin'),
    ]);
    assert.equal(res.status, 412);
    assert.equal((await curl(['-u', ALICE, url('/home/target.txt')])).body.toString(), 'target');
  });

  it('refuses a 50 MB PROPFIND body with 413', async () => {
    const big = path.join(work, 'big.xml');
    const handle = await open(big, 'w');
    await handle.truncate(50 * 1024 * 1024);
    await handle.close();
    const res = await curl([
      '-u',
      ALICE,
      '-X',
      'PROPFIND',
      '-H',
      'Depth: 0',
      '--data-binary',
      `@${big}`,
      url('/home/'),
    ]);
    assert.equal(res.status, 413);
    assert.equal((await curl(['-u', ALICE, '-X', 'PROPFIND', '-H', 'Depth: 0', url('/home/')])).status, 207);
  });

  it('refuses a DOCTYPE and a billion-laughs body with 400', async () => {
    const doctype =
      '<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:1/x.dtd"><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>';
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>' +
      '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x xmlns="urn:x">&lol3;</x></D:prop></D:set></D:propertyupdate>';
    const a = await curl([
      '-u',
      ALICE,
      '-X',
      'PROPFIND',
      '-H',
      'Depth: 0',
      '--data-binary',
      doctype,
      url('/home/'),
    ]);
    assert.equal(a.status, 400);
    const b = await curl(['-u', ALICE, '-X', 'PROPPATCH', '--data-binary', laughs, url('/home/target.txt')]);
    assert.equal(b.status, 400);
  });

  it("keeps another user out of a locked collection (423), even with the lock's token", async () => {
    // In a share, only the owner may change a file (403 for others whatever the locks), so the lock that
    // matters between users is a depth-infinity lock on a collection: it guards the creation of members.
    assert.equal((await curl(['-u', ALICE, '-X', 'MKCOL', url('/team/proj/')])).status, 201);
    const lock = await curl([
      '-u',
      ALICE,
      '-X',
      'LOCK',
      '-H',
      'Timeout: Second-300',
      '-H',
      'Depth: infinity',
      '--data-binary',
      '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>alice</D:owner></D:lockinfo>',
      url('/team/proj/'),
    ]);
    assert.equal(lock.status, 200);
    const token = lock.headers.get('lock-token') ?? '';
    assert.match(token, /^<urn:uuid:.+>$/);
    const bobPut = await curl(['-u', BOB, '-X', 'PUT', '--data-binary', 'bob', url('/team/proj/bob.txt')]);
    assert.equal(bobPut.status, 423);
    const bobWithToken = await curl([
      '-u',
      BOB,
      '-X',
      'PUT',
      '--data-binary',
      'bob',
      '-H',
      `If: (${token})`,
      url('/team/proj/bob.txt'),
    ]);
    assert.equal(bobWithToken.status, 423);
    const aliceWithout = await curl([
      '-u',
      ALICE,
      '-X',
      'PUT',
      '--data-binary',
      'a',
      url('/team/proj/a.txt'),
    ]);
    assert.equal(aliceWithout.status, 423);
    const alicePut = await curl([
      '-u',
      ALICE,
      '-X',
      'PUT',
      '--data-binary',
      'a',
      '-H',
      `If: (${token})`,
      url('/team/proj/a.txt'),
    ]);
    assert.equal(alicePut.status, 201);
    const unlock = await curl([
      '-u',
      ALICE,
      '-X',
      'UNLOCK',
      '-H',
      `Lock-Token: ${token}`,
      url('/team/proj/'),
    ]);
    assert.equal(unlock.status, 204);
    assert.equal(
      (await curl(['-u', BOB, '-X', 'PUT', '--data-binary', 'bob', url('/team/proj/bob.txt')])).status,
      201,
    );
  });
});
