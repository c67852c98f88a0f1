import { createHash, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { UnauthenticatedError } from '../errors/index.js';

const ISSUER = 'baluhost';
const AUDIENCE = 'baluhost-api';

export interface AccessClaims {
  /** User id. */
  readonly sub: string;
  /** The user's session version when the token was issued. */
  readonly sv: number;
}

export class AccessTokenSigner {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
  ) {}

  sign(userId: number, sessionVersion: number): string {
    return jwt.sign({ sv: sessionVersion }, this.secret, {
      algorithm: 'HS256',
      expiresIn: this.ttlSeconds,
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: String(userId),
    });
  }

  /**
   * Verifies signature, algorithm (HS256 only: `alg: none` and others are refused), expiry, issuer and audience.
   * @throws UnauthenticatedError for any token that does not pass.
   */
  verify(token: string): { userId: number; sessionVersion: number } {
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.secret, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
    } catch (err) {
      const expired = err instanceof jwt.TokenExpiredError;
      throw new UnauthenticatedError(
        expired ? 'The access token has expired.' : 'The access token is invalid.',
        {
          cause: err,
        },
      );
    }
    const claims = payload as Partial<AccessClaims>;
    const userId = Number(claims.sub);
    if (!Number.isSafeInteger(userId) || typeof claims.sv !== 'number') {
      throw new UnauthenticatedError('The access token is invalid.');
    }
    return { userId, sessionVersion: claims.sv };
  }
}

/** A new opaque refresh token; only its SHA-256 is stored. */
export function newRefreshToken(): string {
  return `rt_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}
