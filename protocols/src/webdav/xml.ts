/**
 * A small, strict, namespace-aware XML parser for WebDAV request bodies, and the serialisers the responses use.
 *
 * Why not a library: the bodies are at most `maxXmlBodyBytes` (1 MiB), the DAV vocabulary is tiny, and what
 * matters is exactly what the parser refuses: any `<!DOCTYPE` or other markup declaration (no external entities,
 * no entity expansion: billion-laughs and XXE are impossible by construction), unbound prefixes, a prefix bound to
 * the empty namespace (litmus propfind_invalid2), mismatched tags, text outside the root. Everything it keeps is
 * resolved to {namespace URI, local name}, so dead properties keep their exact namespaces.
 */

export const DAV_NS = 'DAV:';
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

export interface XmlAttribute {
  readonly ns: string;
  readonly local: string;
  readonly value: string;
}

export interface XmlElement {
  readonly type: 'element';
  /** Namespace URI; '' for no namespace. */
  readonly ns: string;
  readonly local: string;
  readonly attrs: XmlAttribute[];
  readonly children: XmlNode[];
}

export interface XmlText {
  readonly type: 'text';
  value: string;
}

export type XmlNode = XmlElement | XmlText;

export class XmlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlParseError';
  }
}

const MAX_DEPTH = 200;
// NCName, permissively: no whitespace, no colon, none of the ASCII punctuation XML excludes from names, and no
// digit, dot or hyphen first. Non-ASCII name characters are all accepted.
const NCNAME = /^[^\s\d.\-:!"#$%&'()*+,/;<=>?@[\\\]^`{|}~][^\s:!"#$%&'()*+,/;<=>?@[\\\]^`{|}~]*$/u;
// XML 1.0 Char production: refuse the C0 controls other than tab, LF and CR.
// eslint-disable-next-line no-control-regex
const INVALID_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function fail(message: string): never {
  throw new XmlParseError(message);
}

function isValidCodePoint(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  if (!raw.includes('&')) return raw;
  let out = '';
  let i = 0;
  for (;;) {
    const amp = raw.indexOf('&', i);
    if (amp === -1) return out + raw.slice(i);
    out += raw.slice(i, amp);
    const semi = raw.indexOf(';', amp + 1);
    if (semi === -1 || semi - amp > 12) fail('malformed entity reference');
    const name = raw.slice(amp + 1, semi);
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) {
      out += predefined;
    } else if (/^#[0-9]{1,7}$/.test(name) || /^#x[0-9A-Fa-f]{1,6}$/.test(name)) {
      const cp = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      if (!isValidCodePoint(cp)) fail('character reference to an invalid character');
      out += String.fromCodePoint(cp);
    } else {
      // Only the five predefined entities exist: there is no DTD to declare others.
      fail('undeclared entity');
    }
    i = semi + 1;
  }
}

function splitQName(qname: string): [prefix: string, local: string] {
  const colon = qname.indexOf(':');
  if (colon === -1) {
    if (!NCNAME.test(qname)) fail('invalid name');
    return ['', qname];
  }
  const prefix = qname.slice(0, colon);
  const local = qname.slice(colon + 1);
  if (!NCNAME.test(prefix) || !NCNAME.test(local)) fail('invalid qualified name');
  return [prefix, local];
}

interface Frame {
  readonly element: XmlElement;
  readonly qname: string;
  readonly scope: ReadonlyMap<string, string>;
}

const ROOT_SCOPE: ReadonlyMap<string, string> = new Map([
  ['xml', XML_NS],
  ['', ''],
]);

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/**
 * Parses a whole document. Comments and processing instructions are skipped, CDATA becomes text, entity and
 * character references are decoded. @throws XmlParseError for anything not well-formed or namespace-well-formed,
 * and for every markup declaration (`<!DOCTYPE`, `<!ENTITY`, ...).
 */
