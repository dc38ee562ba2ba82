/**
 * What makes a patient's other national identifier (a Dutch BSN, say)
 * recordable, whoever records it: staff on the admin API or CLI, or a
 * calendar import. Like the personnummer checks, each check says what is
 * wrong without quoting the value, so neither the identifier nor the
 * personnummer beside it ever comes back in an error.
 *
 * @module
 */
import type { PatientIdentifier } from './types.ts';

/** Dutch burgerservicenummer, the identifier Spreekuur.nl matches its users by. */
export const BSN_SYSTEM = 'http://fhir.nl/fhir/NamingSystem/bsn';

/** The elfproef: what makes nine digits a BSN. */
export function isBsn(value: string): boolean {
  if (!/^[0-9]{9}$/.test(value)) return false;
  const digits = [...value].map(Number);
  const sum = digits.slice(0, 8).reduce((acc, d, i) => acc + d * (9 - i), 0) - digits[8]!;
  return sum % 11 === 0;
}

/** A FHIR `Identifier.system` we accept: an OID as `urn:oid:…`, or an http(s) URI. */
export function checkIdentifierSystem(system: string): string | undefined {
  return /^(urn:oid:[0-2](\.\d+)+|https?:\/\/\S+)$/.test(system)
    ? undefined
    : 'must be an identifier system: urn:oid:… or an http(s) URI';
}

/** The value of an identifier in its system; a BSN must pass the elfproef. */
export function checkIdentifierValue(identifier: PatientIdentifier): string | undefined {
  if (!/^[A-Za-z0-9.-]{1,64}$/.test(identifier.value))
    return 'must be 1 to 64 letters, digits, dots or hyphens';
  if (identifier.system === BSN_SYSTEM && !isBsn(identifier.value))
    return 'a BSN must be nine digits that pass the elfproef';
  return undefined;
}
