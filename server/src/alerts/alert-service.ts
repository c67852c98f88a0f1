import os from 'node:os';
import type { Db } from '../db/index.js';
import { nowIso } from '../db/index.js';
import { NotFoundError, ValidationError } from '../errors/index.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { HardwareSnapshot } from '../metrics/hardware-snapshot.js';
import type { StorageUsageReader } from '../metrics/storage-usage-reader.js';
import type { SchedulerService } from '../scheduler/scheduler-service.js';
import type { ExecutionRow } from '../scheduler/scheduler-repository.js';
import { SYSTEM_TIMER, type IntervalTimer } from '../scheduler/timer.js';
import type { AuditActor, AuditService } from '../services/audit-service.js';
import { deliverEmail, type EmailChannel } from './email-delivery.js';
import { NotificationRepository, type Notification, type Severity } from './notification-repository.js';
import {
  deliverWebhook,
  webhookPayload,
  type DeliveryOptions,
  type WebhookChannel,
} from './webhook-delivery.js';

/** Where channels are kept in the settings table. */
const CHANNELS_KEY = 'notifications.channels';

export interface NotificationChannels {
  readonly webhooks: readonly WebhookChannel[];
  /** SMTP delivery to a list of recipients; null when notifications are not mailed. */
  readonly email: EmailChannel | null;
}

/**
 * What stands for a stored secret in what the API shows; sent back in a PUT, it keeps the stored secret (so a
 * client can round-trip the channels it read without knowing the SMTP password).
 */
export const REDACTED_SECRET = '********';

/** A condition that holds now. */
interface Condition {
  readonly key: string;
  readonly severity: Severity;
  readonly title: string;
  readonly body: string;
}

/** A rule's verdict: the conditions that hold, or null when it could not tell (nothing is then resolved). */
type Verdict = readonly Condition[] | null;

/**
 * Whether smbd runs, when an SMB gateway exists: null when there is none or SMB is switched off.
 * The hook the `smbd_down` rule reads.
 */
export type SmbStatusProbe = () => Promise<{ readonly isRunning: boolean; readonly detail?: string } | null>;

/**
 * The parts of the server that are degraded or stopped in the latest service status sample; null before the
 * first sample. The hook the `service_degraded` rule reads.
 */
export type ServiceProblemsProbe = () =>
  readonly { readonly name: string; readonly state: string; readonly lastError: string | null }[] | null;

export interface AlertServiceOptions {
  readonly db: Db;
  readonly audit: AuditService;
  readonly snapshot: HardwareSnapshot;
  readonly usage: StorageUsageReader;
  readonly scheduler: SchedulerService;
  readonly temperatureCelsius: number;
  readonly fullPercent: number;
  readonly smbStatus?: SmbStatusProbe;
  readonly clock?: () => number;
  readonly timer?: IntervalTimer;
  readonly logger?: Logger;
  /** How often the rules run; default 60 s. */
  readonly intervalMs?: number;
  readonly delivery?: DeliveryOptions;
}

/** The rules, by name: what each watches. */
export const ALERT_RULES = {
  raid_degraded: 'An md array lost redundancy (degraded, rebuilding or inactive).',
  smart_failing: 'A drive reports failing S.M.A.R.T. health.',
  disk_temperature: 'A drive is hotter than BALUHOST_ALERT_DISK_TEMPERATURE.',
  filesystem_full: 'The data dir filesystem is at least BALUHOST_ALERT_FULL_PERCENT full.',
  quota_full: 'A user or a share uses at least BALUHOST_ALERT_FULL_PERCENT of its quota.',
  job_failing: 'A scheduled job failed twice in a row.',
  smbd_down: 'SMB is enabled but smbd is not running.',
  service_degraded: 'A part of the server (GET /api/services) is degraded or stopped.',
} as const;
export type AlertRule = keyof typeof ALERT_RULES;

/**
 * Alert rules evaluated every minute (and at once when a job run fails). A condition that starts holding raises
 * one notification, delivered to every webhook and by email; while it holds nothing more is raised; when it clears, a new
 * occurrence raises again. The `notifications.active_key` unique index makes that hold across processes.
 */
export class AlertService {
  private readonly repo: NotificationRepository;
  private readonly clock: () => number;
  private readonly timer: IntervalTimer;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly deliveries = new Set<Promise<void>>();
  private handle: unknown = null;
  private evaluating: Promise<void> | null = null;
  private smbStatus: SmbStatusProbe | undefined;
  private serviceProblems: ServiceProblemsProbe | undefined;

