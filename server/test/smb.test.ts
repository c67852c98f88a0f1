import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { bearer, startTestServer, type TestServer } from './helpers.js';

// The real thing: BaluHost starts smbd itself (nss_wrapper supplies the Unix accounts), and smbclient talks to it.

/**
 * A port smbd can take: free now, and below the kernel's ephemeral range (32768+), so that no server started with
 * port 0 by a test running alongside can take it before smbd binds.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => {
        resolve(false);
      });
      s.listen(port, '127.0.0.1', () => {
        s.close(() => {
          resolve(true);
        });
      });
    });
    if (free) return port;
  }
}

interface Run {
  readonly status: number | null;
  readonly out: string;
}

function run(file: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(file, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out });
    });
  });
}

/** Polls until check returns a value other than undefined, or fails after timeoutMs with the last value. */
async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms (${String(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function smbEnv(): Promise<{ ts: TestServer; port: number }> {
  const port = await freePort();
  const ts = await startTestServer({
    BALUHOST_SMB_ENABLED: 'true',
    BALUHOST_SMB_PORT: String(port),
    BALUHOST_SMB_NSS_WRAPPER: 'true',
  });
  return { ts, port };
}

/** Processes whose command line mentions this data dir (smbd, samba-dcerpcd, rpcd_*), zombies aside. */
async function sambaProcessesOf(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(dataDir)) out.push(`${pid}: ${cmd.replace(/\0/g, ' ')}`);
  }
  return out;
}

describe('SMB gateway: files, shares, accounts and quota over a real smbd', () => {
  let ts: TestServer;
  let port: number;
  let scratch: string;
  let admin: [string, string];

  const smb = (share: string, user: string, password: string, command: string) =>
    run('smbclient', [
      `//127.0.0.1/${share}`,
      '-p',
      String(port),
      '-U',
      `${user}%${password}`,
      '-c',
      command,
    ]);
  const local = (name: string) => path.join(scratch, name);
  const auditRows = async (query: string) => {
    const res = await ts
      .http()
      .get(`/api/audit?${query}`)
      .set(...admin);
    assert.equal(res.status, 200);
    return res.body.items as {
      action: string;
      actor: string;
      target: string;
      result: string;
      protocol: string;
    }[];
  };

  before(async () => {
    ({ ts, port } = await smbEnv());
    admin = bearer(await ts.adminToken());
    scratch = await mkdtemp(path.join(os.tmpdir(), 'smb-client-'));
    await writeFile(local('hello.txt'), 'hello over smb\n');
  });

  after(async () => {
    await ts.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('lets alice put, get, list, make folders and remove them in her home', async () => {
    await ts.createUser('alice', 'alice-password-1');
    await ts.server.services.smb.settle();
    const r = await smb(
      'home',
      'alice',
      'alice-password-1',
      `put ${local('hello.txt')} a.txt; mkdir docs; put ${local('hello.txt')} docs/b.txt; ls; ls docs/*; get a.txt ${local('back.txt')}; rm docs/b.txt; rmdir docs; ls`,
    );
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /docs\s+D/);
    assert.match(r.out, /b\.txt\s+A\s+15/);
    assert.equal(await readFile(local('back.txt'), 'utf8'), 'hello over smb\n');
    const last = r.out.slice(r.out.lastIndexOf('  .  '));
    assert.doesNotMatch(last, /docs/);
    const rows = await eventually('the SMB audit rows', async () => {
      const items = await auditRows('protocol=smb&actor=alice&limit=50');
      return items.some((i) => i.action === 'file.delete' && i.target === '/homes/alice/docs')
        ? items
        : undefined;
    });
    const actions = rows.map((i) => `${i.action} ${i.target}`);
    for (const a of [
      'smb.connect /homes/alice',
      'file.write /homes/alice/a.txt',
      'file.mkdir /homes/alice/docs',
      'file.write /homes/alice/docs/b.txt',
      'file.delete /homes/alice/docs/b.txt',
    ])
      assert.ok(actions.includes(a), `${a} in ${actions.join(', ')}`);
  });

  it('serves a share to its writers read-write, and to its readers (a group here) read-only', async () => {
    await ts.createUser('sam', 'sam-password-1');
    await ts.createUser('rita', 'rita-password-1');
    await ts.createUser('wes', 'wes-password-1');
    let res = await ts
      .http()
      .post('/api/groups')
      .set(...admin)
      .send({ name: 'readers', members: ['rita'] });
    assert.equal(res.status, 201);
    res = await ts
      .http()
      .post('/api/shares')
      .set(...admin)
      .send({
        name: 'team',
        acl: [
          { type: 'user', name: 'sam', access: 'write' },
          { type: 'user', name: 'wes', access: 'write' },
          { type: 'group', name: 'readers', access: 'read' },
        ],
      });
    assert.equal(res.status, 201);
    await ts.server.services.smb.settle();
    let r = await smb('team', 'sam', 'sam-password-1', `put ${local('hello.txt')} plan.txt; mkdir sub; ls`);
    assert.equal(r.status, 0, r.out);
    r = await smb('team', 'rita', 'rita-password-1', `get plan.txt ${local('rita.txt')}; ls`);
    assert.equal(r.status, 0, r.out);
    assert.equal(await readFile(local('rita.txt'), 'utf8'), 'hello over smb\n');
    r = await smb('team', 'rita', 'rita-password-1', `put ${local('hello.txt')} rita.txt`);
    assert.notEqual(r.status, 0);
    assert.match(r.out, /NT_STATUS_ACCESS_DENIED/);
    // What Samba cannot do from an ACL alone, the Unix side does: the folder is sticky and files are their
    // owner's, so another writer may add files but not delete or overwrite sam's.
    r = await smb('team', 'wes', 'wes-password-1', `put ${local('hello.txt')} sub/wes.txt`);
    assert.equal(r.status, 0, r.out);
    r = await smb('team', 'wes', 'wes-password-1', 'rm plan.txt');
    assert.match(r.out, /NT_STATUS_ACCESS_DENIED/);
    // The creator owns what they make over SMB, as over WebDAV.
    const listing = await eventually('ownership of the SMB files in the share', async () => {
      const l = await ts
        .http()
        .get('/api/files?path=/team/sub')
        .set(...admin);
      return l.body.items?.some((i: { owner: string | null }) => i.owner === 'wes') ? l : undefined;
    });
    assert.deepEqual(
      listing.body.items.map((i: { name: string; owner: string }) => [i.name, i.owner]),
      [['wes.txt', 'wes']],
    );
    const top = await ts
      .http()
      .get('/api/files?path=/team')
      .set(...admin);
    assert.deepEqual(top.body.items.map((i: { name: string; owner: string }) => [i.name, i.owner]).sort(), [
      ['plan.txt', 'sam'],
      ['sub', 'sam'],
    ]);
  });

  it('never lets bob into alice’s home: \\\\host\\home is always the caller’s own', async () => {
    await ts.createUser('bob', 'bob-password-1');
    await ts.createUser('carla', 'carla-password-1');
    await ts.server.services.smb.settle();
    let r = await smb('home', 'carla', 'carla-password-1', `put ${local('hello.txt')} carla-secret.txt`);
    assert.equal(r.status, 0, r.out);
    r = await smb('home', 'bob', 'bob-password-1', 'ls');
    assert.equal(r.status, 0, r.out);
    assert.doesNotMatch(r.out, /carla-secret/);
    for (const share of ['carla', 'homes', 'homes/carla']) {
      r = await smb(share, 'bob', 'bob-password-1', 'ls');
      assert.notEqual(r.status, 0, `${share}: ${r.out}`);
      assert.doesNotMatch(r.out, /carla-secret/);
    }
  });

  it('refuses a wrong password, audits it and counts it in the shared failed-login tracker', async () => {
    await ts.createUser('walt', 'walt-password-1');
    await ts.server.services.smb.settle();
    const r = await smb('home', 'walt', 'not-his-password', 'ls');
    assert.notEqual(r.status, 0);
    assert.match(r.out, /NT_STATUS_LOGON_FAILURE/);
    const row = await eventually('the failed SMB login in the audit log', async () => {
      const items = await auditRows('protocol=smb&action=auth.login&actor=walt');
      return items.find((i) => i.result === 'failure');
    });
    assert.equal(row.protocol, 'smb');
    const failures = await ts.server
      .db('auth_failures')
      .where({ scope: 'user', key: 'walt' })
      .first<{ failures: number }>();
    assert.equal(failures.failures, 1);
  });

  it('shows a file alice writes over SMB over WebDAV and the file API as hers, and counts it in her usage', async () => {
    const before = await ts
      .http()
      .get('/api/me/usage')
      .set(...bearer(await ts.login('alice', 'alice-password-1')));
    const usedBefore = before.body.usedBytes as number;
    await writeFile(local('ten-k.bin'), Buffer.alloc(10_000, 7));
    const r = await smb('home', 'alice', 'alice-password-1', `put ${local('ten-k.bin')} ten-k.bin`);
    assert.equal(r.status, 0, r.out);
    const token = await ts.login('alice', 'alice-password-1');
    const usage = await eventually('alice’s usage after the SMB write', async () => {
      const u = await ts
        .http()
        .get('/api/me/usage')
        .set(...bearer(token));
      const used = u.body.usedBytes as number;
      return used === usedBefore + 10_000 ? used : undefined;
    });
    assert.equal(usage, usedBefore + 10_000);
    const file = await ts
      .http()
      .get('/api/files/stat?path=/home/ten-k.bin')
      .set(...bearer(token));
    assert.equal(file.status, 200);
    assert.equal(file.body.owner, 'alice');
    assert.equal(file.body.size, 10_000);
    const dav = await fetch(`${ts.url}/dav/home/`, {
      method: 'PROPFIND',
      headers: {
        Depth: '1',
        Authorization: `Basic ${Buffer.from('alice:alice-password-1').toString('base64')}`,
      },
    });
    assert.equal(dav.status, 207);
    assert.match(await dav.text(), /ten-k\.bin/);
  });

  it('serves over SMB a file written over WebDAV', async () => {
    const put = await ts
      .http()
      .put('/dav/home/from-dav.txt')
      .auth('alice', 'alice-password-1')
      .send('written over webdav\n');
    assert.equal(put.status, 201);
    const r = await smb('home', 'alice', 'alice-password-1', `get from-dav.txt ${local('from-dav.txt')}`);
    assert.equal(r.status, 0, r.out);
    assert.equal(await readFile(local('from-dav.txt'), 'utf8'), 'written over webdav\n');
  });

  it('reports the quota as the total and what is left as free to smbclient du', async () => {
    await ts.createUser('quentin', 'quentin-password-1', { quotaBytes: 10 * 1024 * 1024 });
    await ts.server.services.smb.settle();
    await writeFile(local('one-meg.bin'), Buffer.alloc(1024 * 1024, 1));
    let r = await smb('home', 'quentin', 'quentin-password-1', `put ${local('one-meg.bin')} one.bin`);
    assert.equal(r.status, 0, r.out);
    r = await eventually('du with the used megabyte taken off', async () => {
      const d = await smb('home', 'quentin', 'quentin-password-1', 'du');
      return /10240 blocks of size 1024\. 9216 blocks available/.test(d.out) ? d : undefined;
    });
    assert.match(r.out, /10240 blocks of size 1024\. 9216 blocks available/);
  });

  it('takes a password change in the API over to SMB within 2 s: the old one fails, the new one works', async () => {
    const id = await ts.createUser('pat', 'pat-password-1');
    await ts.server.services.smb.settle();
    assert.equal((await smb('home', 'pat', 'pat-password-1', 'ls')).status, 0);
    const res = await ts
      .http()
      .post(`/api/users/${id}/password`)
      .set(...admin)
      .send({ password: 'pat-password-2' });
    assert.equal(res.status, 204);
    await eventually(
      'the new password over SMB',
      async () => ((await smb('home', 'pat', 'pat-password-2', 'ls')).status === 0 ? true : undefined),
      2000,
    );
    const old = await smb('home', 'pat', 'pat-password-1', 'ls');
    assert.match(old.out, /NT_STATUS_LOGON_FAILURE/);
  });

  it('ends SMB access when the user is deleted', async () => {
    const id = await ts.createUser('dora', 'dora-password-1');
    await ts.server.services.smb.settle();
    assert.equal((await smb('home', 'dora', 'dora-password-1', 'ls')).status, 0);
    const res = await ts
      .http()
      .delete(`/api/users/${id}`)
      .set(...admin);
    assert.equal(res.status, 204);
    await ts.server.services.smb.settle();
    const r = await smb('home', 'dora', 'dora-password-1', 'ls');
    assert.notEqual(r.status, 0);
    assert.match(r.out, /NT_STATUS_LOGON_FAILURE/);
  });

  it('lists a new share in smbclient -L without a restart', async () => {
    const res = await ts
      .http()
      .post('/api/shares')
      .set(...admin)
      .send({ name: 'photos', acl: [{ type: 'user', name: 'alice', access: 'read' }] });
    assert.equal(res.status, 201);
    await eventually('photos in the share list', async () => {
      const r = await run('smbclient', [
        '-L',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'alice%alice-password-1',
      ]);
      return /photos\s+Disk/.test(r.out) ? r : undefined;
    });
  });

  it('makes a user over quota read-only over SMB until back under, while WebDAV answers 507', async () => {
    await ts.createUser('olga', 'olga-password-1', { quotaBytes: 100_000 });
    await ts.server.services.smb.settle();
    await writeFile(local('big.bin'), Buffer.alloc(150_000, 2));
    // Samba does not stop a write at the quota (clients only see dfree); BaluHost notices right after.
    let r = await smb('home', 'olga', 'olga-password-1', `put ${local('big.bin')} big.bin`);
    assert.equal(r.status, 0, r.out);
    await eventually('olga read-only over SMB', async () => {
      const p = await smb('home', 'olga', 'olga-password-1', `put ${local('hello.txt')} small.txt`);
      return /NT_STATUS_ACCESS_DENIED/.test(p.out) ? p : undefined;
    });
    const status = await ts
      .http()
      .get('/api/smb/status')
      .set(...admin);
    assert.ok(status.body.overQuota.includes('olga'));
    const dav = await ts.http().put('/dav/home/more.txt').auth('olga', 'olga-password-1').send('more');
    assert.equal(dav.status, 507);
    r = await smb('home', 'olga', 'olga-password-1', `get big.bin ${local('big-back.bin')}`);
    assert.equal(r.status, 0, 'reading still works');
    const del = await ts.http().delete('/dav/home/big.bin').auth('olga', 'olga-password-1');
    assert.equal(del.status, 204);
    await eventually('olga writable again over SMB', async () => {
      const p = await smb('home', 'olga', 'olga-password-1', `put ${local('hello.txt')} small.txt`);
      return p.status === 0 ? p : undefined;
    });
  });

  it('shows status: running, pid, version, and users with no Samba password yet', async () => {
    const res = await ts
      .http()
      .get('/api/smb/status')
      .set(...admin);
    assert.equal(res.status, 200);
    assert.equal(res.body.running, true);
    assert.ok(res.body.pid > 0);
    assert.match(res.body.version, /^4\./);
    assert.deepEqual(res.body.usersWithoutPassword, []);
    const forbidden = await ts
      .http()
      .get('/api/smb/status')
      .set(...bearer(await ts.login('alice', 'alice-password-1')));
    assert.equal(forbidden.status, 403);
  });
});

describe('SMB gateway: supervision and settings', () => {
  it('restarts smbd within 5 s when it dies, and shows the new pid', async () => {
    const { ts } = await smbEnv();
    try {
      const admin = bearer(await ts.adminToken());
      // smbd may still be starting: wait until the status shows it running before killing it.
      const first = await eventually(
        'smbd running',
        async () => {
          const s = (
            await ts
              .http()
              .get('/api/smb/status')
              .set(...admin)
          ).body as { pid: number | null; running: boolean };
          return s.running && s.pid !== null ? { pid: s.pid } : undefined;
        },
        10_000,
      );
      const context = () =>
        `${JSON.stringify(first)}\n${ts.logs.filter((l) => /"level":[45]0/.test(l)).join('')}`;
      assert.ok(first.pid > 0, context());
      try {
        process.kill(first.pid, 'SIGKILL');
      } catch (err) {
        assert.fail(`${String(err)}: ${context()}`);
      }
      const next = await eventually(
        'a new smbd',
        async () => {
          const s = (
            await ts
              .http()
              .get('/api/smb/status')
              .set(...admin)
          ).body as { pid: number | null; running: boolean };
          return s.running && s.pid !== null && s.pid !== first.pid ? s : undefined;
        },
        5000,
      );
      assert.notEqual(next.pid, first.pid);
    } finally {
      await ts.close();
    }
  });

  it('leaves no smbd or samba-dcerpcd behind when BaluHost stops', async () => {
    const { ts, port } = await smbEnv();
    let closed = false;
    try {
      await ts.createUser('lena', 'lena-password-1');
      await ts.server.services.smb.settle();
      // Listing shares starts samba-dcerpcd, which runs outside smbd's process group.
      const r = await run('smbclient', ['-L', '127.0.0.1', '-p', String(port), '-U', 'lena%lena-password-1']);
      assert.match(r.out, /home\s+Disk/);
      assert.notDeepEqual(await sambaProcessesOf(ts.dataDir), []);
      await ts.stop();
      closed = true;
      assert.deepEqual(await sambaProcessesOf(ts.dataDir), []);
    } finally {
      if (!closed) await ts.stop();
      await ts.close();
    }
  });

  it('turns Samba off and on through PUT /api/smb, audited', async () => {
    const { ts, port } = await smbEnv();
    try {
      const admin = bearer(await ts.adminToken());
      let res = await ts
        .http()
        .get('/api/smb')
        .set(...admin);
      assert.deepEqual(res.body, {
        enabled: true,
        workgroup: 'WORKGROUP',
        serverString: 'BaluHost',
        port,
        interfaces: ['lo'],
      });
      res = await ts
        .http()
        .put('/api/smb')
        .set(...admin)
        .send({ enabled: false });
      assert.equal(res.status, 200);
      assert.equal(res.body.enabled, false);
      assert.deepEqual(await sambaProcessesOf(ts.dataDir), []);
      // Created while SMB was off: no Samba password until the next password change.
      const nina = await ts.createUser('nina', 'nina-password-1');
      res = await ts
        .http()
        .put('/api/smb')
        .set(...admin)
        .send({ enabled: true, serverString: 'Office NAS' });
      assert.equal(res.status, 200);
      const status = await ts
        .http()
        .get('/api/smb/status')
        .set(...admin);
      assert.equal(status.body.running, true);
      assert.deepEqual(status.body.usersWithoutPassword, ['nina']);
      const ls = () =>
        run('smbclient', ['//127.0.0.1/home', '-p', String(port), '-U', 'nina%nina-password-2', '-c', 'ls']);
      assert.match((await ls()).out, /NT_STATUS_LOGON_FAILURE/);
      res = await ts
        .http()
        .post(`/api/users/${nina}/password`)
        .set(...admin)
        .send({ password: 'nina-password-2' });
      assert.equal(res.status, 204);
      await ts.server.services.smb.settle();
      assert.equal((await ls()).status, 0);
      const later = await ts
        .http()
        .get('/api/smb/status')
        .set(...admin);
      assert.deepEqual(later.body.usersWithoutPassword, []);
      assert.match(
        await readFile(path.join(ts.dataDir, 'samba', 'smb.conf'), 'utf8'),
        /server string = Office NAS/,
      );
      res = await ts
        .http()
        .put('/api/smb')
        .set(...admin)
        .send({ workgroup: 'bad\nname' });
      assert.equal(res.status, 400);
      const audit = await ts
        .http()
        .get('/api/audit?action=smb.settings.update')
        .set(...admin);
      assert.equal(audit.body.items.length, 2);
    } finally {
      await ts.close();
    }
  });
});
