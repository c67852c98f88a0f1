import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  childElements,
  parseXml,
  serializeElement,
  serializeNodes,
  XmlParseError,
  type XmlElement,
} from './xml.js';

function reparse(xml: string): XmlElement {
  return parseXml(`<wrap xmlns="urn:wrapper">${xml}</wrap>`);
}

describe('parseXml', () => {
  it('resolves prefixes and default namespaces', () => {
    const root = parseXml(
      '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><x:a xmlns:x="http://e/ns/"/><b xmlns="alpha"/></D:prop></D:propfind>',
    );
    assert.equal(root.ns, 'DAV:');
    assert.equal(root.local, 'propfind');
    const props = childElements(childElements(root)[0]!);
    assert.deepEqual(
      props.map((p) => [p.ns, p.local]),
      [
        ['http://e/ns/', 'a'],
        ['alpha', 'b'],
      ],
    );
  });

  it('keeps an element in no namespace when xmlns="" undeclares the default', () => {
    const root = parseXml(
      '<propertyupdate xmlns="DAV:"><set><prop><nonamespace xmlns="">v</nonamespace></prop></set></propertyupdate>',
    );
    const el = childElements(childElements(childElements(root)[0]!)[0]!)[0]!;
    assert.equal(el.ns, '');
    assert.equal(el.local, 'nonamespace');
  });

  it('decodes entities, character references and CDATA', () => {
    const root = parseXml('<a>&lt;&amp;&gt;&quot;&apos;&#65536;&#x41;<![CDATA[<raw>]]></a>');
    assert.deepEqual(root.children, [{ type: 'text', value: `<&>"'\u{10000}A<raw>` }]);
  });

  for (const [name, doc] of [
    ['a DOCTYPE', '<!DOCTYPE a><a/>'],
    ['external entities', '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'],
    [
      'billion laughs',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>',
    ],
    ['an undeclared entity', '<a>&nbsp;</a>'],
    [
      'a prefix bound to the empty namespace',
      '<D:propfind xmlns:D="DAV:"><D:prop><bar:foo xmlns:bar=""/></D:prop></D:propfind>',
    ],
    ['an unbound prefix', '<x:a/>'],
    ['a mismatched end tag', '<a><b></a></b>'],
    ['an unclosed element', '<a><b/>'],
    ['text after the root', '<a/>junk'],
    ['two roots', '<a/><b/>'],
    ['an unquoted attribute', '<a x=1/>'],
    ['a duplicate attribute', '<a x="1" x="2"/>'],
    ['the same expanded attribute twice', '<a xmlns:p="u" xmlns:q="u" p:x="1" q:x="2"/>'],
    ['a control character', '<a>\u0001</a>'],
    ['an invalid character reference', '<a>&#0;</a>'],
    ['not XML at all', '<foo>'],
    ['an empty document', ''],
    ['a late XML declaration', '<a/><?xml version="1.0"?>'],
  ] as const) {
    it(`refuses ${name}`, () => {
      assert.throws(() => parseXml(doc), XmlParseError);
    });
  }

  it('refuses deep nesting instead of recursing without bound', () => {
    assert.throws(() => parseXml('<a>'.repeat(500) + '</a>'.repeat(500)), XmlParseError);
  });
});

describe('serializeNodes', () => {
  it('makes a value self-contained: the namespace of every element survives re-parsing elsewhere', () => {
    const root = parseXml(
      `<t:valnspace xmlns:t="http://webdav.org/neon/litmus/"><foo xmlns='bar'/><t:x a="1">text &amp; more</t:x></t:valnspace>`,
    );
    const xml = serializeNodes(root.children);
    const again = childElements(reparse(xml));
    assert.deepEqual(
      again.map((e) => [e.ns, e.local]),
      [
        ['bar', 'foo'],
        ['http://webdav.org/neon/litmus/', 'x'],
      ],
    );
    assert.equal(again[1]?.attrs[0]?.value, '1');
  });

  it('keeps namespace URIs byte-identical, including a trailing slash, none at all, and odd characters', () => {
    for (const ns of ['http://example.com/ns/', 'http://example.com/ns', 'urn:x:', 'alpha', 'a"b<c&d']) {
      const el: XmlElement = {
        type: 'element',
        ns,
        local: 'p',
        attrs: [],
        children: [{ type: 'text', value: 'v' }],
      };
      const again = childElements(reparse(serializeElement(el)))[0]!;
      assert.equal(again.ns, ns);
    }
    const none: XmlElement = { type: 'element', ns: '', local: 'p', attrs: [], children: [] };
    assert.equal(childElements(reparse(serializeElement(none)))[0]?.ns, '');
  });

  it('keeps namespaced and xml: attributes', () => {
    const root = parseXml('<a xmlns:p="urn:p" p:x="1" xml:lang="de"><b/></a>');
    const again = reparse(serializeElement(root));
    const a = childElements(again)[0]!;
    assert.deepEqual(
      a.attrs.map((x) => [x.ns, x.local, x.value]),
      [
        ['urn:p', 'x', '1'],
        ['http://www.w3.org/XML/1998/namespace', 'lang', 'de'],
      ],
    );
  });
});