  constructor(private readonly options: AlertServiceOptions) {
    this.repo = new NotificationRepository(options.db);
    this.clock = options.clock ?? Date.now;
    this.timer = options.timer ?? SYSTEM_TIMER;
    this.logger = options.logger ?? createLogger('fatal');
    this.intervalMs = options.intervalMs ?? 60_000;
    this.smbStatus = options.smbStatus;
    options.scheduler.onExecutionFinished((execution) => {
      if (execution.status === 'failed') {
        this.evaluateRules(['job_failing']).catch((err: unknown) => {
          this.logger.warn({ err }, 'alert evaluation failed');
        });
      }
    });
  }

  /**
   * Binds the smbd_down rule to the SMB gateway (the composition root calls it once the gateway exists).
   * Without a probe the rule stays quiet.
   */
  useSmbStatus(probe: SmbStatusProbe): void {
    this.smbStatus = probe;
  }

  /** Binds the service_degraded rule to the service status; without it the rule stays quiet. */
  useServiceProblems(probe: ServiceProblemsProbe): void {
    this.serviceProblems = probe;
  }

  start(): void {
    if (this.handle !== null) return;
    this.handle = this.timer.setInterval(() => {
      this.evaluate().catch((err: unknown) => {
        this.logger.warn({ err }, 'alert evaluation failed');
      });
    }, this.intervalMs);
  }

  async close(): Promise<void> {
    if (this.handle !== null) this.timer.clearInterval(this.handle);
    this.handle = null;
    await this.evaluating?.catch(() => undefined);
  }

  /** Resolves when every delivery started so far has ended (delivered or given up). */
  async settled(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.all([...this.deliveries]);
  }

  /** Runs every rule now (what the timer calls); overlapping calls share one pass. */
  evaluate(): Promise<void> {
    this.evaluating ??= this.evaluateRules(Object.keys(ALERT_RULES) as AlertRule[]).finally(() => {
      this.evaluating = null;
    });
    return this.evaluating;
  }

  private async evaluateRules(rules: readonly AlertRule[]): Promise<void> {
    this.options.snapshot.invalidate();
    for (const rule of rules) {
      let verdict: Verdict;
      try {
        verdict = await this.check(rule);
      } catch (err) {
        this.logger.warn({ err, rule }, 'alert rule failed');
        continue;
      }
      if (verdict === null) continue;
      await this.apply(rule, verdict);
    }
  }

  private async apply(rule: AlertRule, conditions: readonly Condition[]): Promise<void> {
    const at = nowIso(this.clock);
    const holding = new Set(conditions.map((c) => c.key));
    const active = await this.repo.activeKeys(rule);
    await this.repo.resolve(
      active.filter((k) => !holding.has(k)),
      at,
    );
    for (const c of conditions) {
      if (active.includes(c.key)) continue;
      const created = await this.repo.raise(
        { at, severity: c.severity, rule, title: c.title, body: c.body },
        c.key,
      );
      if (created !== null) {
        this.logger.warn({ rule, key: c.key, severity: c.severity }, 'alert raised');
        this.deliver(created);
      }
    }
  }

