/**
 * An invitation's text (`purpose`): plain text, or a DocBook article using
 * only the elements 1177 renders (TKB §2.1). Two forms are accepted: the MVK
 * connection guide's own example, `<?xml version="1.0"?><article>…` with no
 * namespace, and DocBook 5 (`http://docbook.org/ns/docbook`). Both are sent
 * on in the guide's form: it is the form MVK documents for its renderer, so
 * it is the one form sure to be shown; one form also means one way to compare
 * and test what was sent.
 *
 * @module
 */
import { escapeText } from '../xml/escape.ts';
import { XmlParseError, parseXml, type XmlElement } from '../xml/parse.ts';

export const DOCBOOK_NS = 'http://docbook.org/ns/docbook';

/** The DocBook subset 1177 renders in `purpose` (rivta-spec §2.1). */
const DOCBOOK_ELEMENTS = new Set([
  'article',
  'info',
  'title',
  'para',
  'section',
  'bibliography',
  'bibliomixed',
]);

/** The declaration the guide's example starts with. */
const GUIDE_PROLOGUE = '<?xml version="1.0"?>';

const isDocBook = (purpose: string) => purpose.trimStart().startsWith('<');

/** The article, or why it is unusable. */
function readArticle(purpose: string): XmlElement | string {
  let root: XmlElement;
  try {
    root = parseXml(purpose);
  } catch (err) {
    if (err instanceof XmlParseError) return `looks like DocBook but is not well-formed XML`;
    throw err;
  }
  if ((root.ns !== DOCBOOK_NS && root.ns !== '') || root.local !== 'article')
    return `DocBook text must be an <article>, without a namespace or in ${DOCBOOK_NS}`;
  const stack = [root];
  while (stack.length > 0) {
    const element = stack.pop()!;
    if (element.ns !== root.ns || !DOCBOOK_ELEMENTS.has(element.local))
      return `DocBook element <${element.local}> is not one 1177 shows; use ${[...DOCBOOK_ELEMENTS].join(', ')}`;
    if (element.children.length > 0 && element.text.trim() !== '')
      return `DocBook element <${element.local}> mixes text and elements; put the text in a <para>`;
    stack.push(...element.children);
  }
  return root;
}

/**
 * Why an invitation text is unusable, or undefined. Plain text passes; text
 * that starts with `<` must be a DocBook article of the subset, in either form.
 */
export function checkPurpose(purpose: string): string | undefined {
  if (!isDocBook(purpose)) return undefined;
  const article = readArticle(purpose);
  return typeof article === 'string' ? article : undefined;
}

function write(element: XmlElement): string {
  const content =
    element.children.length > 0 ? element.children.map(write).join('') : escapeText(element.text);
  return `<${element.local}>${content}</${element.local}>`;
}

/**
 * The text as it is stored and sent: plain text unchanged, a DocBook article
 * in the guide's form (no namespace, no attributes, no whitespace between
 * elements). A text {@link checkPurpose} refuses is returned unchanged.
 */
export function purposeAsSent(purpose: string): string {
  if (!isDocBook(purpose)) return purpose;
  const article = readArticle(purpose);
  return typeof article === 'string' ? purpose : GUIDE_PROLOGUE + write(article);
}
