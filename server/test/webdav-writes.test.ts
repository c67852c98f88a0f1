import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { startTestServer, type TestServer } from './helpers.js';

const ALICE = ['alice', 'alice-password-1'] as const;
const AUTH = `Basic ${Buffer.from(ALICE.join(':')).toString('base64')}`;

/** A PUT whose body is sent in the given pieces, with the given headers (chunked unless Content-Length is set). */
function put(
  base: string,
  urlPath: string,
  pieces: Buffer[],
  headers: Record<string, string> = {},
): Promise<{ status: number; etag: string | undefined }> {
  const url = new URL(urlPath, base);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers: { Authorization: AUTH, ...headers } }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, etag: res.headers.etag });
      });
    });
    req.on('error', reject);
    const send = (i: number): void => {
      const piece = pieces[i];
      if (piece === undefined) {
        req.end();
        return;
      }
      req.write(piece, () => {
        setTimeout(() => {
          send(i + 1);
        }, 5);
      });
    };
    send(0);
  });
}

// Uploads take one of two paths in the storage core (a body announced as small is gathered and written with one
// call; others stream), and which files are flushed before they take their name is a setting: every combination
// must store the bytes sent, and flush what the setting says (a replacement by `replace`, everything by `always`).
for (const fsync of ['replace', 'always', 'never'] as const) {
  describe(`WebDAV PUT with BALUHOST_FSYNC=${fsync}`, () => {
    let t: TestServer;
    const home = (): string => path.join(t.dataDir, 'storage', 'homes', 'alice');
    /** Files the storage core flushed while `op` ran. */
    const flushedBy = async (op: () => Promise<unknown>): Promise<number> => {
      const before = t.server.services.storage.flushedFiles;
      await op();
      return t.server.services.storage.flushedFiles - before;
    };
    const flushesNew = fsync === 'always' ? 1 : 0;
    const flushesReplacing = fsync === 'never' ? 0 : 1;

    before(async () => {
      t = await startTestServer({ BALUHOST_FSYNC: fsync });
      await t.createUser(ALICE[0], ALICE[1]);
    });
    after(async () => {
      await t.close();
    });

    const cases: {
      name: string;
      data: Buffer;
      pieces: (d: Buffer) => Buffer[];
      headers: (d: Buffer) => Record<string, string>;
    }[] = [
      {
        name: 'an empty file',
        data: Buffer.alloc(0),
        pieces: () => [],
        headers: () => ({ 'Content-Length': '0' }),
      },
      {
        name: 'a 4 KiB file in one piece',
        data: randomBytes(4096),
        pieces: (d) => [d],
        headers: (d) => ({ 'Content-Length': String(d.length) }),
      },
      {
        name: 'a 60 KiB file in three pieces',
        data: randomBytes(60 * 1024),
        pieces: (d) => [d.subarray(0, 1000), d.subarray(1000, 40_000), d.subarray(40_000)],
        headers: (d) => ({ 'Content-Length': String(d.length) }),
      },
      {
        name: 'a chunked 200 KiB body announced as 10 bytes (X-Expected-Entity-Length)',
        data: randomBytes(200 * 1024),
        pieces: (d) => [d.subarray(0, 50_000), d.subarray(50_000, 120_000), d.subarray(120_000)],
        headers: () => ({ 'X-Expected-Entity-Length': '10' }),
      },
      {
        name: 'a chunked 3 MiB body of unknown size',
        data: randomBytes(3 * 1024 * 1024 + 7),
        pieces: (d) => [d.subarray(0, 1_000_000), d.subarray(1_000_000)],
        headers: () => ({}),
      },
      {
        name: 'a 3 MiB file with Content-Length',
        data: randomBytes(3 * 1024 * 1024 + 7),
        pieces: (d) => [d],
        headers: (d) => ({ 'Content-Length': String(d.length) }),
      },
      {
        // Past the 32 MiB after which a large upload's data is flushed to disk while the rest still arrives.
        name: 'a 40 MiB file with Content-Length',
        data: randomBytes(40 * 1024 * 1024 + 3),
        pieces: (d) => [d.subarray(0, 20 * 1024 * 1024), d.subarray(20 * 1024 * 1024)],
        headers: (d) => ({ 'Content-Length': String(d.length) }),
      },
    ];

    for (const c of cases) {
      it(`stores ${c.name} byte for byte, and replaces it`, async () => {
        const name = `f-${randomBytes(4).toString('hex')}.bin`;
        let first = { status: 0, etag: undefined as string | undefined };
        const flushedFirst = await flushedBy(async () => {
          first = await put(t.url, `/dav/home/${name}`, c.pieces(c.data), c.headers(c.data));
        });
        assert.equal(first.status, 201);
        assert.equal(flushedFirst, flushesNew, 'files flushed for a new file');
        assert.ok((await readFile(path.join(home(), name))).equals(c.data));
        const back = await fetch(new URL(`/dav/home/${name}`, t.url), { headers: { Authorization: AUTH } });
        assert.equal(back.headers.get('etag'), first.etag, 'the ETag of the PUT is that of the stored file');
        assert.ok(Buffer.from(await back.arrayBuffer()).equals(c.data));
        const again = randomBytes(c.data.length + 1);
        let second = { status: 0, etag: undefined as string | undefined };
        const flushedSecond = await flushedBy(async () => {
          second = await put(t.url, `/dav/home/${name}`, [again], {
            'Content-Length': String(again.length),
          });
        });
        assert.equal(second.status, 204);
        assert.equal(flushedSecond, flushesReplacing, 'files flushed for a replacement');
        assert.notEqual(second.etag, first.etag);
        assert.ok((await readFile(path.join(home(), name))).equals(again));
      });
    }

    it('flushes an upload that finds a file at its name when it commits, though there was none when it began', async () => {
      const slow = Array.from({ length: 20 }, () => randomBytes(1000));
      const fast = randomBytes(10);
      let slowStatus = 0;
      let fastStatus = 0;
      const flushed = await flushedBy(async () => {
        // About 100 ms of body, chunked; the other upload arrives and commits while it streams.
        const first = put(t.url, '/dav/home/late.bin', slow);
        await new Promise((resolve) => setTimeout(resolve, 20));
        fastStatus = (await put(t.url, '/dav/home/late.bin', [fast])).status;
        slowStatus = (await first).status;
      });
      assert.equal(fastStatus, 201);
      assert.equal(slowStatus, 204, 'the slow upload replaced the file the other one made');
      assert.ok((await readFile(path.join(home(), 'late.bin'))).equals(Buffer.concat(slow)));
      // The new file is flushed only by `always`; the slow upload by `always` as it is written, by `replace` before
      // it replaces the other one.
      assert.equal(flushed, flushesNew + flushesReplacing);
    });

    it('flushes what a COPY or MOVE brings when it replaces a file or folder', async () => {
      const dav = async (method: string, from: string, headers: Record<string, string> = {}) => {
        const res = await fetch(new URL(`/dav/home/${from}`, t.url), {
          method,
          headers: { Authorization: AUTH, ...headers },
        });
        return res.status;
      };
      const to = (name: string) => ({ Destination: new URL(`/dav/home/${name}`, t.url).href });
      const a = randomBytes(5000);
      assert.equal((await put(t.url, '/dav/home/cm-a.bin', [a])).status, 201);
      assert.equal((await put(t.url, '/dav/home/cm-b.bin', [randomBytes(10)])).status, 201);
      assert.equal(await dav('MKCOL', 'cm-d/'), 201);
      for (const f of ['x', 'y'])
        assert.equal((await put(t.url, `/dav/home/cm-d/${f}.bin`, [a])).status, 201);
      const cases: [string, string, Record<string, string>, number, number][] = [
        ['COPY', 'cm-a.bin', to('cm-c.bin'), 201, flushesNew],
        ['COPY', 'cm-a.bin', to('cm-b.bin'), 204, flushesReplacing],
        ['MOVE', 'cm-c.bin', to('cm-b.bin'), 204, flushesReplacing],
        ['MOVE', 'cm-d/', to('cm-e/'), 201, 0],
        ['COPY', 'cm-e/', to('cm-f/'), 201, 2 * flushesNew],
        ['MOVE', 'cm-f/', to('cm-e/'), 204, 2 * flushesReplacing],
      ];
      for (const [method, from, headers, status, flushes] of cases) {
        let got = 0;
        const flushed = await flushedBy(async () => {
          got = await dav(method, from, headers);
        });
        assert.equal(got, status, `${method} ${from}`);
        assert.equal(flushed, flushes, `files flushed by ${method} ${from} to ${headers.Destination ?? ''}`);
      }
      assert.ok((await readFile(path.join(home(), 'cm-b.bin'))).equals(a));
      assert.ok((await readFile(path.join(home(), 'cm-e', 'y.bin'))).equals(a));
      // The next case counts the home's files.
      assert.equal(await dav('DELETE', 'cm-e/'), 204);
    });

    it('leaves no temporary file behind, and counts the bytes stored', async () => {
      assert.deepEqual(await readdir(path.join(t.dataDir, 'tmp')), []);
      const token = await t.login(ALICE[0], ALICE[1]);
      const usage = await t.http().get('/api/me/usage').set('Authorization', `Bearer ${token}`);
      let stored = 0;
      for (const f of await readdir(home())) stored += (await readFile(path.join(home(), f))).length;
      assert.equal(usage.status, 200, JSON.stringify(usage.body));
      assert.equal((usage.body as { usedBytes: number }).usedBytes, stored);
    });
  });
}