  private async check(rule: AlertRule): Promise<Verdict> {
    const { snapshot, usage, fullPercent, temperatureCelsius } = this.options;
    switch (rule) {
      case 'raid_degraded': {
        const arrays = await snapshot.raidArrays();
        if (arrays === null) return null;
        return arrays
          .filter((a) => a.isDegraded || a.state === 'degraded' || a.state === 'inactive')
          .map((a) => ({
            key: `raid_degraded:${a.name}`,
            severity: 'critical' as const,
            title: `RAID ${a.name} is ${a.state}`,
            body:
              `Array ${a.name} (${a.level}) is ${a.state}` +
              (a.isDegraded ? ' and has lost redundancy' : '') +
              `. Faulty members: ${
                a.members
                  .filter((m) => m.role === 'faulty')
                  .map((m) => m.device)
                  .join(', ') || 'none'
              }.` +
              (a.sync === null ? '' : ` ${a.sync.action} at ${a.sync.progressPercent.toFixed(1)}%.`),
          }));
      }
      case 'smart_failing': {
        const devices = await snapshot.smartDevices();
        if (devices === null) return null;
        return devices
          .filter((d) => d.health === 'FAILED')
          .map((d) => ({
            key: `smart_failing:${d.device}`,
            severity: 'critical' as const,
            title: `Disk ${d.device} is failing`,
            body: `S.M.A.R.T. reports ${d.device} (${d.model ?? 'unknown model'}) as failing. ${d.warnings.join(' ')}`.trim(),
          }));
      }
      case 'disk_temperature': {
        const devices = await snapshot.smartDevices();
        if (devices === null) return null;
        return devices
          .filter((d) => d.temperatureCelsius !== null && d.temperatureCelsius > temperatureCelsius)
          .map((d) => ({
            key: `disk_temperature:${d.device}`,
            severity: 'warning' as const,
            title: `Disk ${d.device} is at ${d.temperatureCelsius ?? 0} °C`,
            body: `${d.device} is hotter than the ${temperatureCelsius} °C threshold.`,
          }));
      }
      case 'filesystem_full': {
        const fs = await usage.filesystem();
        if (fs.sizeBytes <= 0) return [];
        const percent = ((fs.sizeBytes - fs.freeBytes) / fs.sizeBytes) * 100;
        return percent < fullPercent
          ? []
          : [
              {
                key: 'filesystem_full:data',
                severity: 'warning',
                title: `The data filesystem is ${Math.floor(percent)}% full`,
                body: `${formatBytes(fs.freeBytes)} free of ${formatBytes(fs.sizeBytes)}.`,
              },
            ];
      }
      case 'quota_full': {
        const [users, shares] = await Promise.all([usage.usersWithQuota(), usage.shares()]);
        const out: Condition[] = [];
        for (const [kind, rows] of [
          ['user', users],
          ['share', shares],
        ] as const) {
          for (const r of rows) {
            if (r.quotaBytes === null || r.quotaBytes <= 0) continue;
            const percent = (r.usedBytes / r.quotaBytes) * 100;
            if (percent < fullPercent) continue;
            out.push({
              key: `quota_full:${kind}:${r.name}`,
              severity: 'warning',
              title: `${kind === 'user' ? 'User' : 'Share'} ${r.name} uses ${Math.floor(percent)}% of its quota`,
              body: `${formatBytes(r.usedBytes)} of ${formatBytes(r.quotaBytes)}.`,
            });
          }
        }
        return out;
      }
      case 'job_failing': {
        const out: Condition[] = [];
        for (const job of this.options.scheduler.jobNames) {
          const last = await this.options.scheduler.lastFinished(job, 2);
          if (last.length === 2 && last.every((e: ExecutionRow) => e.status === 'failed')) {
            out.push({
              key: `job_failing:${job}`,
              severity: 'warning',
              title: `Job ${job} failed twice in a row`,
              body: `Last error: ${last[0]?.error ?? 'unknown'} (execution ${last[0]?.id ?? '?'}).`,
            });
          }
        }
        return out;
      }
      case 'service_degraded': {
        const problems = this.serviceProblems?.();
        if (problems === undefined) return [];
        if (problems === null) return null;
        return problems.map((p) => ({
          key: `service_degraded:${p.name}`,
          severity: 'warning' as const,
          title: `Service ${p.name} is ${p.state}`,
          body: `${p.name} is ${p.state}${p.lastError === null ? '' : `: ${p.lastError}`}.`,
        }));
      }
      case 'smbd_down': {
        const status = await this.smbStatus?.();
        if (status === undefined || status === null) return [];
        return status.isRunning
          ? []
          : [
              {
                key: 'smbd_down:smbd',
                severity: 'critical',
                title: 'smbd is not running',
                body: `SMB is enabled but smbd is down${status.detail === undefined ? '' : `: ${status.detail}`}.`,
              },
            ];
      }
    }
  }

  // --- delivery ------------------------------------------------------------------------------------------------

  private deliver(n: Notification): void {
    const run = (async () => {
      const { webhooks, email } = await this.channels();
      const host = os.hostname();
      const webhookRuns = webhooks.map(async (w) => {
        try {
          await deliverWebhook(w, webhookPayload(n, host), this.options.delivery);
        } catch (err) {
          this.logger.warn({ err, notificationId: n.id, webhook: hostOf(w.url) }, 'webhook delivery failed');
        }
      });
      const emailRun = (async () => {
        if (email === null) return;
        try {
          await deliverEmail(email, n, host, this.options.delivery);
        } catch (err) {
          // Only the std err fields (message, code, stack) are logged: never the channel, which holds the password.
          this.logger.warn({ err, notificationId: n.id, smtp: smtpOf(email) }, 'email delivery failed');
        }
      })();
      await Promise.all([...webhookRuns, emailRun]);
    })().catch((err: unknown) => {
      this.logger.warn({ err, notificationId: n.id }, 'notification delivery failed');
    });
    this.deliveries.add(run);
    void run.finally(() => this.deliveries.delete(run));
  }

  // --- API -----------------------------------------------------------------------------------------------------

  list(q: { unread: boolean; cursor?: number | undefined; limit: number }) {
    return this.repo.list(q);
  }