export function parseXml(input: string): XmlElement {
  let src = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  src = src.replace(/\r\n?/g, '\n');
  if (INVALID_CHARS.test(src)) fail('invalid character');
  const stack: Frame[] = [];
  let root: XmlElement | null = null;
  let i = 0;
  const n = src.length;

  const appendText = (value: string): void => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (!/^[ \t\n]*$/.test(value)) fail('text outside the root element');
      return;
    }
    const last = top.element.children[top.element.children.length - 1];
    if (last?.type === 'text') last.value += value;
    else top.element.children.push({ type: 'text', value });
  };

  while (i < n) {
    const lt = src.indexOf('<', i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i) {
      const raw = src.slice(i, textEnd);
      if (raw.includes(']]>')) fail("']]>' in text");
      appendText(decodeEntities(raw));
      i = textEnd;
    }
    if (lt === -1) break;

    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end === -1) fail('unterminated comment');
      i = end + 3;
      continue;
    }
    if (src.startsWith('<![CDATA[', i)) {
      if (stack.length === 0) fail('CDATA outside the root element');
      const end = src.indexOf(']]>', i + 9);
      if (end === -1) fail('unterminated CDATA section');
      appendText(src.slice(i + 9, end));
      i = end + 3;
      continue;
    }
    if (src.startsWith('<!', i)) {
      // <!DOCTYPE, <!ENTITY, <!ELEMENT ...: refused outright.
      fail('markup declarations (DOCTYPE) are not allowed');
    }
    if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i + 2);
      if (end === -1) fail('unterminated processing instruction');
      const target = /^[^\s?]*/.exec(src.slice(i + 2))?.[0] ?? '';
      if (target.toLowerCase() === 'xml' && i !== 0) fail('XML declaration not at the start');
      i = end + 2;
      continue;
    }
    if (src[i + 1] === '/') {
      const end = src.indexOf('>', i + 2);
      if (end === -1) fail('unterminated end tag');
      const qname = src.slice(i + 2, end).replace(/[ \t\n]+$/, '');
      const top = stack.pop();
      if (top?.qname !== qname) fail('mismatched end tag');
      i = end + 1;
      continue;
    }

    // A start tag.
    if (root !== null && stack.length === 0) fail('content after the root element');
    let j = i + 1;
    while (j < n && !isSpace(src[j]) && src[j] !== '>' && src[j] !== '/') j++;
    const qname = src.slice(i + 1, j);
    if (qname === '') fail('empty tag name');
    const rawAttrs: [string, string][] = [];
    let selfClosing = false;
    for (;;) {
      const before = j;
      while (j < n && isSpace(src[j])) j++;
      if (j >= n) fail('unterminated start tag');
      if (src[j] === '>') {
        j++;
        break;
      }
      if (src[j] === '/') {
        if (src[j + 1] !== '>') fail('malformed start tag');
        selfClosing = true;
        j += 2;
        break;
      }
      if (j === before) fail('attributes must be separated by whitespace');
      const nameStart = j;
      while (j < n && !isSpace(src[j]) && src[j] !== '=' && src[j] !== '>' && src[j] !== '/') j++;
      const attrName = src.slice(nameStart, j);
      while (j < n && isSpace(src[j])) j++;
      if (src[j] !== '=') fail('attribute without a value');
      j++;
      while (j < n && isSpace(src[j])) j++;
      const quote = src[j];
      if (quote !== '"' && quote !== "'") fail('unquoted attribute value');
      const close = src.indexOf(quote, j + 1);
      if (close === -1) fail('unterminated attribute value');
      const rawValue = src.slice(j + 1, close);
      if (rawValue.includes('<')) fail("'<' in an attribute value");
      rawAttrs.push([attrName, decodeEntities(rawValue.replace(/[\t\n]/g, ' '))]);
      j = close + 1;
    }
    i = j;

    // Namespace declarations first, then resolve the element's and the attributes' names.
    const parentScope = stack[stack.length - 1]?.scope ?? ROOT_SCOPE;
    let scope = parentScope;
    const plain: [string, string][] = [];
    const seenNames = new Set<string>();
    for (const [name, value] of rawAttrs) {
      if (seenNames.has(name)) fail('duplicate attribute');
      seenNames.add(name);
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        if (scope === parentScope) scope = new Map(parentScope);
        const prefix = name === 'xmlns' ? '' : name.slice(6);
        if (prefix !== '' && !NCNAME.test(prefix)) fail('invalid namespace prefix');
        if (prefix === 'xmlns') fail('the xmlns prefix cannot be declared');
        if (prefix === 'xml' ? value !== XML_NS : value === XML_NS || value === XMLNS_NS) {
          fail('reserved namespace misused');
        }
        // Namespaces in XML 1.0, 2: a prefix cannot be bound to the empty namespace name.
        if (prefix !== '' && value === '') fail('a prefix bound to the empty namespace');
        (scope as Map<string, string>).set(prefix, value);
      } else {
        plain.push([name, value]);
      }
    }
    const [prefix, local] = splitQName(qname);
    const ns = scope.get(prefix);
    if (ns === undefined) fail('unbound namespace prefix');
    const attrs: XmlAttribute[] = [];
    const seenExpanded = new Set<string>();
    for (const [name, value] of plain) {
      const [aPrefix, aLocal] = splitQName(name);
      const aNs = aPrefix === '' ? '' : scope.get(aPrefix);
      if (aNs === undefined) fail('unbound attribute prefix');
      const key = `${aNs} ${aLocal}`;
      if (seenExpanded.has(key)) fail('duplicate attribute');
      seenExpanded.add(key);
      attrs.push({ ns: aNs, local: aLocal, value });
    }
    const element: XmlElement = { type: 'element', ns, local, attrs, children: [] };
    const parent = stack[stack.length - 1];
    if (parent) parent.element.children.push(element);
    else root = element;
    if (!selfClosing) {
      if (stack.length >= MAX_DEPTH) fail('elements nested too deeply');
      stack.push({ element, qname, scope });
    }
  }
  if (stack.length > 0) fail('unclosed element');
  if (root === null) fail('no root element');
  return root;
}

