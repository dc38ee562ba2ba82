/**
 * The HTML `responsive_part` of a Kivra letter: the PDF's text for phones.
 * Kivra's rules (channels.md §1): no scripts, every asset inline, no tracking
 * links; so the page is plain markup with one inline style sheet and no URL
 * at all.
 *
 * @module
 */
import { escapeText } from '../../xml/escape.ts';
import type { LetterText } from './kivra-letter.ts';

const STYLE =
  'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1rem;line-height:1.5;color:#1a1a1a}' +
  'h1{font-size:1.4rem;margin:0 0 1rem}.sender{color:#555;font-size:.9rem}' +
  'dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:1rem 0}dt{font-weight:bold}dd{margin:0}';

/** Renders the letter text as a complete, self-contained HTML document. */
export function renderKallelseHtml(text: LetterText, sender: string): string {
  const body: string[] = [];
  let facts: string[] = [];
  const flushFacts = () => {
    if (facts.length > 0) body.push(`<dl>${facts.join('')}</dl>`);
    facts = [];
  };
  for (const block of text.blocks) {
    if (block.kind === 'fact') {
      facts.push(`<dt>${escapeText(block.label)}</dt><dd>${escapeText(block.value)}</dd>`);
    } else {
      flushFacts();
      body.push(`<p>${escapeText(block.text)}</p>`);
    }
  }
  flushFacts();
  return (
    '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>${escapeText(text.heading)}</title><style>${STYLE}</style></head>` +
    `<body><p class="sender">${escapeText(sender)}</p><h1>${escapeText(text.heading)}</h1>${body.join('')}</body></html>`
  );
}
