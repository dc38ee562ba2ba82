/** Escaping for XML character data and attribute values (UTF-8 output). */

const TEXT_SPECIALS = /[&<>\r]/g;
const ATTR_SPECIALS = /[&<>"\r\n\t]/g;
/**
 * The reference each special character is written as. `\r` (and in attributes
 * `\n` and `\t`) is escaped because a parser would otherwise normalise it away.
 */
const REFERENCES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\r': '&#13;',
  '\n': '&#10;',
  '\t': '&#9;',
};
const reference = (c: string) => REFERENCES[c] ?? c;
// Characters XML 1.0 cannot carry at all, even escaped.
// eslint-disable-next-line no-control-regex
const NOT_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
// Nearly every value needs nothing done: one test finds out without the
// allocating replace (the encoder escapes every text it writes).
// eslint-disable-next-line no-control-regex
const TEXT_NEEDS_WORK = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

export function escapeText(value: string): string {
  if (!TEXT_NEEDS_WORK.test(value)) return value;
  return value.replace(NOT_XML_CHARS, '').replace(TEXT_SPECIALS, reference);
}

export function escapeAttribute(value: string): string {
  return value.replace(NOT_XML_CHARS, '').replace(ATTR_SPECIALS, reference);
}