/** The child elements of an element (text and whitespace skipped). */
export function childElements(element: XmlElement): XmlElement[] {
  return element.children.filter((c): c is XmlElement => c.type === 'element');
}

export function isDav(element: XmlElement, local: string): boolean {
  return element.ns === DAV_NS && element.local === local;
}

/** All text directly and indirectly inside an element. */
export function textContent(element: XmlElement): string {
  return element.children.map((c) => (c.type === 'text' ? c.value : textContent(c))).join('');
}

export function escapeText(value: string): string {
  return value.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

export function escapeAttr(value: string): string {
  return value.replace(/[&<>"\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Serialises nodes so that they stand alone: every element states its namespace as a default namespace
 * declaration where it differs from its parent's (always on the top level), and namespaced attributes get
 * a prefix declared on their element. The result can be pasted inside any other element and means the same.
 */
export function serializeNodes(nodes: readonly XmlNode[], inheritedDefault: string | null = null): string {
  let out = '';
  for (const node of nodes) {
    if (node.type === 'text') {
      out += escapeText(node.value);
      continue;
    }
    out += serializeElement(node, inheritedDefault);
  }
  return out;
}

export function serializeElement(element: XmlElement, inheritedDefault: string | null = null): string {
  let tag = `<${element.local}`;
  if (element.ns !== inheritedDefault) tag += ` xmlns="${escapeAttr(element.ns)}"`;
  let k = 0;
  for (const attr of element.attrs) {
    if (attr.ns === '') {
      tag += ` ${attr.local}="${escapeAttr(attr.value)}"`;
    } else if (attr.ns === XML_NS) {
      tag += ` xml:${attr.local}="${escapeAttr(attr.value)}"`;
    } else {
      const p = `a${k++}`;
      tag += ` xmlns:${p}="${escapeAttr(attr.ns)}" ${p}:${attr.local}="${escapeAttr(attr.value)}"`;
    }
  }
  if (element.children.length === 0) return tag + '/>';
  return `${tag}>${serializeNodes(element.children, element.ns)}</${element.local}>`;
}
