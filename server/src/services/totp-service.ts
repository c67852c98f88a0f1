import type { Db } from '../db/index.js';
import { UserModel, nowIso } from '../db/index.js';
import { verifyPassword, type Principal } from '../auth/index.js';
import {
  base32Encode,
  hashRecoveryCode,
  newRecoveryCodes,
  newTotpSecret,
  openSecret,
  otpauthUri,
  sealSecret,
  verifyTotp,
} from '../auth/totp.js';
import {
  AppError,
  ConflictError,
  InvalidCredentialsError,
  NotFoundError,
  ValidationError,
} from '../errors/index.js';
import type { AuditService } from './audit-service.js';

/** The password was right, but the account has two-factor login on and no code came with it. */
export class TotpRequiredError extends AppError {
  constructor() {
    super('TOTP_REQUIRED', 'Enter the code from your authenticator app, or a recovery code.');
  }
}

/** What a login sent beside the password. */
export interface SecondFactor {
  readonly totpCode?: string | undefined;
  readonly recoveryCode?: string | undefined;
}

/** How a login's second factor turned out: none needed or a good one, none sent, or a wrong or spent one. */
export type SecondFactorResult = 'ok' | 'required' | 'invalid';

export interface TotpEnrolment {
  /** The shared secret in base32, for typing into an authenticator app. */
  readonly secret: string;
  /** The otpauth:// URI, for a QR code (the console renders it; BaluHost ships no QR encoder). */
  readonly otpauthUri: string;
}

export interface TotpStatus {
  readonly enabled: boolean;
  /** Enrolled but not yet confirmed with a code. */
  readonly pending: boolean;
  readonly recoveryCodesLeft: number;
}

interface EnrolmentRow {
  userId: number;
  secretSealed: string;
  createdAt: string;
  confirmedAt: string | null;
  lastStep: number | string | null;
}

const ISSUER = 'BaluHost';

/**
 * Two-factor login with RFC 6238 TOTP: enrolment, confirmation (which hands out ten single-use recovery codes),
 * the login check, turning it off (with the password) and an admin reset. Only API logins use it; WebDAV and SMB
 * keep passwords and app passwords. Secrets are stored sealed with AES-256-GCM under `keyMaterial`
 * (<data dir>/keys/totp-key); recovery codes as SHA-256 hashes.
 */
