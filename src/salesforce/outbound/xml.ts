/**
 * A small, strict XML reader for the one document Rapport receives: Salesforce's Outbound Message
 * SOAP envelope. It knows elements, attributes, namespaces, text, CDATA, comments and the five
 * predefined entities plus character references — and refuses DOCTYPE (so no external entities
 * and no entity expansion bombs), unbalanced tags and excessive depth.
 */

export interface XmlElement {
  /** Local name (without prefix). */
  name: string;
  /** Namespace URI ('' when none). */
  ns: string;
  /** Attributes by their qualified name as written (xsi:type, xmlns:sf …). */
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (concatenated), entities decoded. */
  text: string;
  /** Namespace prefixes in scope, to read QName values such as xsi:type="sf:Case". */
  scope: Map<string, string>;
}

export class XmlError extends Error {}

const MAX_DEPTH = 32;
const MAX_ELEMENTS = 200_000;
const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/;

function decode(text: string): string {
  return text.replace(
    /&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);|&/g,
    (match, entity: string | undefined) => {
      if (!entity) throw new XmlError('A bare "&" is not allowed in XML text');
      switch (entity) {
        case 'lt':
          return '<';
        case 'gt':
          return '>';
        case 'amp':
          return '&';
        case 'quot':
          return '"';
        case 'apos':
          return "'";
      }
      const code = entity.startsWith('#x') ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1));
      if (!Number.isInteger(code) || code < 1 || code > 0x10ffff)
        throw new XmlError(`Invalid character reference ${match}`);
      return String.fromCodePoint(code);
    },
  );
}

function parseAttributes(source: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  const pattern = /\s*([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')/gy;
  let index = 0;
  while (index < source.length) {
    if (/^\s*$/.test(source.slice(index))) break;
    pattern.lastIndex = index;
    const m = pattern.exec(source);
    if (!m) throw new XmlError(`Malformed attributes: ${source.slice(index, index + 40)}`);
    const name = m[1]!;
    if (!NAME.test(name)) throw new XmlError(`Invalid attribute name ${name}`);
    if (name in attributes) throw new XmlError(`Attribute ${name} appears twice`);
    attributes[name] = decode(m[3] ?? m[4] ?? '');
    index = pattern.lastIndex;
  }
  return attributes;
}

function resolve(qualified: string, scope: Map<string, string>): { name: string; ns: string } {
  const colon = qualified.indexOf(':');
  if (colon < 0) return { name: qualified, ns: scope.get('') ?? '' };
  const prefix = qualified.slice(0, colon);
  const ns = scope.get(prefix);
  if (ns === undefined) throw new XmlError(`Undeclared namespace prefix ${prefix}`);
  return { name: qualified.slice(colon + 1), ns };
}

export function parseXml(xml: string): XmlElement {
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml))
    throw new XmlError('DOCTYPE and ENTITY declarations are refused');
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let count = 0;
  const baseScope = new Map<string, string>([['xml', 'http://www.w3.org/XML/1998/namespace']]);

  const appendText = (text: string) => {
    const current = stack.at(-1);
    if (!current) {
      if (text.trim()) throw new XmlError('Text outside the root element');
      return;
    }
    current.text += text;
  };

  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      appendText(decode(xml.slice(i)));
      break;
    }
    if (lt > i) appendText(decode(xml.slice(i, lt)));
    if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt);
      if (end < 0) throw new XmlError('Unterminated processing instruction');
      i = end + 2;
    } else if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt);
      if (end < 0) throw new XmlError('Unterminated comment');
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt);
      if (end < 0) throw new XmlError('Unterminated CDATA section');
      appendText(xml.slice(lt + 9, end));
      i = end + 3;
    } else if (xml.startsWith('</', lt)) {
      const end = xml.indexOf('>', lt);
      if (end < 0) throw new XmlError('Unterminated end tag');
      const qualified = xml.slice(lt + 2, end).trim();
      const current = stack.pop();
      if (!current) throw new XmlError(`Unexpected end tag </${qualified}>`);
      const { name, ns } = resolve(qualified, current.scope);
      if (name !== current.name || ns !== current.ns)
        throw new XmlError(`</${qualified}> does not close <${current.name}>`);
      i = end + 1;
    } else {
      const end = xml.indexOf('>', lt);
      if (end < 0) throw new XmlError('Unterminated start tag');
      let body = xml.slice(lt + 1, end);
      const selfClosing = body.endsWith('/');
      if (selfClosing) body = body.slice(0, -1);
      const nameEnd = body.search(/[\s]/);
      const qualified = nameEnd < 0 ? body : body.slice(0, nameEnd);
      if (!NAME.test(qualified)) throw new XmlError(`Invalid element name <${qualified}>`);
      const attributes = parseAttributes(nameEnd < 0 ? '' : body.slice(nameEnd));
      const parentScope = stack.at(-1)?.scope ?? baseScope;
      let scope = parentScope;
      for (const [attribute, value] of Object.entries(attributes)) {
        if (attribute === 'xmlns' || attribute.startsWith('xmlns:')) {
          if (scope === parentScope) scope = new Map(parentScope);
          scope.set(attribute === 'xmlns' ? '' : attribute.slice(6), value);
        }
      }
      const { name, ns } = resolve(qualified, scope);
      const element: XmlElement = { name, ns, attributes, children: [], text: '', scope };
      if (++count > MAX_ELEMENTS) throw new XmlError('Too many elements');
      const parent = stack.at(-1);
      if (parent) parent.children.push(element);
      else if (root) throw new XmlError('More than one root element');
      else root = element;
      if (!selfClosing) {
        stack.push(element);
        if (stack.length > MAX_DEPTH) throw new XmlError('Elements nested too deep');
      }
      i = end + 1;
    }
  }
  if (stack.length) throw new XmlError(`<${stack.at(-1)!.name}> is not closed`);
  if (!root) throw new XmlError('No root element');
  return root;
}

/** The children of `element` with this local name (and namespace, when given). */
export function childrenNamed(element: XmlElement, name: string, ns?: string): XmlElement[] {
  return element.children.filter((c) => c.name === name && (ns === undefined || c.ns === ns));
}

export function childNamed(element: XmlElement, name: string, ns?: string): XmlElement | undefined {
  return childrenNamed(element, name, ns)[0];
}

/** The local part of a QName attribute value (xsi:type="sf:Case" → Case). */
export function qnameLocal(value: string): string {
  const colon = value.indexOf(':');
  return colon < 0 ? value : value.slice(colon + 1);
}
