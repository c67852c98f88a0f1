import { createHmac } from 'node:crypto';
import type { Notification } from './notification-repository.js';

/** One webhook channel. */
export interface WebhookChannel {
  readonly url: string;
  /** When set, each POST carries `X-BaluHost-Signature: sha256=<HMAC of the body>`. */
  readonly secret?: string | undefined;
}

/** Retries and timeouts of webhook and email delivery. */
export interface DeliveryOptions {
  /** Delays before the 2nd, 3rd... attempt, ms; their count bounds the attempts. Default 1 s, 2 s, 4 s, 8 s, 16 s. */
  readonly retryDelaysMs?: readonly number[];
  /** Per-attempt timeout, ms (default 10 s). */
  readonly timeoutMs?: number;
  /** Waits between attempts (tests pass one that returns at once). */
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 16_000] as const;

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/** The JSON a webhook receives. */
export function webhookPayload(n: Notification, host: string): Record<string, unknown> {
  return {
    source: 'baluhost',
    host,
    id: n.id,
    at: n.at,
    severity: n.severity,
    rule: n.rule,
    title: n.title,
    body: n.body,
  };
}

/**
 * POSTs a JSON body to a webhook, retrying network errors, 429 and 5xx with exponential backoff, a bounded number
 * of times. Resolves with the number of attempts; throws the last error when every attempt failed.
 */
export async function deliverWebhook(
  channel: WebhookChannel,
  payload: Record<string, unknown>,
  options: DeliveryOptions = {},
): Promise<number> {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const sleep = options.sleep ?? defaultSleep;
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'BaluHost' };
  if (channel.secret !== undefined && channel.secret !== '') {
    headers['X-BaluHost-Signature'] =
      `sha256=${createHmac('sha256', channel.secret).update(body).digest('hex')}`;
  }
  let lastError: Error = new Error('not attempted');
  for (let attempt = 0; attempt <= delays.length; attempt++) {
    if (attempt > 0) await sleep(delays[attempt - 1] ?? 0);
    try {
      const res = await fetch(channel.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await res.body?.cancel();
      if (res.ok) return attempt + 1;
      lastError = new Error(`the webhook answered ${res.status}`);
      // A 4xx other than 429 will not get better by retrying.
      if (res.status < 500 && res.status !== 429) break;
    } catch (err) {
      lastError = err instanceof Error ? err : new Error(String(err));
    }
  }
  throw lastError;
}
