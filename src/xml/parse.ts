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

/** What one parse has built so far; the reused parser's handlers write here. */
interface ParseState {
  limits: ParseLimits;
  stack: XmlElement[];
  root: XmlElement | undefined;
  count: number;
  failure: XmlParseError | undefined;
}

/**
 * A saxes parser with our handlers, for one parse at a time (parsing is
 * synchronous): building one and its handlers cost about a tenth of parsing
 * a small request. saxes resets itself at the end of a document; a parser
 * that stopped on an error is dropped instead, so no half-read document's
 * state reaches the next one.
 */
let idle: { parser: SaxesParser; state: ParseState } | undefined;

function newParser(): { parser: SaxesParser; state: ParseState } {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const state: ParseState = {
    limits: defaultParseLimits,
    stack: [],
    root: undefined,
    count: 0,
    failure: undefined,
  };

  // Thrown out of saxes' event handlers, so that parsing ends here.
  function fail(message: string): never {
    state.failure ??= new XmlParseError(message);
    throw state.failure;
  }

  parser.on('doctype', () => fail('DOCTYPE declarations are not accepted'));
  parser.on('error', (err) => {
    // saxes prefixes messages with line:column, which helps a person fix the request.
    fail(`malformed XML: ${err.message}`);
  });
  parser.on('opentag', (tag) => {
    if (state.failure) return;
    const { limits, stack } = state;
    state.count += 1;
    if (state.count > limits.maxElements) return fail(`more than ${limits.maxElements} elements`);
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
    else state.root = element;
    stack.push(element);
  });
  parser.on('closetag', () => {
    state.stack.pop();
  });
  parser.on('text', (text) => {
    const top = state.stack[state.stack.length - 1];
    if (top) top.text += text;
  });
  parser.on('cdata', (text) => {
    const top = state.stack[state.stack.length - 1];
    if (top) top.text += text;
  });
  return { parser, state };
}

/**
 * Parses a complete document and returns its root element. Stops at the first
 * error or broken limit: the rest of a hostile document is never read.
 */
export function parseXml(source: string, limits: ParseLimits = defaultParseLimits): XmlElement {
  // One linear scan, before saxes builds the name character by character.
  if (LONG_NAME.test(source))
    throw new XmlParseError(`an element name is longer than ${MAX_NAME_CHARS} characters`);
  const reused = idle ?? newParser();
  idle = undefined;
  const { parser, state } = reused;
  state.limits = limits;
  state.stack = [];
  state.root = undefined;
  state.count = 0;
  state.failure = undefined;

  try {
    parser.write(source);
    parser.close();
  } catch (err) {
    // Our own stop, or saxes giving up after its error handler.
    state.failure ??= new XmlParseError(`malformed XML: ${(err as Error).message}`);
  }
  if (state.failure) throw state.failure;
  const { root } = state;
  // Ready for the next document, and holding nothing of this one.
  state.root = undefined;
  state.stack = [];
  idle = reused;
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
