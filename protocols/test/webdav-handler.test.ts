/**
 * Protocol-level tests of the WebDAV handler over the temp-dir scaffold storage (protocols/test/support). The
 * conformance suites against BaluHost itself are server/test/webdav-*.test.ts and e2e/clients.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startScaffold, USERS, type ScaffoldServer } from './support/dav-server.js';
import { basic, davRequest, type DavRequest } from './support/http-client.js';

let server: ScaffoldServer;
const dav = (method: string, p: string, options?: DavRequest) => davRequest(server.url, method, p, options);
const asBob = { auth: ['bob', USERS['bob']!] as const };

/** Polls every 20 ms for up to 5 s (no fixed sleeps). */
async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail('condition not reached within 5 s');
}

before(async () => {
  server = await startScaffold();
});
after(async () => {
  await server.close();
});

describe('OPTIONS and authentication', () => {
  it('answers OPTIONS on / and /dav/ without credentials, with DAV classes and no redirect', async () => {
    for (const p of ['/', '/dav/', '/dav']) {
      const res = await dav('OPTIONS', p, { auth: null });
      assert.equal(res.status, 200);
      assert.equal(res.headers['dav'], '1, 2');
      assert.equal(res.headers['ms-author-via'], 'DAV');
      assert.match(String(res.headers['allow']), /PROPFIND/);
    }
  });

  it('challenges a request without credentials with a UTF-8 Basic realm', async () => {
    const res = await dav('PROPFIND', '/dav/', { auth: null, headers: { Depth: '0' } });
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], 'Basic realm="BaluHost", charset="UTF-8"');
  });

  it('answers 401 for a wrong password, and never logs the Authorization header', async () => {
    const res = await dav('GET', '/dav/home/', { auth: ['alice', 'wrong-secret'] });
    assert.equal(res.status, 401);
    const logged = JSON.stringify(server.logs);
    assert.ok(!logged.includes('wrong-secret') && !logged.includes(basic('alice', 'wrong-secret').slice(6)));
  });

  it('answers 501 for an unknown method and 405 for POST, authenticated', async () => {
    assert.equal((await dav('CHECKOUT', '/dav/home/')).status, 501);
    assert.equal((await dav('POST', '/dav/home/')).status, 405);
  });

  it('reports every request to the metrics hook', async () => {
    const before = server.done.length;
    await dav('GET', '/dav/home/');
    assert.ok(server.done.length > before);
    const last = server.done[server.done.length - 1]!;
    assert.equal(last.method, 'GET');
    assert.equal(last.status, 200);
  });
});

describe('URLs', () => {
  it('refuses malformed escapes, encoded slashes, NUL and dot segments with a 400', async () => {
    for (const p of [
      '/dav/home/%zz',
      '/dav/home/a%2Fb',
      '/dav/home/a%00',
      '/dav/home/%2e%2e/x',
      '/dav/home/a%5Cb',
    ]) {
      assert.equal((await dav('GET', p)).status, 400, p);
    }
  });

  it('round-trips names with spaces, %, #, +, and Unicode given as NFC or NFD', async () => {
    const names = ['a b.txt', '100%.txt', 'x#y.txt', 'a+b.txt', 'Caf\u00e9.txt'];
    for (const name of names) {
      const res = await dav('PUT', `/dav/home/${encodeURIComponent(name)}`, { body: name });
      assert.equal(res.status, 201, name);
    }
    const nfd = encodeURIComponent('Cafe\u0301.txt');
    assert.equal((await dav('GET', `/dav/home/${nfd}`)).body, 'Caf\u00e9.txt');
    const listing = await dav('PROPFIND', '/dav/home/', { headers: { Depth: '1' } });
    assert.equal(listing.status, 207);
    const hrefs = [...listing.body.matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) =>
      decodeURIComponent(m[1]!),
    );
    for (const name of names) assert.ok(hrefs.includes(`/dav/home/${name}`), name);
    for (const name of names) await dav('DELETE', `/dav/home/${encodeURIComponent(name)}`);
  });
});

