import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { SYSTEM_CLOCK } from '../clock.js';
import {
  DriverError,
  DriverFailedError,
  DriverNotFoundError,
  DriverTimeoutError,
  DriverUnavailableError,
} from '../errors.js';
import type { EnergyDriver, EnergyMeter, EnergyReading } from './energy-driver.js';
import { parseTapoDeviceInfo, parseTapoEnergyUsage, unwrapTapoResponse } from './parse-tapo-energy.js';
import { KlapSession, klapAuthHash, klapClientProof, klapServerProof } from './tapo-klap.js';

/** A plug on the LAN. */
export interface TapoPlug {
  /** The meter id (a name of your choice, e.g. `nas`). */
  readonly id: string;
  /** Host name or address, optionally with `:port` (80 by default). */
  readonly host: string;
}

/** Options of {@link TapoP110EnergyDriver}. */
export interface TapoP110EnergyDriverOptions {
  readonly plugs: readonly TapoPlug[];
  /** The TP-Link (Tapo app) account the plugs are bound to: its email and password. */
  readonly username: string;
  readonly password: string;
  /** Timeout of each HTTP exchange (default 5 s). */
  readonly timeoutMs?: number;
  /** Timestamps of readings (default: the wall clock). */
  readonly clock?: Clock;
  /** The HTTP client (default: the global fetch); tests may pass their own. */
  readonly fetch?: typeof fetch;
}

interface PlugSession {
  readonly klap: KlapSession;
  readonly cookie: string;
  readonly expiresAtMs: number;
}

/**
 * TP-Link Tapo P110 (and P115) energy-monitoring plugs over their local HTTP API with KLAP v2 encryption
 * (firmware 1.1.0 and later; the older securePassthrough protocol is not spoken). Sessions last as long as the
 * plug's TIMEOUT cookie says (a day) less a minute, and are redone once after a 403. Requests to one plug are
 * serialised: the plug insists on increasing sequence numbers.
 */
export class TapoP110EnergyDriver implements EnergyDriver {
  private readonly plugs: ReadonlyMap<string, TapoPlug>;
  private readonly authHash: Buffer;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly fetch: typeof fetch;
  private readonly sessions = new Map<string, PlugSession>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(options: TapoP110EnergyDriverOptions) {
    this.plugs = new Map(options.plugs.map((p) => [p.id, p]));
    this.authHash = klapAuthHash(options.username, options.password);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.fetch = options.fetch ?? fetch;
  }

  async listMeters(): Promise<EnergyMeter[]> {
    const out: EnergyMeter[] = [];
    for (const plug of this.plugs.values()) {
      const info = parseTapoDeviceInfo(await this.call(plug, 'get_device_info'));
      out.push({ id: plug.id, ...info });
    }
    return out;
  }

  async getReading(meterId: string): Promise<EnergyReading> {
    const plug = this.plugs.get(meterId);
    if (plug === undefined) {
      throw new DriverNotFoundError(
        `No energy meter ${meterId}; the meters are ${[...this.plugs.keys()].join(', ')}.`,
      );
    }
    const usage = parseTapoEnergyUsage(await this.call(plug, 'get_energy_usage'));
    return { meterId, ...usage, atMs: this.clock.now() };
  }

