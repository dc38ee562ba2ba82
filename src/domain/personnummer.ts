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
 * Masks every person id inside free text, in each form it is written:
 * 12 digits (`yyyyMMddnnnn`) or 10 (`yyMMddnnnn`), with `-`, `+` or nothing
 * before the last four, samordningsnummer (day + 60) and reserve numbers (a
 * letter in the ninth place) included. Also when glued to letters
 * (`SE191212121212`, `id191212121212x`): only a digit on either side makes it
 * part of a longer number.
 *
 * A 10-digit number is masked only when its first six digits are a date
 * (month 01–12, day 01–31 or 61–91), so organisation numbers (month 20 and
 * up: the EI's `5565594230`) and the ones inside HSA-ids
 * (`SE2321000016-…`) stay readable. The birth date stays, the rest is masked.
 */
export function maskPersonIdsInText(text: string): string {
  // Every form begins with six digits in a row; most log strings (operation
  // names, UUIDs, messages) have none, and need neither replace pass.
  if (!SIX_DIGITS.test(text)) return text;
  return text
    .replace(TWELVE, '$1-****')
    .replace(TEN, (id: string, date: string) => (isBirthDate(date) ? `${date}-****` : id));
}

const SIX_DIGITS = /[0-9]{6}/;
const TWELVE = /(?<![0-9])([0-9]{8})[-+]?[0-9pPtTfF][0-9]{3}(?![0-9])/g;
const TEN = /(?<![0-9])([0-9]{6})[-+]?[0-9pPtTfF][0-9]{3}(?![0-9])/g;

function isBirthDate(yymmdd: string): boolean {
  const month = +yymmdd.slice(2, 4);
  const day = +yymmdd.slice(4, 6);
  return month >= 1 && month <= 12 && ((day >= 1 && day <= 31) || (day >= 61 && day <= 91));
}