describe('GET, HEAD and PUT', () => {
  const body = '0123456789abcdefghij';
  let etag = '';

  it('stores with 201 then 204, each with an ETag', async () => {
    const created = await dav('PUT', '/dav/home/r.txt', { body: 'old' });
    assert.equal(created.status, 201);
    const replaced = await dav('PUT', '/dav/home/r.txt', { body });
    assert.equal(replaced.status, 204);
    etag = String(replaced.headers['etag']);
    assert.match(etag, /^".+"$/);
  });

  it('serves the whole file with validators and Accept-Ranges', async () => {
    const res = await dav('GET', '/dav/home/r.txt');
    assert.equal(res.status, 200);
    assert.equal(res.body, body);
    assert.equal(res.headers['etag'], etag);
    assert.equal(res.headers['accept-ranges'], 'bytes');
    assert.ok(res.headers['last-modified']);
    assert.equal(res.headers['content-type'], 'text/plain');
  });

  it('serves single ranges with 206 and answers 416 past the end', async () => {
    const a = await dav('GET', '/dav/home/r.txt', { headers: { Range: 'bytes=2-5' } });
    assert.equal(a.status, 206);
    assert.equal(a.body, '2345');
    assert.equal(a.headers['content-range'], 'bytes 2-5/20');
    assert.equal((await dav('GET', '/dav/home/r.txt', { headers: { Range: 'bytes=15-' } })).body, 'fghij');
    assert.equal((await dav('GET', '/dav/home/r.txt', { headers: { Range: 'bytes=-3' } })).body, 'hij');
    const beyond = await dav('GET', '/dav/home/r.txt', { headers: { Range: 'bytes=20-' } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers['content-range'], 'bytes */20');
    const multi = await dav('GET', '/dav/home/r.txt', { headers: { Range: 'bytes=0-1,4-5' } });
    assert.equal(multi.status, 200);
  });

  it('answers conditional GET and HEAD: If-None-Match 304, If-Match 412', async () => {
    assert.equal((await dav('GET', '/dav/home/r.txt', { headers: { 'If-None-Match': etag } })).status, 304);
    assert.equal((await dav('HEAD', '/dav/home/r.txt', { headers: { 'If-None-Match': etag } })).status, 304);
    assert.equal((await dav('GET', '/dav/home/r.txt', { headers: { 'If-Match': '"nope"' } })).status, 412);
    const head = await dav('HEAD', '/dav/home/r.txt');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '20');
    assert.equal(head.body, '');
  });

  it('passes If-Match and If-None-Match on PUT to the core', async () => {
    assert.equal(
      (await dav('PUT', '/dav/home/r.txt', { body: 'x', headers: { 'If-Match': '"nope"' } })).status,
      412,
    );
    assert.equal(
      (await dav('PUT', '/dav/home/r.txt', { body: 'x', headers: { 'If-None-Match': '*' } })).status,
      412,
    );
    assert.equal((await dav('GET', '/dav/home/r.txt')).body, body);
  });

  it('refuses partial PUT, PUT to a collection and PUT without a parent', async () => {
    assert.equal(
      (await dav('PUT', '/dav/home/r.txt', { body: 'x', headers: { 'Content-Range': 'bytes 0-0/20' } }))
        .status,
      400,
    );
    await dav('MKCOL', '/dav/home/pc/');
    assert.equal((await dav('PUT', '/dav/home/pc', { body: 'x' })).status, 405);
    assert.equal((await dav('PUT', '/dav/home/missing/x.txt', { body: 'x' })).status, 409);
  });

  it('keeps nothing of an upload whose client disconnects mid-body, and answers the next request', async () => {
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: '127.0.0.1',
        port: server.port,
        method: 'PUT',
        path: '/dav/home/dropped.bin',
        headers: { 'Content-Length': '1000000', Authorization: basic('alice', 'alice-pass') },
        agent: false,
      });
      req.on('error', () => {
        resolve();
      });
      req.write(Buffer.alloc(10_000), () => {
        req.destroy();
        resolve();
      });
    });
    const tmp = path.join(server.storage.rootDir, 'tmp');
    await waitUntil(async () => (await readdir(tmp)).length === 0);
    assert.equal((await dav('GET', '/dav/home/dropped.bin')).status, 404);
  });

  it('stores a chunked body and serves a collection as a small HTML page', async () => {
    const res = await dav('PUT', '/dav/home/pc/chunked.bin', {
      body: 'chunked body',
      headers: { 'Transfer-Encoding': 'chunked', 'X-Expected-Entity-Length': '12' },
    });
    assert.equal(res.status, 201);
    const page = await dav('GET', '/dav/home/pc/');
    assert.equal(page.status, 200);
    assert.match(page.body, /chunked\.bin/);
  });
});

