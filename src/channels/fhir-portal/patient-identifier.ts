/**
 * Which national identifier a FHIR portal gets for a patient. The portal
 * matches the appointment or message to its user by this identifier, and
 * each portal accepts only some systems (Spreekuur.nl: the Dutch BSN), so the
 * choice is made at delivery against `SPREEKUUR_PATIENT_IDENTIFIER_SYSTEMS`.
 *
 * @module
 */
import { BSN_SYSTEM } from '../../domain/patient-identifier.ts';
import { maskSubjectOfCare } from '../../domain/personnummer.ts';
import type { PatientIdentifier } from '../../domain/types.ts';

export { BSN_SYSTEM, isBsn } from '../../domain/patient-identifier.ts';

/** Swedish personnummer (Skatteverket), as FHIR `Identifier.system`. */
export const PERSONNUMMER_SYSTEM = 'urn:oid:1.2.752.129.2.1.3.1';
/** Swedish samordningsnummer (coordination number). */
export const SAMORDNINGSNUMMER_SYSTEM = 'urn:oid:1.2.752.129.2.1.3.3';

/** The systems a portal accepts when `SPREEKUUR_PATIENT_IDENTIFIER_SYSTEMS` is unset. */
export const DEFAULT_ACCEPTED_SYSTEMS: readonly string[] = [
  PERSONNUMMER_SYSTEM,
  SAMORDNINGSNUMMER_SYSTEM,
  BSN_SYSTEM,
];

export type { PatientIdentifier } from '../../domain/types.ts';

/**
 * The FHIR identifier of a `subject_of_care` id: a personnummer, or a
 * samordningsnummer when 60 is added to the day of birth. A reserve number
 * (a letter in the ninth place) is local to one care provider and has no
 * national system, so it gives none.
 */
export function swedishIdentifierOf(subjectOfCare: string): PatientIdentifier | undefined {
  if (!/^[0-9]{12}$/.test(subjectOfCare)) return undefined;
  const day = Number(subjectOfCare.slice(6, 8));
  return {
    system: day > 60 ? SAMORDNINGSNUMMER_SYSTEM : PERSONNUMMER_SYSTEM,
    value: subjectOfCare,
  };
}

/**
 * The identifier to send: the first of the patient's identifiers whose system
 * the portal accepts, in the order of `accepted` (so configuration decides
 * which wins when a patient has several), or undefined when none fits.
 */
export function chooseIdentifier(
  identifiers: readonly PatientIdentifier[],
  accepted: readonly string[],
): PatientIdentifier | undefined {
  for (const system of accepted) {
    const match = identifiers.find((id) => id.system === system);
    if (match) return match;
  }
  return undefined;
}

/**
 * An identifier as an operator may see it: a Swedish one as the birth date
 * (like every masked personnummer), any other one not at all.
 */
export function maskIdentifier(identifier: PatientIdentifier): string {
  const swedish =
    identifier.system === PERSONNUMMER_SYSTEM || identifier.system === SAMORDNINGSNUMMER_SYSTEM;
  return swedish ? maskSubjectOfCare(identifier.value) : '****';
}

/** Replaces every occurrence of the identifiers' values in `text` by their masked form. */
export function maskIdentifiersInText(
  text: string,
  identifiers: readonly PatientIdentifier[],
): string {
  let out = text;
  for (const id of identifiers)
    if (id.value.length > 0) out = out.split(id.value).join(maskIdentifier(id));
  return out;
}