export class TotpService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly keyMaterial: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async status(userId: number): Promise<TotpStatus> {
    const row = await this.enrolment(userId);
    const left = await this.db('totp_recovery_codes').where({ userId }).whereNull('usedAt').count({ n: '*' });
    return {
      enabled: row?.confirmedAt != null,
      pending: row !== undefined && row.confirmedAt === null,
      recoveryCodesLeft: Number(left[0]?.['n'] ?? 0),
    };
  }

  /**
   * Starts (or restarts) enrolment with a new secret; login asks for codes only after {@link confirm}.
   * @throws ConflictError when two-factor login is already on (turn it off first)
   */
  async enrol(actor: Principal): Promise<TotpEnrolment> {
    const secret = newTotpSecret();
    await this.db.transaction(async (trx) => {
      const row = await trx<EnrolmentRow>('totp_enrolments').where({ userId: actor.userId }).first();
      if (row?.confirmedAt != null) {
        throw new ConflictError('Two-factor login is already on; turn it off before enrolling again.');
      }
      await trx('totp_enrolments').where({ userId: actor.userId }).delete();
      await trx('totp_enrolments').insert({
        userId: actor.userId,
        secretSealed: sealSecret(secret, this.keyMaterial),
        createdAt: nowIso(this.clock),
        confirmedAt: null,
        lastStep: null,
      });
      await this.audit.record(
        actor,
        { action: 'user.totp.enrol', result: 'success', target: actor.username },
        trx,
      );
    });
    return { secret: base32Encode(secret), otpauthUri: otpauthUri(ISSUER, actor.username, secret) };
  }

  /**
   * Turns two-factor login on once a code from the app matches; returns ten recovery codes, shown only now.
   * @throws NotFoundError (no enrolment pending), ValidationError (wrong code)
   */
  async confirm(actor: Principal, code: string): Promise<{ recoveryCodes: string[] }> {
    const row = await this.enrolment(actor.userId);
    if (!row || row.confirmedAt !== null) throw new NotFoundError('No two-factor enrolment is pending.');
    const step = verifyTotp(openSecret(row.secretSealed, this.keyMaterial), code, this.clock());
    if (step === null) {
      await this.audit.record(actor, {
        action: 'user.totp.confirm',
        result: 'failure',
        target: actor.username,
      });
      throw new ValidationError('The code does not match; check the time on your device and try again.', {
        details: [{ path: 'code', message: 'does not match' }],
      });
    }
    const codes = newRecoveryCodes();
    await this.db.transaction(async (trx) => {
      // Conditional on the same secret still pending: a concurrent re-enrolment or confirmation wins instead.
      const confirmed = await trx('totp_enrolments')
        .where({ userId: actor.userId, secretSealed: row.secretSealed })
        .whereNull('confirmedAt')
        .update({ confirmedAt: nowIso(this.clock), lastStep: step });
      if (confirmed !== 1) throw new NotFoundError('No two-factor enrolment is pending.');
      await trx('totp_recovery_codes').where({ userId: actor.userId }).delete();
      await trx('totp_recovery_codes').insert(
        codes.map((c) => ({ userId: actor.userId, codeHash: hashRecoveryCode(c), usedAt: null })),
      );
      await this.audit.record(
        actor,
        { action: 'user.totp.confirm', result: 'success', target: actor.username },
        trx,
      );
    });
    return { recoveryCodes: codes };
  }

  /**
   * Turns your own two-factor login off; the password is required.
   * @throws InvalidCredentialsError (wrong password; audited)
   */
  async disable(actor: Principal, password: string): Promise<void> {
    const user = await UserModel.query(this.db).findById(actor.userId);
    if (!user || !(await verifyPassword(password, user.passwordHash))) {
      await this.audit.record(actor, {
        action: 'user.totp.disable',
        result: 'failure',
        target: actor.username,
      });
      throw new InvalidCredentialsError();
    }
    await this.db.transaction(async (trx) => {
      await this.remove(trx, actor.userId);
      await this.audit.record(
        actor,
        { action: 'user.totp.disable', result: 'success', target: actor.username },
        trx,
      );
    });
  }

  /**
   * An admin turns a user's two-factor login off (lost phone and recovery codes); audited.
   * @throws NotFoundError (no such user)
   */
  async reset(actor: Principal, userId: number): Promise<void> {
    await this.db.transaction(async (trx) => {
      const user = await UserModel.query(trx).findById(userId);
      if (!user) throw new NotFoundError(`No user with id ${userId}.`);
      const removed = await this.remove(trx, userId);
      await this.audit.record(
        actor,
        {
          action: 'user.totp.reset',
          result: 'success',
          target: user.username,
          details: { wasEnabled: removed },
        },
        trx,
      );
    });
  }

  /**
   * The login's second step, after the password matched: a TOTP code newer than the last one used, or an unused
   * recovery code (spent by this call). Users without confirmed two-factor login always pass.
   */
  async check(user: UserModel, factor: SecondFactor): Promise<SecondFactorResult> {
    const row = await this.enrolment(user.id);
    if (!row || row.confirmedAt === null) return 'ok';
    if (factor.totpCode !== undefined) {
      const step = verifyTotp(openSecret(row.secretSealed, this.keyMaterial), factor.totpCode, this.clock());
      if (step === null) return 'invalid';
      // Conditional update: a code (or an older one) already used cannot log in again, even concurrently.
      const updated = await this.db('totp_enrolments')
        .where({ userId: user.id })
        .andWhere((q) => {
          void q.whereNull('lastStep').orWhere('lastStep', '<', step);
        })
        .update({ lastStep: step });
      return updated === 1 ? 'ok' : 'invalid';
    }
    if (factor.recoveryCode !== undefined) {
      const spent = await this.db('totp_recovery_codes')
        .where({ userId: user.id, codeHash: hashRecoveryCode(factor.recoveryCode) })
        .whereNull('usedAt')
        .update({ usedAt: nowIso(this.clock) });
      return spent >= 1 ? 'ok' : 'invalid';
    }
    return 'required';
  }

  private async enrolment(userId: number): Promise<EnrolmentRow | undefined> {
    return this.db<EnrolmentRow>('totp_enrolments').where({ userId }).first();
  }

  private async remove(trx: Db, userId: number): Promise<boolean> {
    await trx('totp_recovery_codes').where({ userId }).delete();
    return (await trx('totp_enrolments').where({ userId }).delete()) > 0;
  }
}