describe('MKCOL, DELETE, COPY and MOVE', () => {
  it('refuses MKCOL with a body (415) and on an existing resource (405), 409 without a parent', async () => {
    assert.equal((await dav('MKCOL', '/dav/home/mk/', { body: '<x/>' })).status, 415);
    assert.equal((await dav('MKCOL', '/dav/home/mk/')).status, 201);
    assert.equal((await dav('MKCOL', '/dav/home/mk/')).status, 405);
    assert.equal((await dav('MKCOL', '/dav/home/nope/mk/')).status, 409);
  });

  it('answers COPY with 201, 412 for Overwrite: F onto an existing target, 204 when overwriting', async () => {
    await dav('PUT', '/dav/home/c1.txt', { body: 'one' });
    await dav('PUT', '/dav/home/c2.txt', { body: 'two' });
    const dest = `${server.url}/dav/home/c3.txt`;
    assert.equal((await dav('COPY', '/dav/home/c1.txt', { headers: { Destination: dest } })).status, 201);
    const refused = await dav('COPY', '/dav/home/c2.txt', {
      headers: { Destination: dest, Overwrite: 'F' },
    });
    assert.equal(refused.status, 412);
    assert.equal((await dav('GET', '/dav/home/c3.txt')).body, 'one');
    assert.equal((await dav('COPY', '/dav/home/c2.txt', { headers: { Destination: dest } })).status, 204);
    assert.equal((await dav('GET', '/dav/home/c3.txt')).body, 'two');
  });

  it('refuses COPY onto itself or into itself (403), elsewhere (502), without Destination (400)', async () => {
    const self = `${server.url}/dav/home/mk/`;
    assert.equal((await dav('COPY', '/dav/home/mk/', { headers: { Destination: self } })).status, 403);
    assert.equal(
      (await dav('MOVE', '/dav/home/mk/', { headers: { Destination: self + 'in/' } })).status,
      403,
    );
    assert.equal(
      (
        await dav('COPY', '/dav/home/c1.txt', {
          headers: { Destination: 'http://elsewhere.example/dav/home/x' },
        })
      ).status,
      502,
    );
    assert.equal((await dav('COPY', '/dav/home/c1.txt')).status, 400);
    assert.equal(
      (await dav('MOVE', '/dav/home/c1.txt', { headers: { Destination: '/dav/home/m.txt', Depth: '0' } }))
        .status,
      400,
    );
  });

  it('honours If-Match and If-Unmodified-Since on DELETE (412, nothing deleted)', async () => {
    await dav('PUT', '/dav/home/keep.txt', { body: 'keep' });
    assert.equal(
      (await dav('DELETE', '/dav/home/keep.txt', { headers: { 'If-Match': '"stale"' } })).status,
      412,
    );
    const past = new Date(Date.now() - 3_600_000).toUTCString();
    assert.equal(
      (await dav('DELETE', '/dav/home/keep.txt', { headers: { 'If-Unmodified-Since': past } })).status,
      412,
    );
    assert.equal((await dav('GET', '/dav/home/keep.txt')).body, 'keep');
  });

  it('moves with an absolute-path Destination and deletes with 204, 404 afterwards', async () => {
    assert.equal(
      (await dav('MOVE', '/dav/home/c1.txt', { headers: { Destination: '/dav/home/m.txt' } })).status,
      201,
    );
    assert.equal((await dav('DELETE', '/dav/home/m.txt')).status, 204);
    assert.equal((await dav('DELETE', '/dav/home/m.txt')).status, 404);
  });
});

