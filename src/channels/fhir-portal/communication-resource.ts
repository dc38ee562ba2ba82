/**
 * Renders the FHIR R4 `Communication` (Spreekuur.nl category `melding`) that
 * `POST {base}/Communication` carries: a one-way message to one patient.
 *
 * @module
 */
import type { CommunicationSnapshot } from './fhir-portal-payload.ts';
import type { FhirCommunication } from './fhir-types.ts';
import type { PatientIdentifier } from './patient-identifier.ts';

/** Spreekuur.nl's category of one-way messages (was `notification` until spring 2026). */
export const MELDING_CATEGORY = { system: 'nl.spreekuur.communication-category', code: 'melding' };

/** Longest `payload.contentString` Spreekuur.nl takes. */
export const MAX_CONTENT_CHARS = 10_000;
/** Longest `topic.text` Spreekuur.nl takes. */
export const MAX_TOPIC_CHARS = 500;

/** Cuts text to `max` characters (code points), marking the cut with an ellipsis. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** The Communication for a snapshot and the identifier chosen for the portal. */
export function communicationResource(
  snapshot: CommunicationSnapshot,
  identifier: PatientIdentifier,
): FhirCommunication {
  return {
    resourceType: 'Communication',
    status: 'completed',
    contained: [
      {
        resourceType: 'Patient',
        id: 'p1',
        identifier: [{ system: identifier.system, value: identifier.value }],
      },
    ],
    category: [{ coding: [MELDING_CATEGORY] }],
    topic: { text: clip(snapshot.topic, MAX_TOPIC_CHARS) },
    recipient: [{ reference: '#p1' }],
    payload: [{ contentString: clip(snapshot.text, MAX_CONTENT_CHARS) }],
  };
}
