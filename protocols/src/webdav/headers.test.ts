import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StorageEntry } from '../ports.js';
import { DavError } from './errors.js';
import {
  evaluatePreconditions,
  ifRangeAllows,
  isoDate,
  parseDepth,
  parseEtagList,
  parseOverwrite,
  parseRange,
  parseTimeout,
} from './headers.js';

const entry: StorageEntry = {
  path: '/home/a.txt',
  name: 'a.txt',
  type: 'file',
  size: 100,
  mtimeMs: Date.UTC(2024, 0, 2, 3, 4, 5),
  birthtimeMs: Date.UTC(2024, 0, 1),
  etag: '"abc"',
  contentType: 'text/plain',
  owner: 'alice',
  resourceKey: 'homes/alice/a.txt',
  isVirtual: false,
  canModify: true,
};

describe('parseDepth', () => {
  it('reads 0, 1 and infinity, and falls back when absent', () => {
    assert.equal(parseDepth('0', 1), 0);
    assert.equal(parseDepth(' 1 ', 0), 1);
    assert.equal(parseDepth('Infinity', 0), 'infinity');
    assert.equal(parseDepth(undefined, 'infinity'), 'infinity');
  });
  it('refuses anything else with a 400', () => {
    for (const v of ['2', '', 'inf', '-1']) assert.throws(() => parseDepth(v, 0), DavError);
  });
});

describe('parseOverwrite', () => {
  it('defaults to T and reads T or F', () => {
    assert.equal(parseOverwrite(undefined), true);
    assert.equal(parseOverwrite('F'), false);
    assert.equal(parseOverwrite('t'), true);
    assert.throws(() => parseOverwrite('yes'), DavError);
  });
});

describe('parseTimeout', () => {
  it('takes the first understood value, caps Infinite and big values at a day', () => {
    assert.equal(parseTimeout(undefined), 3600);
    assert.equal(parseTimeout('Second-120'), 120);
    assert.equal(parseTimeout('Infinite, Second-4100000000'), 86_400);
    assert.equal(parseTimeout('Second-999999999999'), 86_400);
    assert.equal(parseTimeout('Bogus, Second-60'), 60);
    assert.equal(parseTimeout('Bogus'), 3600);
  });
});

describe('parseRange', () => {
  it('reads a-b, a- and -n', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { kind: 'range', range: { start: 0, end: 9 } });
    assert.deepEqual(parseRange('bytes=90-', 100), { kind: 'range', range: { start: 90, end: 99 } });
    assert.deepEqual(parseRange('bytes=-10', 100), { kind: 'range', range: { start: 90, end: 99 } });
    assert.deepEqual(parseRange('bytes=-1000', 100), { kind: 'range', range: { start: 0, end: 99 } });
    assert.deepEqual(parseRange('bytes=50-1000', 100), { kind: 'range', range: { start: 50, end: 99 } });
  });
  it('answers unsatisfiable past the end and for an empty representation', () => {
    assert.deepEqual(parseRange('bytes=100-', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=-0', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=0-', 0), { kind: 'unsatisfiable' });
  });
  it('ignores multiple ranges, other units and garbage (the whole representation is served)', () => {
    for (const v of ['bytes=0-1,5-6', 'items=0-1', 'bytes=5-1', 'bytes=-', 'nonsense']) {
      assert.deepEqual(parseRange(v, 100), { kind: 'none' });
    }
  });
});

describe('conditional requests', () => {
  it('parses entity tag lists', () => {
    assert.deepEqual(parseEtagList('"a", W/"b"'), ['"a"', 'W/"b"']);
    assert.deepEqual(parseEtagList('*'), ['*']);
    assert.equal(parseEtagList(undefined), null);
    assert.throws(() => parseEtagList('nope'), DavError);
  });
  it('answers 304 for a matching If-None-Match on GET, 412 on a mutation', () => {
    assert.equal(evaluatePreconditions({ 'if-none-match': '"abc"' }, entry, true), 304);
    assert.equal(evaluatePreconditions({ 'if-none-match': '"abc"' }, entry, false), 412);
    assert.equal(evaluatePreconditions({ 'if-none-match': '"zzz"' }, entry, true), null);
  });
  it('answers 412 for a failed If-Match, also when the resource is missing', () => {
    assert.equal(evaluatePreconditions({ 'if-match': '"zzz"' }, entry, true), 412);
    assert.equal(evaluatePreconditions({ 'if-match': '"abc"' }, entry, true), null);
    assert.equal(evaluatePreconditions({ 'if-match': '*' }, null, false), 412);
  });
  it('honours If-Modified-Since and If-Unmodified-Since at second resolution', () => {
    const lm = new Date(entry.mtimeMs).toUTCString();
    assert.equal(evaluatePreconditions({ 'if-modified-since': lm }, entry, true), 304);
    assert.equal(
      evaluatePreconditions(
        { 'if-modified-since': new Date(entry.mtimeMs - 5000).toUTCString() },
        entry,
        true,
      ),
      null,
    );
    assert.equal(
      evaluatePreconditions(
        { 'if-unmodified-since': new Date(entry.mtimeMs - 5000).toUTCString() },
        entry,
        false,
      ),
      412,
    );
    assert.equal(evaluatePreconditions({ 'if-unmodified-since': lm }, entry, false), null);
  });
  it('lets If-Range allow the range only for the current strong tag or date', () => {
    assert.equal(ifRangeAllows(undefined, entry), true);
    assert.equal(ifRangeAllows('"abc"', entry), true);
    assert.equal(ifRangeAllows('"old"', entry), false);
    assert.equal(ifRangeAllows(new Date(entry.mtimeMs).toUTCString(), entry), true);
  });
  it('formats creationdate as RFC 3339 without fractions', () => {
    assert.equal(isoDate(Date.UTC(2024, 0, 1, 12, 0, 0, 123)), '2024-01-01T12:00:00Z');
  });
});
