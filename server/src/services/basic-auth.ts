import { createHash } from 'node:crypto';
import type { AuthPort, Caller, RequestInfo } from '@baluhost/protocols';
import type { Db } from '../db/index.js';
import { UserModel } from '../db/index.js';
import type { Protocol } from '../auth/index.js';
import { InvalidCredentialsError, UnauthenticatedError, isAppError } from '../errors/index.js';
import type { AuthService } from './auth-service.js';
import type { AppPasswordsService } from './app-passwords-service.js';
import type { DomainEventBus } from './events.js';

interface CacheEntry {
  readonly userId: number;
  readonly expiresAt: number;
  /** The user's session version when the password was checked: a password change anywhere bumps it. */
  readonly sessionVersion: number;
  /** The user as last read, and until when that read is trusted without asking the database again. */
  user: UserModel | null;
  freshUntil: number;
}

/**
 * How long a successful check of an account password is trusted without hashing again. It can be long: a
 * password change bumps the user's session version and disabling sets a flag, both read again every
 * USER_FRESH_MS, so neither waits for this. Hashing again costs 0.1 s and a transient 32 MiB (scrypt).
 */
const ACCOUNT_PASSWORD_TTL_MS = 15 * 60_000;
/**
 * An app password is checked again sooner (a cheap SHA-256 lookup): its revocation is an event that another
 * host does not hear, and this bounds how long that host still accepts it (docs/multi-host.md).
 */
const APP_PASSWORD_TTL_MS = 30_000;
/**
 * A cached verification used within this much of its end is checked again in the background (the request is
 * answered from the cache), so a busy client never waits for a hash after the first request.
 */
const REFRESH_BEFORE_END_MS = 10_000;
/**
 * How long the user's state (disabled, role, groups) is trusted without reading it again. Changes drop the entry at
 * once, in every worker (the cluster relays the domain events); this bounds what a lost event could cost.
 */
const USER_FRESH_MS = 5_000;
const CACHE_MAX = 10_000;

/**
 * HTTP Basic for WebDAV (and any protocol that sends a password with every request): the account password or an
 * app password. Failures count in the same tracker as API logins. A success is cached for a short time under a
 * hash of the credentials, so that a client's every request does not pay the scrypt cost (15 minutes for an
 * account password, 30 s for an app password), and renewed in the background while the client keeps using it.
 * Requests that arrive together with the same credentials share one check (a client opening 32 connections at
 * once used to queue 32 hashes, two seconds here). Any change to the user (password, disable, delete, app
 * password revoked) drops their cache entries at once.
 */
export class BasicAuthenticator implements AuthPort {
  private readonly cache = new Map<string, CacheEntry>();
  /** Verifications under way, by cache key: requests that arrive together with the same credentials share one. */
  private readonly verifying = new Map<string, Promise<UserModel>>();

  constructor(
    private readonly db: Db,
    private readonly auth: AuthService,
    private readonly appPasswords: AppPasswordsService,
    events: DomainEventBus,
    private readonly protocol: Protocol = 'webdav',
    private readonly clock: () => number = Date.now,
  ) {
    const forget = ({ userId }: { userId: number }) => {
      for (const [k, v] of this.cache) if (v.userId === userId) this.cache.delete(k);
    };
    events.on('user.changed', forget);
    events.on('user.password', forget);
    events.on('user.deleted', forget);
    // Group membership is part of every caller: a group change re-reads users on their next request.
    events.on('group.changed', () => {
      for (const entry of this.cache.values()) entry.freshUntil = 0;
    });
  }

  async authenticateBasic(username: string, password: string, request: RequestInfo): Promise<Caller> {
    const origin = {
      protocol: this.protocol,
      address: request.address,
      reqId: request.reqId,
      userAgent: request.userAgent,
    };
    const cacheKey = createHash('sha256').update(username).update('\0').update(password).digest('base64');
    const cached = this.cache.get(cacheKey);
    const now = this.clock();
    if (cached && cached.expiresAt > now) {
      if (cached.freshUntil <= now || cached.user === null) {
        cached.user =
          (await UserModel.query(this.db).findById(cached.userId).withGraphFetched('groups')) ?? null;
        cached.freshUntil = now + USER_FRESH_MS;
      }
      const user = cached.user;
      if (
        user &&
        !user.isDisabled &&
        user.username === username &&
        user.sessionVersion === cached.sessionVersion
      ) {
        if (cached.expiresAt - now < REFRESH_BEFORE_END_MS && !this.verifying.has(cacheKey)) {
          // A failure drops the entry (inside verify); the request that started the check is already answered.
          this.verify(cacheKey, username, password, origin).catch(() => undefined);
        }
        return this.caller(user, request);
      }
      this.cache.delete(cacheKey);
    }
    try {
      return this.caller(await this.verify(cacheKey, username, password, origin), request);
    } catch (err) {
      // The port speaks UNAUTHENTICATED for every wrong credential.
      if (isAppError(err) && err.code === 'INVALID_CREDENTIALS')
        throw new UnauthenticatedError(new InvalidCredentialsError().message, { cause: err });
      throw err;
    }
  }

  /** Checks the password (once for all concurrent requests with the same credentials) and caches a success. */
  private verify(
    cacheKey: string,
    username: string,
    password: string,
    origin: Parameters<AuthService['verifyCredentials']>[0],
  ): Promise<UserModel> {
    const running = this.verifying.get(cacheKey);
    if (running) return running;
    const verification = (async () => {
      try {
        const matched = { appPassword: false };
        const user = await this.auth.verifyCredentials(origin, username, password, async (id, pw) => {
          matched.appPassword = await this.appPasswords.matches(id, pw);
          return matched.appPassword;
        });
        if (this.cache.size >= CACHE_MAX) this.cache.clear();
        const now = this.clock();
        this.cache.set(cacheKey, {
          userId: user.id,
          expiresAt: now + (matched.appPassword ? APP_PASSWORD_TTL_MS : ACCOUNT_PASSWORD_TTL_MS),
          sessionVersion: user.sessionVersion,
          user,
          freshUntil: now + USER_FRESH_MS,
        });
        return user;
      } catch (err) {
        this.cache.delete(cacheKey);
        throw err;
      } finally {
        this.verifying.delete(cacheKey);
      }
    })();
    this.verifying.set(cacheKey, verification);
    return verification;
  }

  private caller(user: UserModel, request: RequestInfo): Caller & { role: 'admin' | 'user' } {
    return {
      userId: user.id,
      username: user.username,
      role: user.role,
      isAdmin: user.role === 'admin',
      groups: (user.groups ?? []).map((g) => g.name),
      protocol: this.protocol,
      address: request.address,
      reqId: request.reqId,
    };
  }
}
