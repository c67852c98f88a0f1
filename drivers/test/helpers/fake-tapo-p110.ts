import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A TP-Link Tapo P110 on 127.0.0.1 that speaks KLAP v2 as the plug does: handshake1 answers its seed and its
 * proof of the account, handshake2 checks the client's, requests are AES-128-CBC under the session's sequence
 * number. Written from the protocol, independently of the driver's tapo-klap.ts, so that each checks the other.
 */
export interface FakeTapoPlug {
  readonly host: string;
  /** Draw the plug reports, in milliwatts. */
  currentPowerMw: number;
  /** Methods it was asked, in order. */
  readonly calls: string[];
  /** Handshakes it completed. */
  handshakes: number;
  /** Forgets every session: the next request gets 403. */
  forgetSessions(): void;
  close(): Promise<void>;
}

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest();

export async function startFakeTapoPlug(account: {
  username: string;
  password: string;
}): Promise<FakeTapoPlug> {
  const auth = sha256(sha1(account.username), sha1(account.password));
  const pending = new Map<string, { local: Buffer; remote: Buffer }>();
  const sessions = new Map<string, { key: Buffer; iv: Buffer; sig: Buffer; seq: number }>();
  const read = (req: http.IncomingMessage) =>
    new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        resolve(Buffer.concat(chunks));
      });
    });
  const seqBytes = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const plug: FakeTapoPlug = {
    host: '',
    currentPowerMw: 23_456,
    calls: [],
    handshakes: 0,
    forgetSessions: () => {
      sessions.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
  const server = http.createServer((req, res) => {
    void read(req).then((body) => {
      const sessionId = /TP_SESSIONID=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
      const url = new URL(req.url ?? '/', 'http://plug');
      if (url.pathname === '/app/handshake1') {
        const id = randomBytes(8).toString('hex');
        const remote = randomBytes(16);
        pending.set(id, { local: body, remote });
        res.writeHead(200, { 'set-cookie': `TP_SESSIONID=${id};TIMEOUT=86400` });
        res.end(Buffer.concat([remote, sha256(body, remote, auth)]));
        return;
      }
      if (url.pathname === '/app/handshake2') {
        const p = sessionId === undefined ? undefined : pending.get(sessionId);
        if (p === undefined || sessionId === undefined || !body.equals(sha256(p.remote, p.local, auth))) {
          res.writeHead(403).end();
          return;
        }
        const iv = sha256(Buffer.from('iv'), p.local, p.remote, auth);
        sessions.set(sessionId, {
          key: sha256(Buffer.from('lsk'), p.local, p.remote, auth).subarray(0, 16),
          iv: iv.subarray(0, 12),
          sig: sha256(Buffer.from('ldk'), p.local, p.remote, auth).subarray(0, 28),
          seq: iv.readInt32BE(28),
        });
        plug.handshakes++;
        res.writeHead(200).end();
        return;
      }
      const s = sessionId === undefined ? undefined : sessions.get(sessionId);
      const seq = Number(url.searchParams.get('seq'));
      if (url.pathname !== '/app/request' || s === undefined) {
        res.writeHead(403).end();
        return;
      }
      const ciphertext = body.subarray(32);
      if (seq <= s.seq || !body.subarray(0, 32).equals(sha256(s.sig, seqBytes(seq), ciphertext))) {
        res.writeHead(400).end();
        return;
      }
      s.seq = seq;
      const decipher = createDecipheriv('aes-128-cbc', s.key, Buffer.concat([s.iv, seqBytes(seq)]));
      const request = JSON.parse(
        Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8'),
      ) as {
        method: string;
      };
      plug.calls.push(request.method);
      const answer =
        request.method === 'get_energy_usage'
          ? {
              error_code: 0,
              result: {
                today_runtime: 512,
                month_runtime: 20_160,
                today_energy: 186,
                month_energy: 7_312,
                local_time: '2026-11-28 09:32:00',
                electricity_charge: [0, 0, 0],
                current_power: plug.currentPowerMw,
              },
            }
          : request.method === 'get_device_info'
            ? {
                error_code: 0,
                result: {
                  model: 'P110',
                  device_on: true,
                  nickname: Buffer.from('NAS plug', 'utf8').toString('base64'),
                },
              }
            : { error_code: -1002 };
      const cipher = createCipheriv('aes-128-cbc', s.key, Buffer.concat([s.iv, seqBytes(seq)]));
      const out = Buffer.concat([cipher.update(JSON.stringify(answer), 'utf8'), cipher.final()]);
      res.writeHead(200).end(Buffer.concat([sha256(s.sig, seqBytes(seq), out), out]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(plug, { host: `127.0.0.1:${String((server.address() as AddressInfo).port)}` });
}
