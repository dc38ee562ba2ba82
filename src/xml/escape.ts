/** Escaping for XML character data and attribute values (UTF-8 output). */

const TEXT_SPECIALS = /[&<>\r]/;
const ATTR_SPECIALS = /[&<>"\r\n\t]/;
// Characters XML 1.0 cannot carry at all, even escaped.
// eslint-disable-next-line no-control-regex
const NOT_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
// Nearly every value needs nothing done: one test finds out without the
// allocating replace (the encoder escapes every text it writes).
// eslint-disable-next-line no-control-regex
const TEXT_NEEDS_WORK = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

export function escapeText(value: string): string {
  if (!TEXT_NEEDS_WORK.test(value)) return value;
  const clean = value.replace(NOT_XML_CHARS, '');
  if (!TEXT_SPECIALS.test(clean)) return clean;
  return clean
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

export function escapeAttribute(value: string): string {
  const clean = value.replace(NOT_XML_CHARS, '');
  if (!ATTR_SPECIALS.test(clean)) return clean;
  return clean
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}
