/**
 * The 12-character Swedish person id the contracts call `subject_of_care`.
 *
 * The national XSD's pattern is anchored with `^…$`, which XML Schema reads as
 * literal characters, so it rejects every real id (rivta-spec §2.3 item 1).
 * We never enforce that facet; this module is the check instead.
 */
import { isRealDate } from './local-time.ts';

const SHAPE = /^[0-9]{8}[0-9pPtTfF][0-9]{3}$/;

/** Why a value is not a usable person id, or undefined. Never quotes the value. */
export function checkSubjectOfCareId(value: string): string | undefined {
  if (!SHAPE.test(value))
    return 'must be 12 characters: yyyyMMdd and four more digits (a letter in the ninth place for a reserve number)';
  const year = +value.slice(0, 4);
  const month = +value.slice(4, 6);
  let day = +value.slice(6, 8);
  // A samordningsnummer (coordination number) adds 60 to the day of birth.
  if (day > 60) day -= 60;
  if (!isRealDate(year, month, day)) return 'does not begin with a real date of birth';
  return undefined;
}

/**
 * A personnummer as an operator may see it in a log: the birth date only.
 * Anything that does not look like an id is masked whole.
 */
export function maskSubjectOfCare(value: string): string {
  return SHAPE.test(value) ? `${value.slice(0, 8)}-****` : '****';
}

/**
 * Masks every 12-character person id (with or without hyphen) inside free
 * text, also when glued to letters (`SE191212121212`, `id191212121212x`):
 * only a digit on either side makes it part of a longer number.
 */
export function maskPersonIdsInText(text: string): string {
  return text.replace(/(?<![0-9])([0-9]{8})-?[0-9pPtTfF][0-9]{3}(?![0-9])/g, '$1-****');
}
