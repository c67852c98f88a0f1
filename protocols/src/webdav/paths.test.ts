import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DavError } from './errors.js';
import {
  decodeSegment,
  encodeSegment,
  hrefFor,
  requestTargetPath,
  resolveUrlPath,
  resolveUrlReference,
} from './paths.js';

function status(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof DavError) return err.status;
    throw err;
  }
  return undefined;
}

describe('resolveUrlPath', () => {
  it('strips the prefix and decodes once', () => {
    assert.deepEqual(resolveUrlPath('/dav', '/dav'), { path: '/', hasTrailingSlash: false });
    assert.deepEqual(resolveUrlPath('/dav/', '/dav'), { path: '/', hasTrailingSlash: true });
    assert.deepEqual(resolveUrlPath('/dav/home/a%20b/', '/dav'), {
      path: '/home/a b',
      hasTrailingSlash: true,
    });
    assert.equal(resolveUrlPath('/dav/home/100%2525', '/dav')?.path, '/home/100%25');
    assert.equal(resolveUrlPath('/dav/home//x', '/dav')?.path, '/home/x');
  });

  it('returns null outside the prefix', () => {
    assert.equal(resolveUrlPath('/davx', '/dav'), null);
    assert.equal(resolveUrlPath('/api/x', '/dav'), null);
  });

  it('normalises NFD input to NFC', () => {
    const nfd = encodeURIComponent('Cafe\u0301');
    assert.equal(resolveUrlPath(`/dav/home/${nfd}`, '/dav')?.path, '/home/Caf\u00e9');
  });

  for (const [name, raw] of [
    ['a malformed escape', '/dav/home/%zz'],
    ['a truncated escape', '/dav/home/a%2'],
    ['invalid UTF-8', '/dav/home/%ff'],
    ['an encoded slash', '/dav/home/a%2Fb'],
    ['NUL', '/dav/home/a%00b'],
    ['a control character', '/dav/home/a%0Ab'],
    ['a dot-dot segment', '/dav/home/../etc'],
    ['an encoded dot-dot segment', '/dav/home/%2e%2e/etc'],
    ['a dot segment', '/dav/./home'],
    ['a backslash', '/dav/home/a%5Cb'],
    ['a fragment', '/dav/home/frag/#ment'],
  ] as const) {
    it(`refuses ${name} with a 400`, () => {
      assert.equal(
        status(() => resolveUrlPath(raw, '/dav')),
        400,
      );
    });
  }
});

describe('requestTargetPath', () => {
  it('drops the query and the scheme and authority of absolute-form targets', () => {
    assert.equal(requestTargetPath('/dav/a?x=1'), '/dav/a');
    assert.equal(requestTargetPath('http://host:8080/dav/a'), '/dav/a');
  });
});

describe('resolveUrlReference (Destination)', () => {
  it('accepts an absolute URL on this host and an absolute path', () => {
    assert.equal(
      resolveUrlReference('http://127.0.0.1:8080/dav/home/b', '127.0.0.1:8080', '/dav').path,
      '/home/b',
    );
    assert.equal(
      resolveUrlReference('https://nas.example/dav/home/b', 'nas.example', '/dav').path,
      '/home/b',
    );
    assert.equal(
      resolveUrlReference('http://nas.example:80/dav/home/b', 'nas.example', '/dav').path,
      '/home/b',
    );
    assert.equal(resolveUrlReference('/dav/home/c%20d', '127.0.0.1:8080', '/dav').path, '/home/c d');
  });
  it('answers 502 for another server or outside the prefix, 400 for garbage', () => {
    assert.equal(
      status(() => resolveUrlReference('http://elsewhere/dav/a', '127.0.0.1:8080', '/dav')),
      502,
    );
    assert.equal(
      status(() => resolveUrlReference('/api/users', '127.0.0.1:8080', '/dav')),
      502,
    );
    assert.equal(
      status(() => resolveUrlReference('ftp://127.0.0.1:8080/dav/a', '127.0.0.1:8080', '/dav')),
      502,
    );
    assert.equal(
      status(() => resolveUrlReference('relative/path', '127.0.0.1:8080', '/dav')),
      400,
    );
    assert.equal(
      status(() => resolveUrlReference('/dav/home/../../etc', '127.0.0.1:8080', '/dav')),
      400,
    );
  });
});

describe('hrefs', () => {
  it('encode every segment so that names round-trip', () => {
    for (const name of [
      'a b',
      '100%',
      'x#y',
      'q?r',
      'a+b',
      'Caf\u00e9',
      '\u65e5\u672c',
      "it's (1)*",
      'semi;colon=eq&amp',
      '\u{1F600}',
    ]) {
      const href = hrefFor('/dav', `/home/${name}`, false);
      assert.match(href, /^[A-Za-z0-9\-._~%/]+$/, href);
      assert.equal(resolveUrlPath(href, '/dav')?.path, `/home/${name}`);
      assert.equal(decodeSegment(encodeSegment(name)), name);
    }
  });
  it('end collections in a slash, and the root is the prefix with a slash', () => {
    assert.equal(hrefFor('/dav', '/', true), '/dav/');
    assert.equal(hrefFor('/dav', '/home/a b', true), '/dav/home/a%20b/');
    assert.equal(hrefFor('/dav', '/home/a+b', false), '/dav/home/a%2Bb');
  });
});
