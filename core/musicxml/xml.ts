/**
 * A small, non-validating XML parser: elements, attributes, text, the predefined and numeric
 * entities and CDATA, with comments, processing instructions and the DOCTYPE skipped. It exists
 * so the MusicXML reader needs no npm dependency; it is not a general XML toolkit (no namespaces,
 * no DTD-defined entities, which are kept as written).
 * It works with indexOf and sticky regexes over the whole string and keeps an explicit stack,
 * so deep nesting cannot overflow the call stack; malformed structure throws XmlParseError.
 */

export class XmlParseError extends Error {
  override name = 'XmlParseError';
}

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  /** Elements and text in document order. Whitespace-only text is dropped (see parseXml). */
  children: XmlNode[];
}

export type XmlNode = XmlElement | string;

const NAME = /[^\s/>=<"']+/y;
const ATTRIBUTE = /\s*([^\s/>=<"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
const TAG_END = /\s*(\/?)>/y;

/**
 * Parses a document and returns its root element. Whitespace-only text nodes are dropped: MusicXML
 * (like most data formats) uses them only for indentation, and keeping them would double the tree.
 */
export function parseXml(text: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark left by the decoder
  const addText = (value: string, raw: boolean): void => {
    const parent = stack[stack.length - 1];
    if (!parent) {
      if (/\S/.test(value)) throw new XmlParseError(`text outside the root element at ${i}`);
      return;
    }
    if (!raw && !/\S/.test(value)) return;
    const decoded = raw ? value : decodeEntities(value);
    const last = parent.children[parent.children.length - 1];
    // Text split by a comment or CDATA section is one run of text.
    if (typeof last === 'string') parent.children[parent.children.length - 1] = last + decoded;
    else parent.children.push(decoded);
  };

  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt === -1) {
      addText(text.slice(i), false);
      break;
    }
    if (lt > i) addText(text.slice(i, lt), false);
    if (text.startsWith('<!--', lt)) {
      i = endOf(text, '-->', lt + 4, 'comment');
    } else if (text.startsWith('<![CDATA[', lt)) {
      const end = endOf(text, ']]>', lt + 9, 'CDATA section');
      if (!stack.length) throw new XmlParseError(`CDATA outside the root element at ${lt}`);
      addText(text.slice(lt + 9, end - 3), true);
      i = end;
    } else if (text.startsWith('<?', lt)) {
      i = endOf(text, '?>', lt + 2, 'processing instruction');
    } else if (text.startsWith('<!', lt)) {
      i = skipDeclaration(text, lt);
    } else if (text.charCodeAt(lt + 1) === 47 /* / */) {
      const end = text.indexOf('>', lt);
      if (end === -1) throw new XmlParseError(`unterminated end tag at ${lt}`);
      const name = text.slice(lt + 2, end).trim();
      const open = stack.pop();
      if (!open) throw new XmlParseError(`end tag </${name}> with nothing open at ${lt}`);
      if (open.name !== name) throw new XmlParseError(`end tag </${name}> does not match <${open.name}> at ${lt}`);
      i = end + 1;
    } else {
      NAME.lastIndex = lt + 1;
      const name = NAME.exec(text)?.[0];
      if (!name) throw new XmlParseError(`bad tag at ${lt}`);
      const element: XmlElement = { name, attributes: {}, children: [] };
      let at = NAME.lastIndex;
      for (;;) {
        ATTRIBUTE.lastIndex = at;
        const match = ATTRIBUTE.exec(text);
        if (!match) break;
        element.attributes[match[1]!] = decodeEntities(match[2] ?? match[3]!);
        at = ATTRIBUTE.lastIndex;
      }
      TAG_END.lastIndex = at;
      const end = TAG_END.exec(text);
      if (!end) throw new XmlParseError(`malformed start tag <${name}> at ${lt}`);
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) throw new XmlParseError(`a second root element <${name}> at ${lt}`);
      else root = element;
      if (end[1] !== '/') stack.push(element);
      i = TAG_END.lastIndex;
    }
  }
  if (stack.length) throw new XmlParseError(`<${stack[stack.length - 1]!.name}> is never closed (truncated document?)`);
  if (!root) throw new XmlParseError('no root element');
  return root;
}

function endOf(text: string, terminator: string, from: number, what: string): number {
  const at = text.indexOf(terminator, from);
  if (at === -1) throw new XmlParseError(`unterminated ${what} at ${from}`);
  return at + terminator.length;
}

/** Skips <!DOCTYPE ...> and the like, including an internal subset in [...] and quoted strings. */
function skipDeclaration(text: string, from: number): number {
  let quote = '';
  let depth = 0;
  for (let i = from + 2; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '>' && depth <= 0) return i + 1;
  }
  throw new XmlParseError(`unterminated declaration at ${from}`);
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Replaces the predefined and numeric entities; anything else (or a stray &) is kept as written. */
export function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[A-Za-z][\w.-]*);/g, (whole, body: string) => {
    if (body[0] !== '#') return PREDEFINED[body] ?? whole;
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** Child elements, optionally only those with the given name. */
export function childElements(element: XmlElement, name?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const child of element.children) {
    if (typeof child !== 'string' && (name === undefined || child.name === name)) out.push(child);
  }
  return out;
}

export function firstChild(element: XmlElement, name: string): XmlElement | undefined {
  for (const child of element.children) {
    if (typeof child !== 'string' && child.name === name) return child;
  }
  return undefined;
}

/** The element's own text (its text children joined), trimmed. */
export function textOf(element: XmlElement): string {
  let out = '';
  for (const child of element.children) if (typeof child === 'string') out += child;
  return out.trim();
}

/** Trimmed text of the first child with the given name, or undefined when there is none. */
export function childText(element: XmlElement, name: string): string | undefined {
  const child = firstChild(element, name);
  return child ? textOf(child) : undefined;
}
