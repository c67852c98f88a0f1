import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StorageEntry } from '../../ports.js';
import { DavError } from '../errors.js';
import { MULTISTATUS_CLOSE, MULTISTATUS_OPEN, XML_DECLARATION } from '../properties.js';
import { childElements, parseXml, textContent } from '../xml.js';
import { parsePropfindBody, renderEntry } from './propfind.js';

const file: StorageEntry = {
  path: '/home/a b#1.txt',
  name: 'a b#1.txt',
  type: 'file',
  size: 42,
  mtimeMs: Date.UTC(2024, 0, 2, 3, 4, 5),
  birthtimeMs: Date.UTC(2024, 0, 1),
  etag: '"e1"',
  contentType: 'text/plain',
  owner: 'alice',
  resourceKey: 'k1',
  isVirtual: false,
  canModify: true,
};
const dir: StorageEntry = {
  ...file,
  path: '/home/d',
  name: 'd',
  type: 'directory',
  size: 0,
  contentType: 'httpd/unix-directory',
};
const live = { prefix: '/dav', locks: [], usage: { usedBytes: 10, availableBytes: 90 } };

function parseMultistatus(body: string) {
  return parseXml(XML_DECLARATION + MULTISTATUS_OPEN + body + MULTISTATUS_CLOSE);
}

describe('parsePropfindBody', () => {
  it('reads allprop (also from no body), propname and prop, ignoring unknown elements', () => {
    assert.deepEqual(parsePropfindBody(null), { kind: 'allprop', include: [] });
    assert.deepEqual(parsePropfindBody(parseXml('<propfind xmlns="DAV:"><foobar/><allprop/></propfind>')), {
      kind: 'allprop',
      include: [],
    });
    assert.deepEqual(parsePropfindBody(parseXml('<propfind xmlns="DAV:"><propname/></propfind>')), {
      kind: 'propname',
    });
    assert.deepEqual(
      parsePropfindBody(
        parseXml('<propfind xmlns="DAV:"><prop><getetag/><x:a xmlns:x="urn:x"/></prop></propfind>'),
      ),
      {
        kind: 'prop',
        names: [
          { ns: 'DAV:', local: 'getetag' },
          { ns: 'urn:x', local: 'a' },
        ],
      },
    );
  });
  it('refuses another root element with a 400', () => {
    assert.throws(() => parsePropfindBody(parseXml('<foo/>')), DavError);
  });
});

describe('renderEntry', () => {
  it('renders allprop as well-formed XML with an encoded href and dead properties in their namespaces', () => {
    const xml = renderEntry(
      '/dav',
      file,
      { kind: 'allprop', include: [] },
      [{ namespace: 'http://e/ns/', name: 'p', valueXml: '<v xmlns="urn:v">1</v>' }],
      live,
    );
    const doc = parseMultistatus(xml);
    const response = childElements(doc)[0]!;
    assert.equal(textContent(childElements(response)[0]!), '/dav/home/a%20b%231.txt');
    const props = childElements(childElements(childElements(response)[1]!)[0]!);
    const byName = new Map(props.map((p) => [`${p.ns}${p.local}`, p]));
    assert.equal(textContent(byName.get('DAV:getcontentlength')!), '42');
    assert.equal(textContent(byName.get('DAV:getlastmodified')!), 'Tue, 02 Jan 2024 03:04:05 GMT');
    assert.equal(textContent(byName.get('DAV:creationdate')!), '2024-01-01T00:00:00Z');
    assert.equal(childElements(byName.get('http://e/ns/p')!)[0]?.ns, 'urn:v');
    assert.ok(!byName.has('DAV:quota-used-bytes'), 'RFC 4331: quota properties are not in allprop');
  });

  it('marks collections and ends their hrefs in a slash', () => {
    const xml = renderEntry(
      '/dav',
      dir,
      {
        kind: 'prop',
        names: [
          { ns: 'DAV:', local: 'resourcetype' },
          { ns: 'DAV:', local: 'getcontentlength' },
        ],
      },
      [],
      live,
    );
    assert.match(xml, /<D:href>\/dav\/home\/d\/<\/D:href>/);
    assert.match(xml, /<D:resourcetype><D:collection\/><\/D:resourcetype>/);
    assert.match(xml, /<D:getcontentlength\/><\/D:prop><D:status>HTTP\/1.1 404 Not Found/);
  });

  it('answers named properties 200 or 404 and propname with names only', () => {
    const xml = renderEntry(
      '/dav',
      file,
      {
        kind: 'prop',
        names: [
          { ns: 'DAV:', local: 'quota-used-bytes' },
          { ns: '', local: 'bare' },
        ],
      },
      [],
      live,
    );
    assert.match(xml, /<D:quota-used-bytes>10<\/D:quota-used-bytes>/);
    assert.match(xml, /<bare xmlns=""\/>/);
    const names = renderEntry(
      '/dav',
      file,
      { kind: 'propname' },
      [{ namespace: 'urn:x', name: 'y', valueXml: 'v' }],
      live,
    );
    assert.match(names, /<D:getetag\/>/);
    assert.match(names, /<x:y xmlns:x="urn:x"\/>/);
    assert.doesNotMatch(names, />v</);
  });
});
