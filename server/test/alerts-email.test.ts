import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { startMonitoredServer, type ApiBody, type MonitoredServer } from './monitoring-support.js';

const SMTP_USER = 'nas';
const SMTP_PASSWORD = 'smtp-secret-Xq7v';

interface Mail {
  readonly from: string;
  readonly to: string[];
  readonly user: string | null;
  readonly subject: string;
  readonly text: string;
}

/** An SMTP receiver on 127.0.0.1:0 (no TLS, AUTH optional but checked when sent) that hands over each message. */
class SmtpReceiver {
  readonly mails: Mail[] = [];
  /** RCPT TO replies 451 (transient) this many more times: retries reach the next attempt. */
  transientFailures = 0;
  private waiters: (() => void)[] = [];
  private readonly server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (auth, _session, callback) => {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) {
        callback(null, { user: auth.username });
      } else {
        callback(new Error('Invalid username or password'));
      }
    },
    onRcptTo: (_address, _session, callback) => {
      if (this.transientFailures > 0) {
        this.transientFailures--;
        callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
      } else {
        callback();
      }
    },
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const split = raw.indexOf('\r\n\r\n');
        const head = raw.slice(0, split);
        let text = raw.slice(split + 4);
        if (/^Content-Transfer-Encoding: quoted-printable/im.test(head)) {
          text = text
            .replace(/=\r\n/g, '')
            .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
        }
        const mailFrom = session.envelope.mailFrom;
        this.mails.push({
          from: mailFrom === false ? '' : mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : null,
          subject: /^Subject: (.*)$/im.exec(head)?.[1] ?? '',
          text: text.replace(/\r\n/g, '\n'),
        });
        callback();
        for (const w of this.waiters.splice(0)) w();
      });
    },
  });
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  /** The first message whose subject matches (already received or still to come). */
  async next(subject: RegExp): Promise<Mail> {
    for (;;) {
      const seen = this.mails.find((m) => subject.test(m.subject));
      if (seen) return seen;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(resolve);
    });
  }
}

