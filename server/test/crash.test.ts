import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { ADMIN_PASSWORD, TEST_DATABASE_URL, dropTestDatabase } from './helpers.js';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

/** Starts `baluhost serve` in its own process and resolves with its URL once it listens. */
function serve(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', CLI, 'serve'], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => {
      reject(new Error(`server exited (${code}): ${out}`));
    });
  });
}

describe('a server killed mid-upload', () => {
  it('leaves the previous version intact, no partial file, and nothing stale in tmp/ after restart', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'baluhost-crash-'));
    const env: Record<string, string> = {
      BALUHOST_DATA_DIR: dataDir,
      PORT: '0',
      BALUHOST_ADMIN_PASSWORD: ADMIN_PASSWORD,
      BALUHOST_LOG_LEVEL: 'info',
      ...(TEST_DATABASE_URL
        ? { DATABASE_URL: TEST_DATABASE_URL, BALUHOST_DATABASE_SCHEMA: `c_${process.pid}_${Date.now()}` }
        : {}),
    };
    let { child, url } = await serve(env);
    try {
      const login = await request(url)
        .post('/api/auth/login')
        .send({ username: 'admin', password: ADMIN_PASSWORD })
        .expect(200);
      const token = login.body.accessToken as string;
      await request(url)
        .put('/api/files/content?path=/home/report.txt')
        .set('Authorization', `Bearer ${token}`)
        .send('the good version')
        .expect(201);

      // Start a 50 MB upload, and kill the server once part of it has been written to tmp/.
      const req = http.request(new URL('/api/files/content?path=/home/report.txt', url), {
        method: 'PUT',
        headers: { Authorization: `Bearer ${token}`, 'Content-Length': String(50 * 1024 * 1024) },
      });
      req.on('error', () => undefined);
      req.write(Buffer.alloc(4 * 1024 * 1024, 1));
      for (let i = 0; i < 200 && (await readdir(path.join(dataDir, 'tmp'))).length === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.equal((await readdir(path.join(dataDir, 'tmp'))).length, 1, 'the upload reached tmp/');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      req.destroy();

      ({ child, url } = await serve(env));
      assert.deepEqual(await readdir(path.join(dataDir, 'tmp')), []);
      const again = await request(url)
        .post('/api/auth/login')
        .send({ username: 'admin', password: ADMIN_PASSWORD })
        .expect(200);
      const res = await request(url)
        .get('/api/files/content?path=/home/report.txt')
        .set('Authorization', `Bearer ${again.body.accessToken as string}`);
      assert.equal(res.text, 'the good version');
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      await dropTestDatabase(env);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
