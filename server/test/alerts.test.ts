import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startMonitoredServer, type ApiBody, type MonitoredServer } from './monitoring-support.js';

/** A webhook receiver on 127.0.0.1:0 that hands over each JSON body it gets. */
class Receiver {
  readonly bodies: ApiBody[] = [];
  /** Each request's raw body and its X-BaluHost-Signature header, in arrival order. */
  readonly signed: { readonly raw: string; readonly signature: string | undefined }[] = [];
  private waiters: ((body: ApiBody) => void)[] = [];
  private readonly server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
    req.on('end', () => {
      const body: ApiBody = JSON.parse(data);
      this.bodies.push(body);
      const signature = req.headers['x-baluhost-signature'];
      this.signed.push({ raw: data, signature: typeof signature === 'string' ? signature : undefined });
      res.writeHead(204).end();
      for (const w of this.waiters.splice(0)) w(body);
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** The next body whose rule is `rule` (already received or still to come). */
  next(rule: string): Promise<ApiBody> {
    const seen = this.bodies.find((b) => b.rule === rule);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const wait = (b: ApiBody) => {
        if (b.rule === rule) resolve(b);
        else this.waiters.push(wait);
      };
      this.waiters.push(wait);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}

describe('alerts and notifications', () => {
  let s: MonitoredServer;
  let receiver: Receiver;
  before(async () => {
    receiver = new Receiver();
    await receiver.start();
    s = await startMonitoredServer();
    await s.api('put', '/api/notifications/channels', 200, { webhooks: [{ url: receiver.url }] });
  });
  after(async () => {
    await s.t.server.services.alerts.settled();
    await s.t.close();
    await receiver.close();
  });

  it('stores webhook channels in the settings and audits the change', async () => {
    const channels = await s.api('get', '/api/notifications/channels', 200);
    assert.deepEqual(channels, { webhooks: [{ url: receiver.url, hasSecret: false }] });
    const refused = await s.api('put', '/api/notifications/channels', 400, {
      webhooks: [{ url: 'ftp://x' }],
    });
    assert.match(refused.error.message, /webhooks\.0\.url/);
    const audit = await s.api('get', '/api/audit?action=notifications.set_channels', 200);
    assert.equal(audit.items.length, 1);
  });

  it('sends a test notification to every channel', async () => {
    const { results } = await s.api('post', '/api/notifications/test', 200);
    assert.equal(results.length, 1);
    assert.equal(results[0].ok, true, results[0].error);
    const body = await receiver.next('test');
    assert.equal(body.source, 'baluhost');
    assert.equal(body.severity, 'info');
  });

  it('delivers a degraded RAID to the webhook at the next evaluation, once while it holds', async () => {
    const refused = await s.api('post', '/api/raid/arrays/md0/members/sdb/fail', 428);
    const token = encodeURIComponent(refused.error.details.confirmToken);
    const failed = await s.api('post', `/api/raid/arrays/md0/members/sdb/fail?confirmToken=${token}`, 200);
    assert.equal(failed.isDegraded, true);
    // The rules' interval, driven: one evaluation instead of a minute's wait.
    await s.t.server.services.alerts.evaluate();
    const body = await receiver.next('raid_degraded');
    assert.equal(body.severity, 'critical');
    assert.match(body.title, /RAID md0 is degraded/);
    assert.match(body.body, /sdb/);

    await s.t.server.services.alerts.evaluate();
    await s.t.server.services.alerts.settled();
    const raid = receiver.bodies.filter((b) => b.rule === 'raid_degraded');
    assert.equal(raid.length, 1, 'deduplicated while the condition holds');
    const { items } = await s.api('get', '/api/notifications?unread=true', 200);
    const stored = items.filter((n: ApiBody) => n.rule === 'raid_degraded');
    assert.equal(stored.length, 1);
    assert.equal(stored[0].resolvedAt, null);

    // Cleared, then degraded again: a new notification.
    await s.api('post', '/api/raid/simulation/reset', 200);
    await s.t.server.services.alerts.evaluate();
    const resolved = await s.api('get', '/api/notifications', 200);
    assert.notEqual(resolved.items.find((n: ApiBody) => n.id === stored[0].id).resolvedAt, null);
  });

  it('marks notifications read, one or all, with cursor pages', async () => {
    const page = await s.api('get', '/api/notifications?limit=1', 200);
    assert.equal(page.items.length, 1);
    assert.ok(page.nextCursor);
    const read = await s.api('post', `/api/notifications/${page.items[0].id}/read`, 200);
    assert.ok(read.readAt);
    await s.api('post', '/api/notifications/read-all', 200);
    const unread = await s.api('get', '/api/notifications?unread=true', 200);
    assert.deepEqual(unread.items, []);
    await s.api('post', '/api/notifications/999999/read', 404);
  });

  it('raises a notification when a job fails twice in a row', async () => {
    await writeFile(path.join(s.t.dataDir, 'backups'), 'not a folder');
    for (let i = 0; i < 2; i++) {
      await s.api('post', '/api/scheduler/jobs/database_backup/run', 202);
      await s.t.server.services.scheduler.settled();
    }
    const body = await receiver.next('job_failing');
    assert.match(body.title, /database_backup failed twice in a row/);
    const { items } = await s.api('get', '/api/notifications?unread=true', 200);
    assert.ok(items.some((n: ApiBody) => n.rule === 'job_failing'));
  });

  it('raises a notification for a user at 90% of the quota', async () => {
    const id = await s.t.createUser('full', 'full-password-1', { quotaBytes: 1000 });
    const token = await s.t.login('full', 'full-password-1');
    const put = await s.t
      .http()
      .put('/api/files/content?path=/home/big.bin')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/octet-stream')
      .send(Buffer.alloc(950));
    assert.ok(put.status === 200 || put.status === 201, JSON.stringify(put.body));
    assert.ok(id > 0);
    await s.t.server.services.alerts.evaluate();
    const body = await receiver.next('quota_full');
    assert.match(body.title, /User full uses 95% of its quota/);
  });

  it('needs an admin', async () => {
    await s.t.createUser('viewer', 'viewer-password-1');
    const token = await s.t.login('viewer', 'viewer-password-1');
    const res = await s.t.http().get('/api/notifications').set('Authorization', `Bearer ${token}`);
    assert.equal(res.status, 403);
  });

  it('keeps a stored webhook secret when the redacted value comes back for the same URL, and refuses it for another', async () => {
    const secret = 'hook-secret-1';
    await s.api('put', '/api/notifications/channels', 200, { webhooks: [{ url: receiver.url, secret }] });
    const view = await s.api('get', '/api/notifications/channels', 200);
    assert.deepEqual(view.webhooks, [{ url: receiver.url, hasSecret: true }]);

    // What a client sends back after editing another channel: the view, with the secret redacted.
    const other = `${receiver.url}/other`;
    const refused = await s.api('put', '/api/notifications/channels', 400, {
      webhooks: [{ url: other, secret: '********' }],
    });
    assert.match(refused.error.message, /webhooks\.0\.secret/);
    const kept = await s.api('put', '/api/notifications/channels', 200, {
      webhooks: [{ url: receiver.url, secret: '********' }],
    });
    assert.deepEqual(kept.webhooks, [{ url: receiver.url, hasSecret: true }]);

    const seen = receiver.signed.length;
    const { results } = await s.api('post', '/api/notifications/test', 200);
    assert.equal(results[0].ok, true, results[0].error);
    await receiver.next('test');
    const delivery = receiver.signed[seen];
    assert.ok(delivery, 'the test notification arrived');
    const expected = `sha256=${createHmac('sha256', secret).update(delivery.raw).digest('hex')}`;
    assert.equal(delivery.signature, expected, 'signed with the stored secret, not with "********"');
    await s.api('put', '/api/notifications/channels', 200, { webhooks: [{ url: receiver.url }] });
  });
});
