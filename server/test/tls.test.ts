import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_PASSWORD, baluhost, startTestServer } from './helpers.js';

describe('TLS', () => {
  it('baluhost tls selfsigned writes a certificate for this host, and the server then also serves HTTPS', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'baluhost-tls-'));
    try {
      const r = baluhost(['tls', 'selfsigned', '--name', 'nas.example'], { BALUHOST_DATA_DIR: dataDir });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /tls-cert\.pem/);
      const key = await stat(path.join(dataDir, 'keys', 'tls-key.pem'));
      assert.equal(key.mode & 0o777, 0o600);

      const t = await startTestServer({ BALUHOST_DATA_DIR: dataDir, BALUHOST_TLS_PORT: '0' });
      try {
        const tlsUrl = t.server.tlsUrl;
        assert.ok(tlsUrl?.startsWith('https://127.0.0.1:'));
        const { status, dav, san } = await new Promise<{ status: number; dav: string; san: string }>(
          (resolve, reject) => {
            const req = https.request(
              `${tlsUrl}/dav/`,
              { method: 'OPTIONS', rejectUnauthorized: false },
              (res) => {
                const socket: unknown = res.socket;
                const cert = (socket as { getPeerCertificate(): PeerCertificate }).getPeerCertificate();
                res.resume();
                resolve({
                  status: res.statusCode ?? 0,
                  dav: String(res.headers['dav']),
                  san: cert.subjectaltname ?? '',
                });
              },
            );
            req.on('error', reject);
            req.end();
          },
        );
        assert.equal(status, 200);
        assert.match(dav, /1, 2/);
        assert.match(san, /DNS:localhost/);
        assert.match(san, /DNS:nas\.example/);
        assert.match(san, /IP Address:127\.0\.0\.1/);
        // The API answers over HTTPS too.
        const login = await new Promise<number>((resolve, reject) => {
          const req = https.request(
            `${tlsUrl}/api/auth/login`,
            { method: 'POST', rejectUnauthorized: false, headers: { 'Content-Type': 'application/json' } },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', reject);
          req.end(JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }));
        });
        assert.equal(login, 200);
      } finally {
        await t.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('serves plain HTTP only while there is no certificate', async () => {
    const t = await startTestServer();
    try {
      assert.equal(t.server.tlsUrl, null);
    } finally {
      await t.close();
    }
  });
});
