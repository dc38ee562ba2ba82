/**
 * The outbox payload of the `fhir-portal` channel: a self-contained snapshot
 * of one booking event, written in the change's own transaction. Delivery and
 * every retry render the FHIR resource from it alone, so they never read the
 * (possibly changed) calendar again and always send the same bytes.
 *
 * @module
 */
import type { LocalTime } from '../../domain/types.ts';
import type { PatientIdentifier } from './patient-identifier.ts';

/** Outbox channel name of the FHIR patient portal. */
export const FHIR_PORTAL_CHANNEL = 'fhir-portal';

/** A time type or care type: our id and the name patients see. */
export interface NamedCode {
  readonly id: string;
  readonly name: string;
}

/** The patient as the portal needs them: every national identifier we know, and the name. */
export interface PatientSnapshot {
  /** The personnummer/samordningsnummer and any other identifiers staff recorded. */
  readonly identifiers: readonly PatientIdentifier[];
  /** Full name for `actor.display`, when known. */
  readonly name?: string;
}

/** What `PUT /Appointment/{id}` is rendered from. */
export interface AppointmentSnapshot {
  readonly kind: 'appointment';
  readonly bookingId: string;
  readonly status: 'booked' | 'cancelled';
  /** For a cancellation, the last start and end the booking had. */
  readonly start: LocalTime;
  readonly end: LocalTime;
  readonly facility: { readonly hsaId: string; readonly name: string };
  readonly timeType: NamedCode;
  readonly careType?: NamedCode;
  readonly performer?: { readonly hsaId: string; readonly name: string };
  readonly patient: PatientSnapshot;
  /** The time type's booking information for the patient (never the reason for the visit). */
  readonly comment?: string;
  /** Passing failures are retried until this instant (the appointment's start), then dead-lettered. */
  readonly giveUpAtUtcMs: number;
}

/** What `POST /Communication` (a `melding`) is rendered from. */
export interface CommunicationSnapshot {
  readonly kind: 'communication';
  readonly bookingId: string;
  /** Why the message is sent: an invitation, or staff's message with a cancellation. */
  readonly about: 'invitation' | 'cancellation';
  /** `topic.text`: says what the message is about, never why the patient comes. */
  readonly topic: string;
  /** `payload.contentString`, 1 to 10,000 characters. */
  readonly text: string;
  readonly patient: PatientSnapshot;
  /** Passing failures are retried until this instant, then dead-lettered. */
  readonly giveUpAtUtcMs: number;
}

export type FhirPortalPayload = AppointmentSnapshot | CommunicationSnapshot;
