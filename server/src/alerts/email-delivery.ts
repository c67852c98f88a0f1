import { createTransport, type NodemailerError } from 'nodemailer';
import type { Notification } from './notification-repository.js';
import { DEFAULT_RETRY_DELAYS_MS, type DeliveryOptions } from './webhook-delivery.js';

/**
 * How the SMTP connection is protected: `tls` connects with TLS at once (port 465), `starttls` upgrades and fails
 * when the server cannot (port 587), `none` never upgrades (a relay on the same host or a trusted LAN only: the
 * password and the mail then cross the network in clear).
 */
export const EMAIL_SECURITY = ['tls', 'starttls', 'none'] as const;
export type EmailSecurity = (typeof EMAIL_SECURITY)[number];

/** The email channel: one SMTP submission server and the recipients of every notification. */
export interface EmailChannel {
  readonly host: string;
  readonly port: number;
  readonly security: EmailSecurity;
  /** SMTP AUTH user; no AUTH when absent. */
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly from: string;
  readonly to: readonly string[];
}

/**
 * Errors another attempt would get again, besides replies nodemailer marks `permanent` (5xx but 503): refused or
 * missing credentials, a bad configuration, a failed TLS upgrade or certificate check.
 */
const PERMANENT_CODES = new Set(['EAUTH', 'ENOAUTH', 'ECONFIG', 'ETLS', 'EREQUIRETLS']);

/** The message a notification becomes: subject and plain-text body. */
export function emailMessage(n: Notification, host: string): { subject: string; text: string } {
  return {
    subject: `[BaluHost ${host}] ${n.severity.toUpperCase()}: ${n.title}`,
    text:
      `${n.title}\n\n${n.body}\n\n` +
      `Host: ${host}\nSeverity: ${n.severity}\nRule: ${n.rule}\nAt: ${n.at}\nNotification: ${n.id}\n`,
  };
}

/**
 * Sends a notification by SMTP to every recipient of the channel, retrying connection failures, timeouts and
 * transient (4xx) replies with exponential backoff, a bounded number of times (the same `DeliveryOptions` as
 * webhooks; `timeoutMs` bounds connecting, the greeting and each command). A recipient the server defers (4xx on
 * RCPT TO) is sent again alone at the next attempt; one it refuses (5xx) is not. Resolves with the number of
 * attempts; throws the last nodemailer error when every attempt failed or the failure is permanent (a 5xx reply,
 * refused credentials, a failed TLS upgrade), and an Error naming the recipients that never accepted the message.
 */
export async function deliverEmail(
  channel: EmailChannel,
  n: Notification,
  host: string,
  options: DeliveryOptions = {},
): Promise<number> {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const sleep =
    options.sleep ??
    ((ms: number) =>
      new Promise<void>((resolve) => {
        setTimeout(resolve, ms).unref();
      }));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { subject, text } = emailMessage(n, host);
  let pending = [...channel.to];
  const refused: string[] = [];
  let lastError: NodemailerError = new Error('not attempted');
  /** Moves the rejected recipients to `refused` (for good) or keeps them `pending` (deferred). */
  const sortRejected = (rejected: readonly string[], errors: readonly NodemailerError[]): void => {
    pending = [];
    for (const address of rejected) {
      const error = errors.find((e) => e.recipient === address);
      if (error !== undefined) lastError = error;
      (error?.permanent === true ? refused : pending).push(address);
    }
  };
  let attempt = 0;
  while (attempt <= delays.length) {
    if (attempt > 0) await sleep(delays[attempt - 1] ?? 0);
    attempt++;
    // A transport per attempt: nothing of a failed session is reused.
    const transport = createTransport({
      host: channel.host,
      port: channel.port,
      secure: channel.security === 'tls',
      requireTLS: channel.security === 'starttls',
      ignoreTLS: channel.security === 'none',
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      ...(channel.username === undefined
        ? {}
        : { auth: { user: channel.username, pass: channel.password ?? '' } }),
    });
    try {
      const info = await transport.sendMail({
        from: channel.from,
        to: pending,
        subject,
        text,
        headers: { 'X-BaluHost-Rule': n.rule, 'X-BaluHost-Severity': n.severity },
      });
      sortRejected(info.rejected, info.rejectedErrors ?? []);
    } catch (err) {
      const e: NodemailerError = err instanceof Error ? err : new Error(String(err));
      lastError = e;
      if (e.rejectedErrors !== undefined && e.rejectedErrors.length > 0) {
        // Every recipient was rejected, some perhaps only deferred.
        sortRejected(e.rejected ?? [], e.rejectedErrors);
      } else if (e.permanent === true || (e.code !== undefined && PERMANENT_CODES.has(e.code))) {
        throw e;
      }
    } finally {
      transport.close();
    }
    if (pending.length === 0) break;
  }
  if (pending.length === 0 && refused.length === 0) return attempt;
  const missed = [...refused, ...pending];
  if (missed.length === channel.to.length && refused.length === 0) throw lastError;
  throw new Error(
    `the SMTP server did not accept the message for ${missed.join(', ')}: ${lastError.message}`,
    { cause: lastError },
  );
}
