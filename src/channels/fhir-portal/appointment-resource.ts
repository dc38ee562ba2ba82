/**
 * Renders the FHIR R4 `Appointment` that `PUT {base}/Appointment/{bookingId}`
 * carries: the booking's latest state, so a repeat or a retry is harmless.
 *
 * @module
 */
import { DateTime } from 'luxon';
import { ZONE } from '../../domain/local-time.ts';
import type { AppointmentSnapshot, NamedCode } from './fhir-portal-payload.ts';
import type { FhirAppointment, FhirCodeableConcept } from './fhir-types.ts';
import type { PatientIdentifier } from './patient-identifier.ts';

/** HSA-id, the Swedish national identifier of units and staff. */
export const HSA_ID_SYSTEM = 'urn:oid:1.2.752.129.2.1.4.1';

/** A FHIR logical id: what `Appointment.id` (and so our booking id) must look like. */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** A FHIR instant in Europe/Stockholm with its offset (`2026-06-19T09:00:00+02:00`). */
export function fhirInstant(utcMs: number): string {
  return DateTime.fromMillis(utcMs, { zone: ZONE }).toISO({ suppressMilliseconds: true })!;
}

/**
 * Our code system of a facility's time types or care types. The ids are the
 * facility's own, so the facility is part of the system.
 */
export function codeSystem(facilityHsaId: string, kind: 'time-type' | 'care-type'): string {
  return `urn:tidbok:${facilityHsaId}:${kind}`;
}

function concept(system: string, code: NamedCode): FhirCodeableConcept {
  return { coding: [{ system, code: code.id, display: code.name }] };
}

/**
 * The patient's logical reference. We have no patient id of our own except
 * the personnummer, which must stay out of URLs and references; the portal
 * matches the patient by `actor.identifier`, so a booking-scoped pseudonym
 * satisfies the required `actor.reference`.
 */
export function patientReference(bookingId: string): string {
  return `Patient/${bookingId}-patient`;
}

/**
 * The Appointment for a snapshot and the identifier chosen for the portal.
 * `serviceCategory` comes from the care type; a booking without one uses its
 * time type there too, because Spreekuur.nl requires the element.
 */
export function appointmentResource(
  snapshot: AppointmentSnapshot,
  identifier: PatientIdentifier,
): FhirAppointment {
  const timeType = concept(codeSystem(snapshot.facility.hsaId, 'time-type'), snapshot.timeType);
  const category = snapshot.careType
    ? concept(codeSystem(snapshot.facility.hsaId, 'care-type'), snapshot.careType)
    : timeType;
  return {
    resourceType: 'Appointment',
    id: snapshot.bookingId,
    status: snapshot.status,
    serviceCategory: [category],
    appointmentType: timeType,
    start: fhirInstant(snapshot.start.utcMs),
    end: fhirInstant(snapshot.end.utcMs),
    ...(snapshot.comment ? { comment: snapshot.comment } : {}),
    participant: [
      {
        actor: {
          reference: patientReference(snapshot.bookingId),
          identifier: { system: identifier.system, value: identifier.value },
          ...(snapshot.patient.name ? { display: snapshot.patient.name } : {}),
        },
        status: 'accepted',
      },
      ...(snapshot.performer
        ? [
            {
              actor: {
                reference: `Practitioner/${snapshot.performer.hsaId}`,
                identifier: { system: HSA_ID_SYSTEM, value: snapshot.performer.hsaId },
                display: snapshot.performer.name,
              },
              status: 'accepted' as const,
            },
          ]
        : []),
      {
        actor: {
          reference: `Location/${snapshot.facility.hsaId}`,
          identifier: { system: HSA_ID_SYSTEM, value: snapshot.facility.hsaId },
          display: snapshot.facility.name,
        },
        status: 'accepted',
      },
    ],
  };
}
