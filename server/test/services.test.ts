import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { bearer, startTestServer, type TestServer } from './helpers.js';
import { ManualTimer, type ApiBody } from './monitoring-support.js';

interface Entry {
  name: string;
  state: string;
  since: string;
  lastError: string | null;
  figures: Record<string, unknown>;
}

async function api(t: TestServer, method: 'get' | 'post', url: string, status: number): Promise<ApiBody> {
  const agent = t.http();
  const res = await (method === 'get' ? agent.get(url) : agent.post(url)).set(
    ...bearer(await t.adminToken()),
  );
  assert.equal(res.status, status, `${method.toUpperCase()} ${url}: ${JSON.stringify(res.body)}`);
  return res.body;
}

function entry(entries: Entry[], name: string): Entry {
  const e = entries.find((x) => x.name === name);
  assert.ok(e, `no ${name} in ${JSON.stringify(entries.map((x) => x.name))}`);
  return e;
}

/** Polls until check returns a value (smbd's own restart is real time; the sampling is driven by hand). */
async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

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

/** The programs started (by any means: execFile, spawn, exec) while `fn` runs. */
async function programsStartedBy(fn: () => Promise<unknown>): Promise<string[]> {
  const started: string[] = [];
  // Every way of starting a program in Node (spawn, execFile, exec) goes through this undocumented method.
  type Spawn = (this: ChildProcess, options: { readonly file: string }) => unknown;
  const proto = ChildProcess.prototype as unknown as { spawn: Spawn };
  const spawn = proto.spawn;
  proto.spawn = function (options) {
    started.push(options.file);
    return spawn.call(this, options);
  };
  try {
    await fn();
  } finally {
    proto.spawn = spawn;
  }
  return started;
}

describe('service status', () => {
  let t: TestServer;
  let procRoot: string;
  before(async () => {
    // A /proc without mdstat: the real RAID backend fails, the other families stay simulated.
    procRoot = await mkdtemp(path.join(os.tmpdir(), 'baluhost-proc-'));
    t = await startTestServer({ BALUHOST_HARDWARE__RAID: 'real' }, undefined, {
      hardware: { procRoot },
      monitoring: { timer: new ManualTimer() },
      consoleDir: null,
    });
  });
  after(async () => {
    await t.close();
    await rm(procRoot, { recursive: true, force: true });
  });

  it('lists every part with its state, and a failing driver family as degraded with the reason', async () => {
    const entries = (await api(t, 'get', '/api/services', 200)) as Entry[];
    assert.deepEqual(
      entries.map((e) => e.name),
      [
        'http',
        'webdav',
        'smb',
        'scheduler',
        'telemetry',
        'database',
        'hardware.raid',
        'hardware.smart',
        'hardware.power',
        'hardware.fans',
        'hardware.telemetry',
        'hardware.energy',
      ],
    );
    assert.equal(entry(entries, 'http').state, 'running');
    assert.ok((entry(entries, 'http').figures['connections'] as number) >= 1);
    assert.equal(entry(entries, 'smb').state, 'disabled');
    assert.equal(entry(entries, 'database').state, 'running');
    assert.equal(typeof entry(entries, 'database').figures['pingMs'], 'number');
    assert.equal(entry(entries, 'hardware.smart').state, 'running');
    const raid = entry(entries, 'hardware.raid');
    assert.equal(raid.state, 'degraded');
    assert.equal(raid.figures['mode'], 'real');
    assert.match(raid.lastError ?? '', /DRIVER_UNAVAILABLE/);
  });

  it('samples and evaluates the alert rules without starting a program once it knows the smbd version', async () => {
    // Starting a process stalls the event loop for milliseconds, and every request in flight with it: the
    // probes run every 30 s and the rules every minute, whatever the load. smbd's version is read at start.
    const services = t.server.services;
    await services.serviceStatus.sample();
    const started = await programsStartedBy(async () => {
      // Past the half second for which systeminformation answers a process list from its last `ps`.
      await new Promise((r) => setTimeout(r, 600));
      await services.serviceStatus.sample();
      await services.alerts.evaluate();
    });
    assert.deepEqual(started, []);
    assert.equal(entry(await services.serviceStatus.sample(), 'hardware.telemetry').state, 'running');
  });

  it('raises a service_degraded notification for a degraded part once the rules run', async () => {
    await t.server.services.serviceStatus.sample();
    await t.server.services.alerts.evaluate();
    const list = (await api(t, 'get', '/api/notifications?limit=100', 200)) as {
      items: { rule: string; title: string; body: string }[];
    };
    const raised = list.items.filter((n) => n.rule === 'service_degraded');
    assert.deepEqual(
      raised.map((n) => n.title),
      ['Service hardware.raid is degraded'],
    );
    assert.match(raised[0]?.body ?? '', /DRIVER_UNAVAILABLE/);
  });

  it('probes one driver family on demand, audited', async () => {
    const probed = (await api(t, 'post', '/api/services/hardware/raid/probe', 200)) as Entry;
    assert.equal(probed.state, 'degraded');
    const smart = (await api(t, 'post', '/api/services/hardware/smart/probe', 200)) as Entry;
    assert.equal(smart.state, 'running');
    const audit = (await api(t, 'get', '/api/audit?action=services.', 200)) as {
      items: { action: string; target: string; result: string }[];
    };
    assert.deepEqual(audit.items.map((i) => [i.action, i.target, i.result]).sort(), [
      ['services.hardware.probe', 'raid', 'failure'],
      ['services.hardware.probe', 'smart', 'success'],
    ]);
    await api(t, 'post', '/api/services/hardware/nope/probe', 400);
    await api(t, 'post', '/api/services/smb/restart', 409);
  });

  it('is for admins only', async () => {
    await t.createUser('viewer', 'viewer-password-1');
    const res = await t
      .http()
      .get('/api/services')
      .set(...bearer(await t.login('viewer', 'viewer-password-1')));
    assert.equal(res.status, 403);
  });
});

