/** Turns a domain outcome into resultCode/resultText (TKB-F §5.5: OK, INFO with text to show, ERROR). */
import type { ChangeOutcome } from '../domain/refusals.ts';
import { SoapFault } from '../soap/fault.ts';

export function resultOf<T>(outcome: ChangeOutcome<T>) {
  if (!outcome.ok) return { resultCode: 'ERROR', resultText: outcome.text } as const;
  if (outcome.info) return { resultCode: 'INFO', resultText: outcome.info } as const;
  return { resultCode: 'OK' } as const;
}

export const isAgent = (actor: { actorType: string } | undefined) =>
  actor?.actorType === 'subject_of_care_agent';

/**
 * The patient an Actor header says is acting, when the actor is the patient
 * (`subject_of_care`; TKB-G §5.8). A patient may act only on their own
 * bookings; an agent or an absent Actor puts no such limit.
 */
export function actingPatient(
  actor: { actorId: string; actorType: string } | undefined,
): string | undefined {
  return actor?.actorType === 'subject_of_care' ? actor.actorId : undefined;
}

/** Faults when a patient Actor asks about someone else (defence in depth behind the platform). */
export function requireSamePatient(
  actor: { actorId: string; actorType: string } | undefined,
  subjectOfCare: string,
): void {
  const patient = actingPatient(actor);
  if (patient !== undefined && patient !== subjectOfCare)
    throw new SoapFault(
      'Client',
      'the Actor (actorType subject_of_care) is not the subject_of_care of the request',
    );
}
