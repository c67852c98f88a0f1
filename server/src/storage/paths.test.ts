import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isMacMetadata, parseNamespacePath } from './paths.js';

describe('namespace paths', () => {
  it('splits and NFC-normalises, folding empty segments', () => {
    assert.deepEqual(parseNamespacePath('/'), []);
    assert.deepEqual(parseNamespacePath(''), []);
    assert.deepEqual(parseNamespacePath('/home//docs/'), ['home', 'docs']);
    assert.deepEqual(parseNamespacePath('/home/Cafe\u0301.txt'), ['home', 'Caf\u00e9.txt']);
    assert.deepEqual(parseNamespacePath('/home/a b%20c #1 +x'), ['home', 'a b%20c #1 +x']);
    assert.deepEqual(
      parseNamespacePath('/home/..%2foutside'),
      ['home', '..%2foutside'],
      'decoding is the protocol’s job, once',
    );
  });

  it('refuses every traversal and hostile form rather than resolving it', () => {
    const hostile = [
      '..',
      '/..',
      '/../etc',
      '/home/..',
      '/home/../..',
      '/home/../homes/bob',
      '/home/./x',
      '/./home',
      '/home/.',
      'home/../../x',
      '/home/x/../../..',
      '/home/\u0000',
      '/home/a\u0000b',
      '\u0000',
      '/home/\\..\\x',
      '\\home',
      '/home/a\\b',
      '/home/\u0001',
      '/home/\u001b[31m',
      '/home/\u007f',
      '/home/\n',
      '/home/a\rb',
      '/home/\t',
      '/home/\ud800',
      '/home/\udc00x',
      '/home/' + 'a'.repeat(256),
      '/home/' + 'é'.repeat(128),
      '/' + 'a/'.repeat(2100),
      '/home/..\u0000/x',
      '/home/.\u0000.',
    ];
    assert.ok(hostile.length >= 30);
    for (const p of hostile) {
      assert.throws(
        () => parseNamespacePath(p),
        (err: unknown) => (err as { code?: string }).code === 'VALIDATION_FAILED',
        JSON.stringify(p),
      );
    }
  });

  it('knows macOS metadata names', () => {
    assert.equal(isMacMetadata('.DS_Store'), true);
    assert.equal(isMacMetadata('._photo.jpg'), true);
    assert.equal(isMacMetadata('photo.jpg'), false);
    assert.equal(isMacMetadata('.hidden'), false);
  });
});