describe('service status of SMB', () => {
  it('shows a killed smbd at the next sample with the reason, and the restart action brings it back', async () => {
    const port = await freePort();
    const t = await startTestServer(
      { BALUHOST_SMB_ENABLED: 'true', BALUHOST_SMB_PORT: String(port), BALUHOST_SMB_NSS_WRAPPER: 'true' },
      undefined,
      { monitoring: { timer: new ManualTimer() }, consoleDir: null },
    );
    try {
      const smb = t.server.services.smb;
      const status = t.server.services.serviceStatus;
      const first = await eventually('smbd running', async () => {
        const s = await smb.status();
        return s.pid === null ? undefined : s.pid;
      });
      assert.equal(entry(await status.sample(), 'smb').state, 'running');
      // The rules run every minute and start nothing; the probe (every 30 s) runs smbstatus alone, for the
      // sessions figure. (After the gateway's own pending work, a reload of the config.)
      await smb.settle();
      assert.deepEqual(await programsStartedBy(() => t.server.services.alerts.evaluate()), []);
      assert.deepEqual(await programsStartedBy(() => status.sample()), ['smbstatus']);

      process.kill(first, 'SIGKILL');
      await eventually('smbd gone', async () => ((await smb.status()).pid === first ? undefined : true));
      const afterKill = entry(await status.sample(), 'smb');
      assert.ok(['stopped', 'degraded'].includes(afterKill.state), JSON.stringify(afterKill));
      assert.match(afterKill.lastError ?? '', /smbd/);
      await t.server.services.alerts.evaluate();
      const list = (await api(t, 'get', '/api/notifications?limit=100', 200)) as {
        items: { title: string }[];
      };
      assert.ok(
        list.items.some((n) => n.title === `Service smb is ${afterKill.state}`),
        JSON.stringify(list.items),
      );

      const before = await eventually('smbd back', async () => (await smb.status()).pid ?? undefined);
      const restarted = (await api(t, 'post', '/api/services/smb/restart', 200)) as Entry;
      assert.equal(restarted.state, 'running');
      assert.notEqual(restarted.figures['pid'], before);
      assert.equal(entry(await status.sample(), 'smb').state, 'running');
      const audit = (await api(t, 'get', '/api/audit?action=services.smb.restart', 200)) as {
        items: { result: string }[];
      };
      assert.deepEqual(
        audit.items.map((i) => i.result),
        ['success'],
      );
    } finally {
      await t.close();
    }
  });
});