  /** Runs one method on a plug, after whatever is queued for it. */
  private call(plug: TapoPlug, method: string): Promise<unknown> {
    const previous = this.queues.get(plug.id) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.request(plug, method, true));
    this.queues.set(plug.id, run);
    return run;
  }

  private async request(plug: TapoPlug, method: string, mayRetry: boolean): Promise<unknown> {
    const session = await this.session(plug);
    const { body, seq } = session.klap.encrypt(JSON.stringify({ method, requestTimeMils: this.clock.now() }));
    const res = await this.post(plug, `/app/request?seq=${String(seq)}`, body, session.cookie);
    if (res.status === 403 && mayRetry) {
      // The plug forgot the session (it restarted, or the session timed out early): one new handshake.
      this.sessions.delete(plug.id);
      return this.request(plug, method, false);
    }
    if (res.status !== 200)
      throw new DriverFailedError(`The plug ${plug.id} answered ${String(res.status)} to ${method}.`);
    let text: string;
    try {
      text = session.klap.decrypt(res.body, seq);
    } catch (err) {
      throw new DriverFailedError(`The plug ${plug.id} sent an answer to ${method} that does not decrypt.`, {
        cause: err,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new DriverFailedError(`The plug ${plug.id} sent an answer to ${method} that is not JSON.`, {
        cause: err,
      });
    }
    return unwrapTapoResponse(json, method);
  }

  private async session(plug: TapoPlug): Promise<PlugSession> {
    const existing = this.sessions.get(plug.id);
    if (existing !== undefined && existing.expiresAtMs > this.clock.now()) return existing;
    const localSeed = randomBytes(16);
    const first = await this.post(plug, '/app/handshake1', localSeed, null);
    if (first.status !== 200 || first.body.length !== 48) {
      throw new DriverFailedError(
        `The plug ${plug.id} answered ${String(first.status)} to the KLAP handshake.`,
      );
    }
    const remoteSeed = first.body.subarray(0, 16);
    if (!first.body.subarray(16).equals(klapServerProof(localSeed, remoteSeed, this.authHash))) {
      throw new DriverFailedError(
        `The plug ${plug.id} does not know this Tapo account: check the username (email) and password of the Tapo app.`,
      );
    }
    const cookies = first.cookies;
    const sessionId = cookies.get('TP_SESSIONID');
    if (sessionId === undefined) throw new DriverFailedError(`The plug ${plug.id} sent no session cookie.`);
    const cookie = `TP_SESSIONID=${sessionId}`;
    const second = await this.post(
      plug,
      '/app/handshake2',
      klapClientProof(localSeed, remoteSeed, this.authHash),
      cookie,
    );
    if (second.status !== 200) {
      throw new DriverFailedError(
        `The plug ${plug.id} refused the KLAP handshake (${String(second.status)}).`,
      );
    }
    const timeoutSeconds = Number(cookies.get('TIMEOUT') ?? 86_400);
    const session: PlugSession = {
      klap: new KlapSession(localSeed, remoteSeed, this.authHash),
      cookie,
      expiresAtMs:
        this.clock.now() + (Number.isFinite(timeoutSeconds) ? timeoutSeconds : 86_400) * 1000 - 60_000,
    };
    this.sessions.set(plug.id, session);
    return session;
  }

  private async post(
    plug: TapoPlug,
    pathAndQuery: string,
    body: Buffer,
    cookie: string | null,
  ): Promise<{ status: number; body: Buffer; cookies: Map<string, string> }> {
    let res: Response;
    try {
      res = await this.fetch(`http://${plug.host}${pathAndQuery}`, {
        method: 'POST',
        body: new Uint8Array(body),
        headers: {
          'content-type': 'application/octet-stream',
          ...(cookie === null ? {} : { cookie }),
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      const cookies = new Map<string, string>();
      for (const header of res.headers.getSetCookie()) {
        // The plug sends `TP_SESSIONID=...;TIMEOUT=86400` in one header.
        for (const part of header.split(';')) {
          const eq = part.indexOf('=');
          if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
        }
      }
      return { status: res.status, body: bytes, cookies };
    } catch (err) {
      if (err instanceof DriverError) throw err;
      if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
        throw new DriverTimeoutError(
          `The plug ${plug.id} at ${plug.host} did not answer within ${String(this.timeoutMs)} ms.`,
          {
            cause: err,
          },
        );
      }
      throw new DriverUnavailableError(`Cannot reach the plug ${plug.id} at ${plug.host}.`, { cause: err });
    }
  }
}