describe('PROPFIND and PROPPATCH', () => {
  it('refuses Depth: infinity on a collection with propfind-finite-depth, and takes a missing Depth as 1', async () => {
    const refused = await dav('PROPFIND', '/dav/home/', { headers: { Depth: 'infinity' } });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /propfind-finite-depth/);
    const listing = await dav('PROPFIND', '/dav');
    assert.equal(listing.status, 207);
    assert.match(listing.body, /<D:href>\/dav\/home\/<\/D:href>/);
  });

  it('hides macOS metadata from listings but stores it', async () => {
    assert.equal((await dav('PUT', '/dav/home/.DS_Store', { body: 'x' })).status, 201);
    assert.equal((await dav('PUT', '/dav/home/._r.txt', { body: 'x' })).status, 201);
    const listing = await dav('PROPFIND', '/dav/home/', { headers: { Depth: '1' } });
    assert.doesNotMatch(listing.body, /DS_Store|\/\._r/);
    assert.equal((await dav('GET', '/dav/home/.DS_Store')).status, 200);
  });

  it('reports quota properties when asked and unknown properties as 404', async () => {
    const res = await dav('PROPFIND', '/dav/home/', {
      headers: { Depth: '0' },
      body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:quota-available-bytes/><D:quota-used-bytes/><Z:nope xmlns:Z="urn:z"/></D:prop></D:propfind>',
    });
    assert.equal(res.status, 207);
    assert.match(res.body, /<D:quota-available-bytes>\d+<\/D:quota-available-bytes>/);
    assert.match(res.body, /<x:nope xmlns:x="urn:z"\/><\/D:prop><D:status>HTTP\/1.1 404 Not Found/);
  });

  it('applies any number of set/remove blocks in document order, keeping namespaces exact', async () => {
    await dav('PUT', '/dav/home/p.txt', { body: 'p' });
    const patch = await dav('PROPPATCH', '/dav/home/p.txt', {
      body:
        '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:">' +
        '<D:set><D:prop><a:x xmlns:a="http://example.com/ns/">1</a:x></D:prop></D:set>' +
        '<D:remove><D:prop><a:x xmlns:a="http://example.com/ns/"/></D:prop></D:remove>' +
        '<D:set><D:prop><a:x xmlns:a="http://example.com/ns/"><v xmlns="urn:v">2</v></a:x><b:y xmlns:b="http://example.com/ns">3</b:y></D:prop></D:set>' +
        '</D:propertyupdate>',
    });
    assert.equal(patch.status, 207);
    const res = await dav('PROPFIND', '/dav/home/p.txt', { headers: { Depth: '0' } });
    assert.match(res.body, /<x:x xmlns:x="http:\/\/example.com\/ns\/"><v xmlns="urn:v">2<\/v><\/x:x>/);
    assert.match(res.body, /<x:y xmlns:x="http:\/\/example.com\/ns">3<\/x:y>/);
  });

  it('changes nothing when one property is protected: 403 for it, 424 for the rest', async () => {
    const res = await dav('PROPPATCH', '/dav/home/p.txt', {
      body: '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:getetag>x</D:getetag><z:k xmlns:z="urn:z">v</z:k></D:prop></D:set></D:propertyupdate>',
    });
    assert.equal(res.status, 207);
    assert.match(res.body, /<D:getetag\/><\/D:prop><D:status>HTTP\/1.1 403/);
    assert.match(res.body, /<x:k xmlns:x="urn:z"\/><\/D:prop><D:status>HTTP\/1.1 424/);
    const after = await dav('PROPFIND', '/dav/home/p.txt', {
      headers: { Depth: '0' },
      body: '<D:propfind xmlns:D="DAV:"><D:prop><z:k xmlns:z="urn:z"/></D:prop></D:propfind>',
    });
    assert.match(after.body, /404 Not Found/);
  });

  it("accepts Windows' Win32 properties and applies the modification time", async () => {
    const res = await dav('PROPPATCH', '/dav/home/p.txt', {
      body:
        '<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop>' +
        '<Z:Win32CreationTime>Tue, 02 Jan 2024 03:04:05 GMT</Z:Win32CreationTime>' +
        '<Z:Win32LastModifiedTime>Tue, 02 Jan 2024 03:04:05 GMT</Z:Win32LastModifiedTime>' +
        '<Z:Win32FileAttributes>00000020</Z:Win32FileAttributes>' +
        '</D:prop></D:set></D:propertyupdate>',
    });
    assert.equal(res.status, 207);
    assert.doesNotMatch(res.body, /HTTP\/1.1 [^2]/);
    const head = await dav('HEAD', '/dav/home/p.txt');
    assert.equal(head.headers['last-modified'], 'Tue, 02 Jan 2024 03:04:05 GMT');
  });

  it('streams a 10,000-entry listing without holding up other requests', async () => {
    const dir = path.join(server.storage.rootDir, 'homes', 'alice', 'big');
    await dav('MKCOL', '/dav/home/big/');
    await Promise.all(
      Array.from({ length: 10_000 }, (_, i) => writeFile(path.join(dir, `file-${i}.txt`), 'x')),
    );
    // Read the listing's first bytes, then stop reading: the server must wait for the socket, not spin, and
    // answer another request meanwhile.
    const listingDone = new Promise<{ responses: number; other: number }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: server.port,
          method: 'PROPFIND',
          path: '/dav/home/big/',
          headers: { Depth: '1', Authorization: basic('alice', 'alice-pass') },
          agent: false,
        },
        (res) => {
          assert.equal(res.statusCode, 207);
          let text = '';
          res.once('data', (first: Buffer) => {
            text += first.toString('utf8');
            res.pause();
            dav('GET', '/dav/home/r.txt')
              .then((other) => {
                res.on('data', (c: Buffer) => (text += c.toString('utf8')));
                res.on('end', () => {
                  resolve({ responses: text.split('<D:response>').length - 1, other: other.status });
                });
                res.resume();
              })
              .catch(reject);
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    const result = await listingDone;
    assert.equal(result.other, 200);
    assert.equal(result.responses, 10_001);
  });
});

const HUGE = 50 * 1024 * 1024;

/** Streams up to 50 MB of spaces until the server answers; resolves with the status and the bytes sent by then. */
function sendHugeBody(
  method: string,
  p: string,
  headers: Record<string, string>,
): Promise<{ status: number; sent: number }> {
  return new Promise((resolve) => {
    const req = http.request({
      host: '127.0.0.1',
      port: server.port,
      method,
      path: p,
      headers: { ...headers, Authorization: basic('alice', 'alice-pass') },
      agent: false,
    });
    let sent = 0;
    req.on('response', (r) => {
      r.resume();
      req.destroy();
      resolve({ status: r.statusCode ?? 0, sent });
    });
    req.on('error', () => {
      // The server closes the connection after answering; the answer is what counts.
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = (): void => {
      while (sent < HUGE && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

describe('hostile bodies', () => {
  it('refuses a 50 MB PROPFIND body at once from its Content-Length, without reading it', async () => {
    const res = await sendHugeBody('PROPFIND', '/dav/home/', {
      'Content-Length': String(HUGE),
      Depth: '0',
    });
    assert.equal(res.status, 413);
    assert.ok(res.sent < HUGE);
  });

  it('stops reading a chunked body as soon as it passes the cap', async () => {
    const res = await sendHugeBody('PROPPATCH', '/dav/home/r.txt', { 'Transfer-Encoding': 'chunked' });
    assert.equal(res.status, 413);
    assert.ok(res.sent < HUGE);
  });

  it('refuses DOCTYPE, external entities and billion laughs with a 400', async () => {
    for (const body of [
      '<!DOCTYPE propfind><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><D:propfind xmlns:D="DAV:"><D:prop>&e;</D:prop></D:propfind>',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><lolz>&lol2;</lolz>',
    ]) {
      assert.equal((await dav('PROPFIND', '/dav/home/', { body, headers: { Depth: '0' } })).status, 400);
    }
    assert.equal(
      (await dav('PROPFIND', '/dav/home/', { body: '<foo>', headers: { Depth: '0' } })).status,
      400,
    );
  });

  it("survives webdav-server's crash shapes: several PROPPATCH blocks, an untagged (<DAV:no-lock>)", async () => {
    const patch = await dav('PROPPATCH', '/dav/home/r.txt', {
      body:
        '<D:propertyupdate xmlns:D="DAV:">' +
        '<D:set><D:prop><a:one xmlns:a="urn:a">1</a:one></D:prop></D:set>'.repeat(5) +
        '<D:remove><D:prop><a:one xmlns:a="urn:a"/></D:prop></D:remove>'.repeat(5) +
        '</D:propertyupdate>',
    });
    assert.equal(patch.status, 207);
    assert.equal(
      (await dav('PUT', '/dav/home/r.txt', { body: 'x', headers: { If: '(<DAV:no-lock>)' } })).status,
      412,
    );
    assert.equal(
      (
        await dav('PUT', '/dav/home/r.txt', {
          body: 'x',
          headers: { If: '<http://elsewhere/x> (<urn:uuid:1>)' },
        })
      ).status,
      412,
    );
    assert.equal(
      (await dav('PUT', '/dav/home/r.txt', { body: 'x', headers: { If: '(<garbage' } })).status,
      400,
    );
    assert.equal((await dav('GET', '/dav/home/r.txt')).status, 200);
  });
});

describe('locks', () => {
  it('binds a lock to its token and holder: 423 without the token, for its owner and for another user', async () => {
    assert.equal((await dav('PUT', '/dav/shared/l.txt', { body: 'v1' })).status, 201);
    const lock = await dav('LOCK', '/dav/shared/l.txt', {
      headers: { Timeout: 'Second-600' },
      body: '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>alice</D:owner></D:lockinfo>',
    });
    assert.equal(lock.status, 200);
    const token = /^<(.+)>$/.exec(String(lock.headers['lock-token']))?.[1] ?? '';
    assert.match(token, /^urn:uuid:/);
    assert.match(lock.body, /<D:lockdiscovery><D:activelock>/);
    const ifToken = { If: `(<${token}>)` };
    assert.equal((await dav('PUT', '/dav/shared/l.txt', { body: 'x' })).status, 423);
    assert.equal((await dav('PUT', '/dav/shared/l.txt', { ...asBob, body: 'x' })).status, 423);
    const stolen = await dav('PUT', '/dav/shared/l.txt', { ...asBob, body: 'x', headers: ifToken });
    assert.equal(stolen.status, 423);
    assert.match(stolen.body, /<D:lock-token-submitted><D:href>\/dav\/shared\/l.txt<\/D:href>/);
    assert.equal((await dav('DELETE', '/dav/shared/l.txt', asBob)).status, 423);
    assert.equal((await dav('PUT', '/dav/shared/l.txt', { body: 'v2', headers: ifToken })).status, 204);
    const refreshed = await dav('LOCK', '/dav/shared/l.txt', {
      headers: { ...ifToken, Timeout: 'Second-100' },
    });
    assert.equal(refreshed.status, 200);
    assert.equal(
      (await dav('UNLOCK', '/dav/shared/l.txt', { headers: { 'Lock-Token': '<urn:uuid:bogus>' } })).status,
      409,
    );
    assert.equal(
      (await dav('UNLOCK', '/dav/shared/l.txt', { headers: { 'Lock-Token': `<${token}>` } })).status,
      204,
    );
    assert.equal((await dav('PUT', '/dav/shared/l.txt', { ...asBob, body: 'v3' })).status, 204);
  });

  it('creates an empty resource when locking an unmapped URL (201) and grants shared locks side by side', async () => {
    const body = (scope: string): string =>
      `<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:${scope}/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>`;
    const first = await dav('LOCK', '/dav/shared/new.txt', { body: body('shared'), headers: { Depth: '0' } });
    assert.equal(first.status, 201);
    const second = await dav('LOCK', '/dav/shared/new.txt', {
      ...asBob,
      body: body('shared'),
      headers: { Depth: '0' },
    });
    assert.equal(second.status, 200);
    const exclusive = await dav('LOCK', '/dav/shared/new.txt', { body: body('exclusive') });
    assert.equal(exclusive.status, 423);
    const discovery = await dav('PROPFIND', '/dav/shared/new.txt', {
      headers: { Depth: '0' },
      body: '<D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/></D:prop></D:propfind>',
    });
    assert.equal(discovery.body.split('<D:activelock>').length - 1, 2);
  });
});
