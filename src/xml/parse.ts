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

/** The document is not well-formed or breaks one of our limits; the message is safe to show. */
export class XmlParseError extends Error {
  override readonly name = 'XmlParseError';
}

/** Parses a complete document and returns its root element. */
export function parseXml(source: string, limits: ParseLimits = defaultParseLimits): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let count = 0;
  let failure: XmlParseError | undefined;

  const fail = (message: string) => {
    failure ??= new XmlParseError(message);
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
    const attributes = new Map<string, string>();
    for (const attr of Object.values(tag.attributes)) {
      if (typeof attr === 'string') continue;
      if (attr.prefix === 'xmlns' || attr.name === 'xmlns') continue;
      attributes.set(attr.uri ? `{${attr.uri}}${attr.local}` : attr.local, attr.value);
    }
    const element: XmlElement = {
      ns: tag.uri ?? '',
      local: tag.local ?? tag.name,
      attributes,
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
    // saxes throws after the error handler when it cannot go on.
    fail(`malformed XML: ${(err as Error).message}`);
  }
  if (failure) throw failure;
  if (!root) throw new XmlParseError('the document has no root element');
  return root;
}

/** `{ns}local`, the notation we use in messages and maps. */
export function qname(element: { ns: string; local: string }): string {
  return `{${element.ns}}${element.local}`;
}
