// The floor for a Node server that flushes each upload before it answers: it does what BaluHost's small upload
// does on the file system (create a temporary file with O_DSYNC on the thread pool, write it there, close, rename
// into place) and nothing else: no database, no locks, no quota, no audit, no paths to check. The benchmark runs
// it beside BaluHost with every upload flushed (`node-floor` beside `baluhost-fsync-always`), so that the 4 KiB PUT
// lines show how much of the gap to Apache is the flush on this disk and how much is BaluHost's own work. It is a
// measuring stick, not a server: Basic auth by comparing
// the header, PUT, MKCOL, a GET (the harness reads its first upload back) and a minimal PROPFIND (its readiness
// probe), nothing more.
//
// node floor-server.mjs <root> <port> <user> <pass>
import http from 'node:http';
import { closeSync, constants, mkdirSync, open, readFileSync, renameSync, write } from 'node:fs';
import path from 'node:path';
import { Buffer } from 'node:buffer';

const [root, port, user, pass] = process.argv.slice(2);
const files = path.join(root, 'files');
const tmp = path.join(root, 'tmp');
mkdirSync(files, { recursive: true });
mkdirSync(tmp, { recursive: true });
const expected = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DSYNC;
let next = 0;

const openNew = (file) =>
  new Promise((resolve, reject) => {
    open(file, CREATE, 0o640, (err, fd) => (err ? reject(err) : resolve(fd)));
  });
const writeAll = (fd, buffer) =>
  new Promise((resolve, reject) => {
    write(fd, buffer, (err) => (err ? reject(err) : resolve()));
  });

function answer(res, status, body = '') {
  res.writeHead(status, { 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

http
  .createServer(async (req, res) => {
    try {
      if (req.headers.authorization !== expected) {
        res.setHeader('WWW-Authenticate', 'Basic realm="floor"');
        return answer(res, 401);
      }
      const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/dav\//, '');
      if (rel.split('/').includes('..')) return answer(res, 400);
      const target = path.join(files, rel);
      if (req.method === 'PROPFIND') {
        return answer(
          res,
          207,
          '<?xml version="1.0" encoding="utf-8"?><D:multistatus xmlns:D="DAV:"><D:response>' +
            '<D:href>/dav/</D:href><D:propstat><D:prop/><D:status>HTTP/1.1 200 OK</D:status></D:propstat>' +
            '</D:response></D:multistatus>',
        );
      }
      if (req.method === 'MKCOL') {
        mkdirSync(target);
        return answer(res, 201);
      }
      if (req.method === 'GET') {
        const body = readFileSync(target);
        res.writeHead(200, { 'Content-Length': body.length });
        return res.end(body);
      }
      if (req.method !== 'PUT') return answer(res, 405);
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const part = path.join(tmp, `${process.pid}.${next++}.part`);
      const fd = await openNew(part);
      try {
        await writeAll(fd, Buffer.concat(chunks));
      } finally {
        closeSync(fd);
      }
      renameSync(part, target);
      return answer(res, 201);
    } catch (err) {
      return answer(res, 500, String(err));
    }
  })
  .listen(Number(port), '127.0.0.1');
