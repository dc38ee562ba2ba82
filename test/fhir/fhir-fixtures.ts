/**
 * Snapshots and service calls the FHIR portal tests share: a booked
 * appointment on 2026-06-19 09:00 CEST, an invitation message, and booking a
 * seeded slot through the domain service.
 */
import assert from 'node:assert/strict';
import type {
  AppointmentSnapshot,
  CommunicationSnapshot,
} from '../../src/channels/fhir-portal/fhir-portal-payload.ts';
import {
  BSN_SYSTEM,
  PERSONNUMMER_SYSTEM,
} from '../../src/channels/fhir-portal/patient-identifier.ts';
import type { ChangeOutcome } from '../../src/domain/refusals.ts';
import type { Booking, Timeslot } from '../../src/domain/types.ts';
import type { Services } from '../../src/services.ts';
import { bookingOfSlot, PATIENT } from '../support/test-calendar.ts';

export const TEST_PNR = { system: PERSONNUMMER_SYSTEM, value: '191212121212' };
/** A BSN that passes the elfproef. */
export const TEST_BSN = { system: BSN_SYSTEM, value: '123456782' };

/** A booked appointment on 2026-06-19 09:00–09:30 CEST, retried until an hour from now. */
export function anAppointmentSnapshot(
  overrides: Partial<AppointmentSnapshot> = {},
): AppointmentSnapshot {
  return {
    kind: 'appointment',
    bookingId: 'b1',
    status: 'booked',
    start: { ts: '20260619090000', utcMs: Date.UTC(2026, 5, 19, 7) },
    end: { ts: '20260619093000', utcMs: Date.UTC(2026, 5, 19, 7, 30) },
    facility: { hsaId: 'SE2321000016-1hz5', name: 'Vårdcentralen Norr' },
    timeType: { id: 'TT1', name: 'Läkarbesök' },
    patient: { identifiers: [TEST_PNR, TEST_BSN], name: 'Tolvan Tolvansson' },
    giveUpAtUtcMs: Date.now() + 3_600_000,
    ...overrides,
  };
}

/** An invitation message to a patient known by BSN. */
export function aCommunicationSnapshot(
  overrides: Partial<CommunicationSnapshot> = {},
): CommunicationSnapshot {
  return {
    kind: 'communication',
    bookingId: 'inv1',
    about: 'invitation',
    topic: 'Kallelse',
    text: 'Välkommen på hälsokontroll.',
    patient: { identifiers: [TEST_BSN] },
    giveUpAtUtcMs: Date.now() + 3_600_000,
    ...overrides,
  };
}

/** The value of a change the rules allowed; fails the test with the refusal otherwise. */
export function allowed<T>(outcome: ChangeOutcome<T>): T {
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.text);
  return outcome.value;
}

/** Books a seeded slot for the test patient over "SOAP" (the domain service, origin `soap`). */
export async function bookSlot(
  services: Services,
  slot: Timeslot,
  extra: { readonly reason?: string } = {},
): Promise<Booking> {
  return allowed(await services.service.makeBooking(bookingOfSlot(slot, 'soap', extra)));
}

/** Moves a booking to a seeded slot (origin `soap`). */
export async function moveTo(services: Services, booking: Booking, slot: Timeslot): Promise<void> {
  allowed(
    await services.service.rebook({
      bookingId: booking.id,
      facility: slot.facility,
      startTs: slot.start.ts,
      endTs: slot.end.ts,
      subjectOfCare: PATIENT,
      origin: 'soap',
    }),
  );
}
