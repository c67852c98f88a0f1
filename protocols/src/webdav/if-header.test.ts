import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DavError } from './errors.js';
import { evaluateList, parseIfHeader, submittedTokens } from './if-header.js';

const TOKEN = 'urn:uuid:0f6b2c8e-6d2b-4f53-9a55-3f2b1d6f4a10';

describe('parseIfHeader', () => {
  it('parses an untagged list with a token and an entity tag', () => {
    assert.deepEqual(parseIfHeader(`(<${TOKEN}> ["abc"])`), [
      {
        resourceTag: null,
        conditions: [
          { isNot: false, kind: 'token', value: TOKEN },
          { isNot: false, kind: 'etag', value: '"abc"' },
        ],
      },
    ]);
  });

  it('parses Not, DAV:no-lock and several lists', () => {
    const lists = parseIfHeader(`(<${TOKEN}>) (Not <DAV:no-lock> W/["x"])`.replace('W/["x"]', '[W/"x"]'));
    assert.equal(lists.length, 2);
    assert.deepEqual(lists[1]?.conditions, [
      { isNot: true, kind: 'token', value: 'DAV:no-lock' },
      { isNot: false, kind: 'etag', value: 'W/"x"' },
    ]);
  });

  it('parses tagged lists, each tag applying to the lists after it', () => {
    const lists = parseIfHeader(`<http://h/dav/a> (<${TOKEN}>) (["e"]) </dav/b> (Not <DAV:no-lock>)`);
    assert.deepEqual(
      lists.map((l) => l.resourceTag),
      ['http://h/dav/a', 'http://h/dav/a', '/dav/b'],
    );
  });

  it('accepts the shape that crashed webdav-server: an untagged (<DAV:no-lock>)', () => {
    assert.deepEqual(parseIfHeader('(<DAV:no-lock>)'), [
      { resourceTag: null, conditions: [{ isNot: false, kind: 'token', value: 'DAV:no-lock' }] },
    ]);
  });

  for (const bad of [
    '',
    '   ',
    '()',
    '(',
    '(<urn:x>',
    '<http://h/a>',
    '<http://h/a> x',
    '(foo)',
    '(Not)',
    '(<no scheme>)',
    '(["unterminated])',
    '([noquotes])',
    '(<urn:a>) <http://h/b> (<urn:b>)',
    'x(<urn:a>)',
    '(<urn:a>) garbage',
  ]) {
    it(`refuses ${JSON.stringify(bad)} with a 400`, () => {
      assert.throws(
        () => parseIfHeader(bad),
        (err: unknown) => err instanceof DavError && err.status === 400,
      );
    });
  }

  it('survives fuzzed input: it returns lists or throws a DavError 400, nothing else', () => {
    const alphabet = [
      '(',
      ')',
      '<',
      '>',
      '[',
      ']',
      '"',
      'Not ',
      'W/',
      ' ',
      'urn:uuid:1',
      'DAV:no-lock',
      'http://h/x',
      '/',
      '\t',
      'é',
      '\u0000',
    ];
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 5000; round++) {
      let value = '';
      const length = 1 + random(20);
      for (let k = 0; k < length; k++) value += alphabet[random(alphabet.length)] ?? '';
      try {
        const lists = parseIfHeader(value);
        assert.ok(Array.isArray(lists) && lists.length > 0);
        for (const l of lists) assert.ok(l.conditions.length > 0);
      } catch (err) {
        assert.ok(
          err instanceof DavError && err.status === 400,
          `unexpected ${String(err)} for ${JSON.stringify(value)}`,
        );
      }
    }
  });

  it('refuses an oversized header', () => {
    assert.throws(() => parseIfHeader(`(<${TOKEN}>) `.repeat(2000)), DavError);
  });
});

describe('evaluateList and submittedTokens', () => {
  const state = { etag: '"e1"', lockTokens: [TOKEN] };

  it('is true when every condition holds', () => {
    const [list] = parseIfHeader(`(<${TOKEN}> ["e1"])`);
    assert.equal(evaluateList(list!, state), true);
  });

  it('is false for DAV:no-lock, which is never a current lock', () => {
    const [list] = parseIfHeader('(<DAV:no-lock> ["e1"])');
    assert.equal(evaluateList(list!, state), false);
  });

  it('negates with Not', () => {
    const [list] = parseIfHeader('(Not <DAV:no-lock>)');
    assert.equal(evaluateList(list!, state), true);
  });

  it('compares entity tags, ignoring weakness, and fails on a missing resource', () => {
    const [list] = parseIfHeader('([W/"e1"])');
    assert.equal(evaluateList(list!, state), true);
    assert.equal(evaluateList(list!, { etag: null, lockTokens: [] }), false);
  });

  it('collects every submitted token but DAV:no-lock', () => {
    const lists = parseIfHeader(`(<${TOKEN}x>) (Not <DAV:no-lock>) (<${TOKEN}>)`);
    assert.deepEqual(submittedTokens(lists), [`${TOKEN}x`, TOKEN]);
  });
});
