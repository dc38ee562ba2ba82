/**
 * What the conformance suites share: the calls a consumer (MVK through VP)
 * makes, built from the seeded test calendar, and small readers of the raw
 * wire text. Every call goes through `callSoap`, so every answer is validated
 * against the national XSDs before a test looks at it.
 */
import assert from 'node:assert/strict';
import type { Encodable } from '../../src/contracts/model.ts';
import {
  GetAvailableDates,
  GetAvailableTimeslots,
  MakeBooking,
  UpdateBooking,
} from '../../src/contracts/scheduling.ts';
import type { Timeslot } from '../../src/domain/types.ts';
import { makeBookingRequest, type TimeslotFields } from '../support/booking-calls.ts';
import { callSoap, type EnvelopeOptions } from '../support/soap-client.ts';
import { FACILITY, PATIENT } from '../support/test-calendar.ts';

/** Headers as MVK sends them for a citizen acting for themself. */
export const asPatient = (subject: string = PATIENT, facility: string = FACILITY) =>
  ({
    logicalAddress: facility,
    actor: { actorId: subject, actorType: 'subject_of_care' },
  }) satisfies EnvelopeOptions;

/** A person id of an agent (ombud), never the patient searched for. */
export const AGENT_ID = '197001011239';

/** Headers for an agent acting for someone else (TKB-F §5.6). */
export const asAgent = (facility: string = FACILITY) =>
  ({
    logicalAddress: facility,
    actor: { actorId: AGENT_ID, actorType: 'subject_of_care_agent' },
  }) satisfies EnvelopeOptions;

/**
 * Distinct valid person ids with real birth dates, one per `n`, so that tests
 * sharing an app never share a patient's booking history by accident.
 */
export function personnummer(n: number): string {
  assert.ok(n >= 0 && n < 9000);
  const month = String((n % 12) + 1).padStart(2, '0');
  const day = String((n % 28) + 1).padStart(2, '0');
  return `1985${month}${day}${String(1000 + n)}`;
}

export { makeBookingRequest };

/** Books a free slot for `subject` through MakeBooking. */
export function book(
  url: string,
  slot: Timeslot,
  subject: string,
  overrides: Partial<TimeslotFields> = {},
) {
  return callSoap(
    url,
    MakeBooking,
    makeBookingRequest(slot, subject, overrides),
    asPatient(subject, slot.facility),
  );
}

/** Books a free slot and returns the new booking's id; fails the test on anything but OK/INFO. */
export async function bookOk(url: string, slot: Timeslot, subject: string): Promise<string> {
  const answer = await book(url, slot, subject);
  assert.equal(answer.status, 200);
  assert.ok(
    answer.response!.resultCode === 'OK' || answer.response!.resultCode === 'INFO',
    `booking ${slot.id} failed: ${answer.response!.resultText}`,
  );
  return answer.response!.bookingId!;
}

/** UpdateBooking moving `bookingId` to `slot`, with the fields MVK copies from a rebooking search. */
export function moveBooking(
  url: string,
  bookingId: string,
  slot: Timeslot,
  subject: string,
  options: EnvelopeOptions = asPatient(subject, slot.facility),
) {
  return callSoap(
    url,
    UpdateBooking,
    {
      requestedTimeslot: {
        startTimeInclusive: slot.start.ts,
        endTimeExclusive: slot.end.ts,
        healthcare_facility: slot.facility,
        performer: slot.performer,
        bookingId,
        subject_of_care: subject,
        timeTypeID: slot.timeTypeId,
      },
    },
    options,
  );
}

export type AvailabilityRequest = Encodable<(typeof GetAvailableTimeslots)['request']>;

/** A GetAvailableTimeslots / GetAvailableDates request over `days`, narrowed by `extra`. */
export function availabilityRequest(
  days: readonly string[],
  subject: string,
  extra: Partial<AvailabilityRequest> = {},
): AvailabilityRequest {
  return {
    healthcare_facility: FACILITY,
    startDateInclusive: days[0]!,
    endDateInclusive: days[days.length - 1]!,
    performer: [],
    subject_of_care: subject,
    ...extra,
  };
}

/** The free timeslots a search returns (asserting HTTP 200). */
export async function searchTimeslots(
  url: string,
  request: AvailabilityRequest,
  options: EnvelopeOptions = asPatient(request.subject_of_care, request.healthcare_facility),
) {
  const answer = await callSoap(url, GetAvailableTimeslots, request, options);
  assert.equal(answer.status, 200, answer.text.slice(0, 300));
  return answer.response!.timeslotDetail;
}

/** The dates a search returns (asserting HTTP 200). */
export async function searchDates(
  url: string,
  request: AvailabilityRequest,
  options: EnvelopeOptions = asPatient(request.subject_of_care, request.healthcare_facility),
) {
  const answer = await callSoap(url, GetAvailableDates, request, options);
  assert.equal(answer.status, 200, answer.text.slice(0, 300));
  return answer.response!.performerAvailabilityByDate;
}

/** The text of every element with this local name in raw XML, whatever its prefix. */
export function elementTexts(xml: string, local: string): string[] {
  const re = new RegExp(
    `<(?:[\\w.-]+:)?${local}(?:\\s[^>]*)?>([^<]*)</(?:[\\w.-]+:)?${local}>`,
    'g',
  );
  return [...xml.matchAll(re)].map((m) => m[1]!);
}

/** How many start tags with this local name the raw XML holds, whatever their prefix. */
export function countElements(xml: string, local: string): number {
  return [...xml.matchAll(new RegExp(`<(?:[\\w.-]+:)?${local}[\\s/>]`, 'g'))].length;
}

/** Elements written empty (`<x/>` or `<x></x>`); optional values without content must be left out (TKB-F §3.7). */
export function emptyElements(xml: string): string[] {
  const selfClosed = [...xml.matchAll(/<([\w.:-]+)(?:\s[^>]*)?\/>/g)].map((m) => m[1]!);
  const openClose = [...xml.matchAll(/<([\w.:-]+)(?:\s[^>]*)?><\/\1>/g)].map((m) => m[1]!);
  return [...selfClosed, ...openClose];
}
