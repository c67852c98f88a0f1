import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  base32Decode,
  base32Encode,
  hashRecoveryCode,
  hotp,
  newRecoveryCodes,
  newTotpSecret,
  openSecret,
  otpauthUri,
  sealSecret,
  totpCode,
  verifyTotp,
} from './totp.js';

// RFC 6238 appendix B's SHA-1 seed.
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');

describe('TOTP', () => {
  it('matches the RFC 4226 HOTP test values', () => {
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    expected.forEach((code, counter) => {
      assert.equal(hotp(RFC_SECRET, counter), code);
    });
  });

  it('matches the RFC 6238 SHA-1 test values (8 digits)', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, code] of vectors) assert.equal(totpCode(RFC_SECRET, seconds * 1000, 8), code);
  });

  it('accepts the current step and one either side, and says which', () => {
    const secret = newTotpSecret();
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    assert.equal(verifyTotp(secret, totpCode(secret, now), now), step);
    assert.equal(verifyTotp(secret, totpCode(secret, now - 30_000), now), step - 1);
    assert.equal(verifyTotp(secret, totpCode(secret, now + 30_000), now), step + 1);
    assert.equal(verifyTotp(secret, totpCode(secret, now - 60_000), now), null);
    assert.equal(verifyTotp(secret, 'abcdef', now), null);
    assert.equal(verifyTotp(secret, '12345', now), null);
  });

  it('round-trips base32 and builds an otpauth URI', () => {
    const secret = newTotpSecret();
    assert.deepEqual(base32Decode(base32Encode(secret)), secret);
    assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI');
    const uri = new URL(otpauthUri('BaluHost', 'alice', secret));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), base32Encode(secret));
    assert.equal(uri.searchParams.get('issuer'), 'BaluHost');
  });

  it('seals secrets so that only the same key opens them, and detects tampering', () => {
    const secret = newTotpSecret();
    const sealed = sealSecret(secret, 'k'.repeat(64));
    assert.deepEqual(openSecret(sealed, 'k'.repeat(64)), secret);
    assert.throws(() => openSecret(sealed, 'j'.repeat(64)));
    const parts = sealed.split('.');
    parts[3] = Buffer.from('x'.repeat(20)).toString('base64url');
    assert.throws(() => openSecret(parts.join('.'), 'k'.repeat(64)));
  });

  it('makes ten distinct recovery codes whose hash ignores case and dashes', () => {
    const codes = newRecoveryCodes();
    assert.equal(new Set(codes).size, 10);
    const first = codes[0] ?? '';
    assert.match(first, /^[a-z2-7]{5}-[a-z2-7]{5}$/);
    assert.equal(hashRecoveryCode(first.toUpperCase().replace('-', ' ')), hashRecoveryCode(first));
  });
});
