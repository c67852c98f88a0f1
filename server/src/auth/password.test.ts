import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generatePassword, hashPassword, verifyPassword } from './password.js';

describe('password hashing', () => {
  it('hashes with scrypt and a random salt, and verifies', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    assert.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.notEqual(a, b);
    assert.equal(await verifyPassword('correct horse', a), true);
    assert.equal(await verifyPassword('correct horsE', a), false);
    assert.equal(await verifyPassword('', a), false);
  });

  it('treats NFC and NFD spellings of a password as the same', async () => {
    const hash = await hashPassword('Müller-pass');
    assert.equal(await verifyPassword('Mu\u0308ller-pass', hash), true);
  });

  it('never matches a malformed hash', async () => {
    for (const stored of ['', 'plain', 'bcrypt$x', 'scrypt$1$2$3$$', 'scrypt$32768$8$1$c2FsdA==$']) {
      assert.equal(await verifyPassword('x', stored), false, stored);
    }
  });

  it('generates passwords of the asked length from an unambiguous alphabet', () => {
    const pw = generatePassword(20);
    assert.equal(pw.length, 20);
    assert.match(pw, /^[a-km-zA-HJ-NP-Z2-9]+$/);
    assert.notEqual(generatePassword(), generatePassword());
  });
});
