/**
 * The three changing SOAP calls as MVK makes them, for tests that care about
 * what a change causes rather than about the call itself. Each asserts that
 * the producer answered OK.
 */
import assert from 'node:assert/strict';
import { CancelBooking, MakeBooking, UpdateBooking } from '../../src/contracts/scheduling.ts';
import type { Encodable } from '../../src/contracts/model.ts';
import type { Timeslot } from '../../src/domain/types.ts';
import { callSoap } from './soap-client.ts';
import { PATIENT, PATIENT_INFO } from './test-calendar.ts';

const asPatient = (facility: string, subjectOfCare: string) => ({
  logicalAddress: facility,
  actor: { actorId: subjectOfCare, actorType: 'subject_of_care' },
});

/**
 * MakeBooking of a free slot for `subjectOfCare`, with no Actor header, and
 * the answer as it comes (a refusal or a fault included): for tests where
 * many callers race for one slot.
 */
export function callMakeBooking(url: string, slot: Timeslot, subjectOfCare: string) {
  // Without the performer and time type, as these racing tests have always asked.
  const body = makeBookingRequest(slot, subjectOfCare, {
    performer: undefined,
    timeTypeID: undefined,
  });
  return callSoap(url, MakeBooking, body, { logicalAddress: slot.facility });
}

type MakeBookingRequest = Encodable<(typeof MakeBooking)['request']>;
export type TimeslotFields = MakeBookingRequest['requestedTimeslot'];

/** MakeBooking for a free slot exactly as GetAvailableTimeslots offered it. */
export function makeBookingRequest(
  slot: Timeslot,
  subject: string,
  overrides: Partial<TimeslotFields> = {},
): MakeBookingRequest {
  return {
    healthcare_facility_med: slot.facility,
    requestedTimeslot: {
      startTimeInclusive: slot.start.ts,
      endTimeExclusive: slot.end.ts,
      healthcare_facility: slot.facility,
      performer: slot.performer,
      bookingId: slot.id,
      subject_of_care: subject,
      timeTypeID: slot.timeTypeId,
      ...overrides,
    },
    subject_of_care_info: PATIENT_INFO,
  };
}

/**
 * MakeBooking on a slot. `bookingId` defaults to the slot's id (a free
 * slot); pass an open invitation's id to book that invitation.
 */
export async function soapMakeBooking(
  url: string,
  slot: Timeslot,
  options: { bookingId?: string; subjectOfCare?: string } = {},
): Promise<string> {
  const subjectOfCare = options.subjectOfCare ?? PATIENT;
  const made = await callSoap(
    url,
    MakeBooking,
    makeBookingRequest(slot, subjectOfCare, {
      performer: undefined,
      ...(options.bookingId !== undefined ? { bookingId: options.bookingId } : {}),
    }),
    asPatient(slot.facility, subjectOfCare),
  );
  assert.equal(made.fault, undefined, made.fault?.message);
  assert.equal(made.response!.resultCode, 'OK', made.response!.resultText);
  return made.response!.bookingId!;
}

/** UpdateBooking: moves a booking (or timed invitation) to `slot`, at the slot's facility. */
export async function soapUpdateBooking(
  url: string,
  bookingId: string,
  slot: Timeslot,
  subjectOfCare = PATIENT,
): Promise<void> {
  const moved = await callSoap(
    url,
    UpdateBooking,
    {
      requestedTimeslot: {
        startTimeInclusive: slot.start.ts,
        endTimeExclusive: slot.end.ts,
        healthcare_facility: slot.facility,
        bookingId,
        subject_of_care: subjectOfCare,
        timeTypeID: slot.timeTypeId,
      },
    },
    asPatient(slot.facility, subjectOfCare),
  );
  assert.equal(moved.fault, undefined, moved.fault?.message);
  assert.equal(moved.response!.resultCode, 'OK', moved.response!.resultText);
}

/** CancelBooking at the booking's facility. */
export async function soapCancelBooking(
  url: string,
  facility: string,
  bookingId: string,
  subjectOfCare = PATIENT,
): Promise<void> {
  const cancelled = await callSoap(
    url,
    CancelBooking,
    { healthcare_facility: facility, bookingId },
    asPatient(facility, subjectOfCare),
  );
  assert.equal(cancelled.fault, undefined, cancelled.fault?.message);
  assert.equal(cancelled.response!.resultCode, 'OK', cancelled.response!.resultText);
}