/** A port on 127.0.0.1 that nothing listens on (bound, read, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

describe('email notifications', () => {
  let s: MonitoredServer;
  let smtp: SmtpReceiver;
  /** The waits between delivery attempts, as asked for (none is actually waited). */
  const waits: number[] = [];
  const channel = () => ({
    host: '127.0.0.1',
    port: smtp.port,
    security: 'none',
    username: SMTP_USER,
    password: SMTP_PASSWORD,
    from: 'nas@example.com',
    to: ['admin@example.com', 'ops@example.com'],
  });

  before(async () => {
    smtp = new SmtpReceiver();
    await smtp.start();
    s = await startMonitoredServer({
      startOptions: {
        monitoring: {
          delivery: {
            retryDelaysMs: [10, 20, 40],
            timeoutMs: 5_000,
            sleep: (ms) => {
              waits.push(ms);
              return Promise.resolve();
            },
          },
        },
      },
    });
    await s.api('put', '/api/notifications/channels', 200, { webhooks: [], email: channel() });
  });
  after(async () => {
    await s.t.server.services.alerts.settled();
    await s.t.close();
    await smtp.close();
  });

  /** Fails md0's sdb through the API (confirming with the token the first call answers). */
  async function degradeRaid(): Promise<void> {
    const refused = await s.api('post', '/api/raid/arrays/md0/members/sdb/fail', 428);
    const token = encodeURIComponent(refused.error.details.confirmToken);
    await s.api('post', `/api/raid/arrays/md0/members/sdb/fail?confirmToken=${token}`, 200);
  }

  it('stores the email channel and shows its password only as ********', async () => {
    const shown = await s.api('get', '/api/notifications/channels', 200);
    assert.deepEqual(shown, {
      webhooks: [],
      email: { ...channel(), password: '********' },
    });
    assert.doesNotMatch(JSON.stringify(shown), new RegExp(SMTP_PASSWORD));

    // The view sent back as it was read keeps the stored password (the test send below authenticates with it).
    const put = await s.api('put', '/api/notifications/channels', 200, shown);
    assert.equal(put.email.password, '********');
    assert.doesNotMatch(JSON.stringify(put), new RegExp(SMTP_PASSWORD));

    const audit = await s.api('get', '/api/audit?action=notifications.set_channels', 200);
    assert.equal(audit.items.length, 2);
    assert.doesNotMatch(JSON.stringify(audit), new RegExp(SMTP_PASSWORD));
  });

  it('refuses an invalid email channel', async () => {
    const cases: [object, RegExp][] = [
      [{ ...channel(), to: [] }, /email\.to/],
      [{ ...channel(), to: ['not an address'] }, /email\.to\.0/],
      [{ ...channel(), port: 70000 }, /email\.port/],
      [{ ...channel(), security: 'ssl' }, /email\.security/],
      [{ ...channel(), username: undefined }, /email\.password/],
      // The redacted value keeps a stored password only for the user it belongs to.
      [{ ...channel(), username: 'someone-else', password: '********' }, /email\.password/],
    ];
    for (const [email, message] of cases) {
      const refused = await s.api('put', '/api/notifications/channels', 400, { webhooks: [], email });
      assert.match(refused.error.message, message, JSON.stringify(email));
    }
    const kept = await s.api('get', '/api/notifications/channels', 200);
    assert.equal(kept.email.port, smtp.port);
  });

  it('mails a test notification to every recipient, authenticated', async () => {
    const { results } = await s.api('post', '/api/notifications/test', 200);
    assert.deepEqual(results, [{ channel: `email 127.0.0.1:${smtp.port}`, ok: true, error: null }]);
    const mail = await smtp.next(/BaluHost test notification/);
    assert.match(mail.subject, /^\[BaluHost .+\] INFO: BaluHost test notification$/);
    assert.equal(mail.from, 'nas@example.com');
    assert.deepEqual(mail.to, ['admin@example.com', 'ops@example.com']);
    assert.equal(mail.user, SMTP_USER);
    assert.match(mail.text, /Sent by admin to check the notification channels\./);
    assert.match(mail.text, /Rule: test/);
  });

  it('mails a degraded RAID at the next evaluation, sending again to a recipient the server deferred', async () => {
    // The first RCPT TO (admin@) gets 451: ops@ has the mail at once, admin@ alone at the next attempt.
    smtp.transientFailures = 1;
    waits.length = 0;
    await degradeRaid();
    await s.t.server.services.alerts.evaluate();
    await s.t.server.services.alerts.settled();
    const mails = smtp.mails.filter((m) => /RAID md0/.test(m.subject));
    assert.deepEqual(
      mails.map((m) => m.to),
      [['ops@example.com'], ['admin@example.com']],
    );
    assert.deepEqual(waits, [10], 'one deferral, one wait');
    for (const mail of mails) {
      assert.match(mail.subject, /^\[BaluHost .+\] CRITICAL: RAID md0 is degraded$/);
      assert.equal(mail.from, 'nas@example.com');
      assert.match(
        mail.text,
        /Array md0 \(raid1\) is degraded and has lost redundancy\. Faulty members: \/dev\/sdb\./,
      );
      assert.match(mail.text, /Severity: critical/);
      assert.match(mail.text, /Rule: raid_degraded/);
    }

    await s.t.server.services.alerts.evaluate();
    await s.t.server.services.alerts.settled();
    assert.equal(
      smtp.mails.filter((m) => /RAID md0/.test(m.subject)).length,
      2,
      'nothing more while it holds',
    );
    await s.api('post', '/api/raid/simulation/reset', 200);
    await s.t.server.services.alerts.evaluate();
  });

  it('records a failed delivery to a closed port, retried a bounded number of times, and keeps running', async () => {
    const port = await closedPort();
    await s.api('put', '/api/notifications/channels', 200, {
      webhooks: [],
      email: { ...channel(), port, password: '********' },
    });

    const { results } = await s.api('post', '/api/notifications/test', 200);
    assert.equal(results.length, 1);
    assert.equal(results[0].channel, `email 127.0.0.1:${port}`);
    assert.equal(results[0].ok, false);
    assert.match(results[0].error, /ECONNREFUSED|connect/i);
    const audit = await s.api('get', '/api/audit?action=notifications.test', 200);
    assert.equal(audit.items[0].result, 'failure');

    waits.length = 0;
    const before = smtp.mails.length;
    await degradeRaid();
    await s.t.server.services.alerts.evaluate();
    await s.t.server.services.alerts.settled();
    assert.deepEqual(waits, [10, 20, 40], 'four attempts with backoff, then given up');
    assert.equal(smtp.mails.length, before);
    const failed = s.t.logs
      .map((l): ApiBody => JSON.parse(l))
      .filter((l: ApiBody) => l.msg === 'email delivery failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].smtp, `127.0.0.1:${port}`);
    assert.ok(failed[0].err.message);

    // Still raised and served.
    const { items } = await s.api('get', '/api/notifications?unread=true', 200);
    assert.ok(items.some((n: ApiBody) => n.rule === 'raid_degraded' && n.resolvedAt === null));
    await s.api('post', '/api/raid/simulation/reset', 200);
  });

  it('never writes the SMTP password to a response or a log line', async () => {
    const channels = await s.api('get', '/api/notifications/channels', 200);
    assert.equal(channels.email.password, '********');
    for (const line of s.t.logs) assert.doesNotMatch(line, new RegExp(SMTP_PASSWORD));
  });

  it('stops mailing when email is null or left out, and then shows no email', async () => {
    const off = await s.api('put', '/api/notifications/channels', 200, { webhooks: [], email: null });
    assert.deepEqual(off, { webhooks: [] });
    await s.api('put', '/api/notifications/channels', 200, { webhooks: [], email: channel() });
    const webhooksOnly = await s.api('put', '/api/notifications/channels', 200, { webhooks: [] });
    assert.deepEqual(webhooksOnly, { webhooks: [] });
    const { results } = await s.api('post', '/api/notifications/test', 200);
    assert.deepEqual(results, []);
  });
});