  /** @throws NotFoundError. */
  async markRead(id: number): Promise<Notification> {
    await this.repo.markRead(id, nowIso(this.clock));
    const n = await this.repo.get(id);
    if (n === null) throw new NotFoundError(`Notification ${id} does not exist.`);
    return n;
  }

  async markAllRead(): Promise<number> {
    return this.repo.markAllRead(nowIso(this.clock));
  }

  async channels(): Promise<NotificationChannels> {
    const row = await this.options
      .db('settings')
      .where({ key: CHANNELS_KEY })
      .first<{ value: string } | undefined>('value');
    if (row === undefined) return { webhooks: [], email: null };
    // Settings written before email delivery have no `email`.
    const parsed = JSON.parse(row.value) as Partial<NotificationChannels>;
    return { webhooks: parsed.webhooks ?? [], email: parsed.email ?? null };
  }

  /**
   * Replaces the channels, audited (neither webhook secrets nor the SMTP password are written to the audit log).
   * An email password equal to {@link REDACTED_SECRET} keeps the stored one, and so does a webhook secret equal
   * to it for the stored webhook with the same URL (reads never show secrets, so a client that edits one channel
   * sends the others back redacted).
   * @throws ValidationError when a redacted secret is sent but none is stored for that SMTP user or webhook URL.
   */
  async setChannels(actor: AuditActor, input: NotificationChannels): Promise<NotificationChannels> {
    const at = nowIso(this.clock);
    const before = await this.channels();
    let channels: NotificationChannels = {
      ...input,
      webhooks: input.webhooks.map((w, i) => {
        if (w.secret !== REDACTED_SECRET) return w;
        const secret = before.webhooks.find((b) => b.url === w.url && b.secret !== undefined)?.secret;
        if (secret === undefined) {
          throw new ValidationError(
            `webhooks.${i}.secret: "${REDACTED_SECRET}" keeps the stored secret, but none is stored for this URL.`,
          );
        }
        return { ...w, secret };
      }),
    };
    if (input.email !== null && input.email.password === REDACTED_SECRET) {
      const stored = before.email;
      // A password is kept only for the user it belongs to: a new username needs its own.
      if (stored?.password === undefined || stored.username !== input.email.username) {
        throw new ValidationError(
          `email.password: "${REDACTED_SECRET}" keeps the stored password, but none is stored for this username.`,
        );
      }
      channels = { ...channels, email: { ...input.email, password: stored.password } };
    }
    await this.options.db.transaction(async (trx) => {
      await trx('settings')
        .insert({ key: CHANNELS_KEY, value: JSON.stringify(channels), updatedAt: at })
        .onConflict('key')
        .merge({ value: JSON.stringify(channels), updatedAt: at });
      await this.options.audit.record(
        actor,
        {
          action: 'notifications.set_channels',
          result: 'success',
          target: null,
          details: {
            webhooks: channels.webhooks.map((w) => hostOf(w.url)),
            email: channels.email === null ? null : { smtp: smtpOf(channels.email), to: channels.email.to },
          },
        },
        trx,
      );
    });
    return channels;
  }

  /**
   * Sends a test notification to every channel, once each (no retries), and reports each result. Audited.
   */
  async sendTest(actor: AuditActor): Promise<{ channel: string; ok: boolean; error: string | null }[]> {
    const n = await this.repo.raise(
      {
        at: nowIso(this.clock),
        severity: 'info',
        rule: 'test',
        title: 'BaluHost test notification',
        body: `Sent by ${actor.username} to check the notification channels.`,
      },
      null,
    );
    if (n === null) throw new Error('the test notification was not stored');
    const { webhooks, email } = await this.channels();
    const host = os.hostname();
    const once = { ...this.options.delivery, retryDelaysMs: [] };
    const attempt = async (channel: string, send: () => Promise<number>) => {
      try {
        await send();
        return { channel, ok: true, error: null };
      } catch (err) {
        return { channel, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    };
    const results = await Promise.all([
      ...webhooks.map((w) =>
        attempt(`webhook ${hostOf(w.url)}`, () => deliverWebhook(w, webhookPayload(n, host), once)),
      ),
      ...(email === null
        ? []
        : [attempt(`email ${smtpOf(email)}`, () => deliverEmail(email, n, host, once))]),
    ]);
    await this.options.audit.record(actor, {
      action: 'notifications.test',
      result: results.every((r) => r.ok) ? 'success' : 'failure',
      target: null,
      details: { results },
    });
    return results;
  }
}

/** A webhook named by its origin only: its path may carry a token. */
function hostOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid url';
  }
}

/** An SMTP server named by host and port (never its credentials). */
function smtpOf(email: EmailChannel): string {
  return `${email.host}:${email.port}`;
}

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i] ?? 'B'}`;
}
