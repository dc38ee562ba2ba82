/**
 * Invitation texts may be DocBook 5 (rivta-spec §2.1), but a portal message
 * is plain text: this turns one into the other.
 *
 * @module
 */

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

/**
 * The text of an invitation as a patient reads it: plain text as it is;
 * DocBook with each title, paragraph and entry on its own line and the markup
 * gone.
 */
export function plainTextOf(purpose: string): string {
  if (!purpose.trimStart().startsWith('<')) return purpose.trim();
  const lines = purpose
    .replace(/<\/(title|para|bibliomixed)\s*>/g, '\n')
    .replace(/<[^>]*>/g, '')
    .split('\n')
    .map((line) => decodeEntities(line.replace(/\s+/g, ' ').trim()))
    .filter((line) => line !== '');
  return lines.join('\n');
}
