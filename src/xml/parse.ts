/**
 * Namespace-aware XML parsing into a small element tree, hardened for input
 * from the network: no DOCTYPE (so no entity declarations, no billion laughs,
 * no external entities), a depth limit and an element-count limit. Prefixes
 * are resolved by saxes, so nothing downstream depends on them.
 */
import { SaxesParser } from 'saxes';

export interface XmlElement {
  readonly ns: string;
  readonly local: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
}

export interface ParseLimits {
  readonly maxDepth: number;
  readonly maxElements: number;
}

export const defaultParseLimits: ParseLimits = { maxDepth: 64, maxElements: 100_000 };

/**
 * Longest element name (prefix included) a document may use. Real names are
 * a few dozen characters; without a limit a 1 MB name costs a full parse and
 * comes back in every message that names the element (issue 19 item 10).
 */
export const MAX_NAME_CHARS = 256;

/** A start or end tag whose name runs past the limit (comments, CDATA and declarations start with `!` or `?`). */
const LONG_NAME = new RegExp(`</?[^\\s>/!?][^\\s>/]{${MAX_NAME_CHARS},}`);

/** Shared by every element without attributes, most of a SOAP request's: read-only, so never written. */
const NO_ATTRIBUTES: ReadonlyMap<string, string> = new Map();

/** The document is not well-formed or breaks one of our limits; the message is safe to show. */
export class XmlParseError extends Error {
  override readonly name = 'XmlParseError';
}

/**
 * Parses a complete document and returns its root element. Stops at the first
 * error or broken limit: the rest of a hostile document is never read.
 */
export function parseXml(source: string, limits: ParseLimits = defaultParseLimits): XmlElement {
  // One linear scan, before saxes builds the name character by character.
  if (LONG_NAME.test(source))
    throw new XmlParseError(`an element name is longer than ${MAX_NAME_CHARS} characters`);
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let count = 0;
  let failure: XmlParseError | undefined;

  // Thrown out of saxes' event handlers, so that parsing ends here.
  const fail = (message: string): never => {
    failure ??= new XmlParseError(message);
    throw failure;
  };

  parser.on('doctype', () => fail('DOCTYPE declarations are not accepted'));
  parser.on('error', (err) => {
    // saxes prefixes messages with line:column, which helps a person fix the request.
    fail(`malformed XML: ${err.message}`);
  });
  parser.on('opentag', (tag) => {
    if (failure) return;
    count += 1;
    if (count > limits.maxElements) return fail(`more than ${limits.maxElements} elements`);
    if (stack.length >= limits.maxDepth)
      return fail(`elements nested deeper than ${limits.maxDepth}`);
    let attributes: Map<string, string> | undefined;
    for (const name in tag.attributes) {
      const attr = tag.attributes[name]!;
      if (typeof attr === 'string') continue;
      if (attr.prefix === 'xmlns' || attr.name === 'xmlns') continue;
      (attributes ??= new Map()).set(
        attr.uri ? `{${attr.uri}}${attr.local}` : attr.local,
        attr.value,
      );
    }
    const element: XmlElement = {
      ns: tag.uri ?? '',
      local: tag.local ?? tag.name,
      attributes: attributes ?? NO_ATTRIBUTES,
      children: [],
      text: '',
    };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('text', (text) => {
    const top = stack[stack.length - 1];
    if (top) top.text += text;
  });
  parser.on('cdata', (text) => {
    const top = stack[stack.length - 1];
    if (top) top.text += text;
  });

  try {
    parser.write(source);
    parser.close();
  } catch (err) {
    // Our own stop, or saxes giving up after its error handler.
    failure ??= new XmlParseError(`malformed XML: ${(err as Error).message}`);
  }
  if (failure) throw failure;
  if (!root) throw new XmlParseError('the document has no root element');
  return root;
}

/** Longest piece of a request a message (a fault, and so its log line) quotes back. */
export const MAX_QUOTED_CHARS = 120;

/** `text`, cut to {@link MAX_QUOTED_CHARS} with an ellipsis: a message never echoes more. */
export const excerpt = (text: string): string =>
  text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;

/** `{ns}local`, the notation we use in messages and maps. */
export function qname(element: { ns: string; local: string }): string {
  return `{${element.ns}}${element.local}`;
}