/** Sends a request's head on a raw socket; resolves with what the server says before any body is sent. */
function headOnly(base: string, head: string): Promise<{ first: string; socket: net.Socket }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(head);
    });
    socket.once('data', (d) => {
      resolve({ first: d.toString('latin1'), socket });
    });
    socket.once('error', reject);
  });
}

describe('WebDAV and Expect: 100-continue', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    await t.createUser(ALICE[0], ALICE[1]);
  });
  after(async () => {
    await t.close();
  });

  const head = (auth: string, length: number, method = 'PUT', target = '/dav/home/expect.bin'): string =>
    `${method} ${target} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\n` +
    `Content-Length: ${String(length)}\r\nExpect: 100-continue\r\n\r\n`;

  it('answers a PUT with a wrong password 401 before the body is sent, with no 100 Continue', async () => {
    const wrong = `Basic ${Buffer.from('alice:wrong-password').toString('base64')}`;
    const { first, socket } = await headOnly(t.url, head(wrong, 10_000_000));
    socket.destroy();
    assert.match(first, /^HTTP\/1\.1 401 /);
    assert.match(first, /\r\nconnection: close\r\n/i);
  });

  it('answers a PROPFIND body over the limit 413 before it is sent', async () => {
    const { first, socket } = await headOnly(t.url, head(AUTH, 50_000_000, 'PROPFIND', '/dav/home/'));
    socket.destroy();
    assert.match(first, /^HTTP\/1\.1 413 /);
  });

  it('sends 100 Continue once a PUT may go ahead, then stores the body', async () => {
    const body = randomBytes(100_000);
    const { first, socket } = await headOnly(t.url, head(AUTH, body.length));
    assert.match(first, /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d) => {
        text += d.toString('latin1');
        if (text.includes('\r\n\r\n')) resolve(text);
      });
      socket.write(body);
    });
    socket.destroy();
    assert.match(reply, /^HTTP\/1\.1 201 /);
    const back = await fetch(new URL('/dav/home/expect.bin', t.url), { headers: { Authorization: AUTH } });
    assert.ok(Buffer.from(await back.arrayBuffer()).equals(body));
  });

  it('answers a PUT into a missing folder 409 before the body is sent', async () => {
    const { first, socket } = await headOnly(t.url, head(AUTH, 10_000_000, 'PUT', '/dav/home/nowhere/x.bin'));
    socket.destroy();
    assert.match(first, /^HTTP\/1\.1 409 /);
  });
});
