import type { Db } from '../db/index.js';
import { UserModel, nowIso } from '../db/index.js';
import {
  type AccessTokenSigner,
  dummyPasswordHash,
  hashToken,
  newId,
  newRefreshToken,
  verifyPassword,
  type Principal,
  type RequestOrigin,
} from '../auth/index.js';
import {
  InvalidCredentialsError,
  TooManyRequestsError,
  UnauthenticatedError,
  isAppError,
} from '../errors/index.js';
import type { AuditService } from './audit-service.js';
import type { LoginTracker } from './login-tracker.js';
import { toUserView, type UserView } from './users-service.js';
import { TotpRequiredError, type SecondFactorResult } from './totp-service.js';

export interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: number;
  readonly user: UserView;
}

interface RefreshRow {
  id: number;
  userId: number;
  familyId: string;
  tokenHash: string;
  expiresAt: string;
  rotatedAt: string | null;
  revokedAt: string | null;
}

/** Logins, token refresh with rotation and reuse detection, logout, and turning a token into a principal. */
export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly signer: AccessTokenSigner,
    private readonly tracker: LoginTracker,
    private readonly audit: AuditService,
    private readonly ttl: { accessSeconds: number; refreshSeconds: number },
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Verifies a username and password for any protocol, counting failures in the shared tracker.
   * `appPassword` (WebDAV, SMB) also accepts one of the user's app passwords; the API login never does.
   * `secondFactor` (the API login) checks a TOTP or recovery code once the password matched; a wrong one counts
   * as a failed login, so codes cannot be guessed past the login limits.
   * @throws TooManyRequestsError (blocked; audited), InvalidCredentialsError (audited; disabled users too),
   *   TotpRequiredError (password right, two-factor login on, no code sent; audited)
   */
  async verifyCredentials(
    origin: RequestOrigin,
    username: string,
    password: string,
    appPassword?: (userId: number, password: string) => Promise<boolean>,
    secondFactor?: (user: UserModel) => Promise<SecondFactorResult>,
  ): Promise<UserModel> {
    try {
      await this.tracker.assertAllowed(origin.address, username);
    } catch (err) {
      if (isAppError(err) && err instanceof TooManyRequestsError) {
        await this.audit.recordAnonymous(origin, username, {
          action: 'auth.login',
          result: 'denied',
          details: { reason: 'blocked' },
        });
      }
      throw err;
    }
    const user = await UserModel.query(this.db)
      .where('username', username)
      .withGraphFetched('groups')
      .first();
    const ok =
      (user !== undefined && appPassword !== undefined && (await appPassword(user.id, password))) ||
      (await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash())));
    if (!user || !ok || user.isDisabled) {
      const startedBlock = await this.tracker.recordFailure(origin.address, username);
      await this.audit.recordAnonymous(origin, username, {
        action: 'auth.login',
        result: 'failure',
        details: {
          reason: user && ok ? 'disabled' : 'bad-credentials',
          ...(startedBlock ? { blocked: true } : {}),
        },
      });
      throw new InvalidCredentialsError();
    }
    const factor = secondFactor ? await secondFactor(user) : 'ok';
    if (factor === 'required') {
      await this.audit.recordAnonymous(origin, username, {
        action: 'auth.login',
        result: 'denied',
        details: { reason: 'totp-required' },
      });
      throw new TotpRequiredError();
    }
    if (factor === 'invalid') {
      const startedBlock = await this.tracker.recordFailure(origin.address, username);
      await this.audit.recordAnonymous(origin, username, {
        action: 'auth.login',
        result: 'failure',
        details: { reason: 'bad-second-factor', ...(startedBlock ? { blocked: true } : {}) },
      });
      throw new InvalidCredentialsError();
    }
    await this.tracker.recordSuccess(username);
    return user;
  }

  /** @throws as {@link verifyCredentials} */
  async login(
    origin: RequestOrigin,
    username: string,
    password: string,
    secondFactor?: (user: UserModel) => Promise<SecondFactorResult>,
  ): Promise<Session> {
    const user = await this.verifyCredentials(origin, username, password, undefined, secondFactor);
    const session = await this.issue(this.db, user, newId(), origin);
    await this.audit.record(this.principalFor(user, origin), { action: 'auth.login', result: 'success' });
    return session;
  }

  /**
   * Trades a refresh token for a new pair. A token that was already rotated is a sign of theft: the whole
   * family is revoked and the call fails.
   * @throws UnauthenticatedError
   */
  async refresh(origin: RequestOrigin, refreshToken: string): Promise<Session> {
    const now = this.clock();
    const outcome = await this.db.transaction(async (trx) => {
      const row = await trx<RefreshRow>('refresh_tokens').where('tokenHash', hashToken(refreshToken)).first();
      if (!row || row.revokedAt !== null) return { kind: 'invalid' as const };
      if (row.rotatedAt !== null) {
        await trx('refresh_tokens')
          .where({ familyId: row.familyId })
          .whereNull('revokedAt')
          .update({ revokedAt: nowIso(this.clock) });
        return { kind: 'reused' as const, userId: row.userId };
      }
      if (Date.parse(row.expiresAt) <= now) return { kind: 'invalid' as const };
      // Conditional update: of two concurrent refreshes with one token, only one rotates it.
      const rotated = await trx('refresh_tokens')
        .where({ id: row.id })
        .whereNull('rotatedAt')
        .update({ rotatedAt: nowIso(this.clock) });
      if (rotated !== 1) return { kind: 'invalid' as const };
      const user = await UserModel.query(trx).findById(row.userId).withGraphFetched('groups');
      if (!user || user.isDisabled) return { kind: 'invalid' as const };
      return { kind: 'ok' as const, session: await this.issue(trx, user, row.familyId, origin), user };
    });
    if (outcome.kind === 'reused') {
      const user = await UserModel.query(this.db).findById(outcome.userId);
      await this.audit.recordAnonymous(origin, user?.username ?? null, {
        action: 'auth.refresh',
        result: 'denied',
        details: { reason: 'token-reuse', familyRevoked: true },
      });
      throw new UnauthenticatedError(
        'This refresh token was already used; every session of its login has been ended.',
      );
    }
    if (outcome.kind === 'invalid')
      throw new UnauthenticatedError('The refresh token is invalid or expired.');
    return outcome.session;
  }

  /** Ends the login the refresh token belongs to (its whole family). Unknown tokens are ignored. */
  async logout(principal: Principal, refreshToken: string | undefined): Promise<void> {
    if (refreshToken !== undefined) {
      const row = await this.db<RefreshRow>('refresh_tokens')
        .where('tokenHash', hashToken(refreshToken))
        .first();
      if (row && row.userId === principal.userId) {
        await this.db('refresh_tokens')
          .where({ familyId: row.familyId })
          .whereNull('revokedAt')
          .update({ revokedAt: nowIso(this.clock) });
      }
    }
    await this.audit.record(principal, { action: 'auth.logout', result: 'success' });
  }

  /**
   * Turns a bearer token into a principal. The user is read from the database on every call, so a disabled
   * or deleted user, or one whose password changed, loses access at once.
   * @throws UnauthenticatedError
   */
  async authenticateAccessToken(token: string, origin: RequestOrigin): Promise<Principal> {
    const { userId, sessionVersion } = this.signer.verify(token);
    const user = await UserModel.query(this.db).findById(userId).withGraphFetched('groups');
    if (!user || user.isDisabled || user.sessionVersion !== sessionVersion) {
      throw new UnauthenticatedError('The session has ended; log in again.');
    }
    return this.principalFor(user, origin);
  }

  principalFor(user: UserModel, origin: RequestOrigin): Principal {
    return {
      userId: user.id,
      username: user.username,
      role: user.role,
      groups: (user.groups ?? []).map((g) => g.name),
      isAdmin: user.role === 'admin',
      protocol: origin.protocol,
      address: origin.address,
      reqId: origin.reqId,
    };
  }

  private async issue(trx: Db, user: UserModel, familyId: string, origin: RequestOrigin): Promise<Session> {
    const refreshToken = newRefreshToken();
    await trx('refresh_tokens').insert({
      userId: user.id,
      familyId,
      tokenHash: hashToken(refreshToken),
      createdAt: nowIso(this.clock),
      expiresAt: new Date(this.clock() + this.ttl.refreshSeconds * 1000).toISOString(),
      rotatedAt: null,
      revokedAt: null,
      address: origin.address,
      userAgent: origin.userAgent?.slice(0, 255) ?? null,
    });
    return {
      accessToken: this.signer.sign(user.id, user.sessionVersion),
      refreshToken,
      expiresIn: this.ttl.accessSeconds,
      user: toUserView(user),
    };
  }
}
