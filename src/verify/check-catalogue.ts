/**
 * Every check `tidbok verify` can run, each under the rivta-spec §6
 * must-have it proves (0 is verify's own clean-up). The ids are stable: CI
 * jobs and the tests name them.
 */

/** One check as listed in reports and docs. */
export interface CheckDefinition {
  readonly id: string;
  /** The rivta-spec §6 must-have number (0: verify's own clean-up). */
  readonly mustHave: number;
  readonly title: string;
  /** True when the check books (left out by `--read-only`). */
  readonly books?: boolean;
}

/** Short titles of the must-haves the checks are grouped under. */
export const mustHaveTitles: Readonly<Record<number, string>> = {
  0: 'verify cleans up after itself',
  1: 'SOAP 1.1 document/literal; contract documents',
  2: 'the operation is chosen from the body',
  3: 'LogicalAddress',
  4: 'the Actor header is optional',
  6: 'unknown extensions are ignored',
  7: 'subject_of_care is checked',
  8: 'answers validate against the contract schemas',
  9: 'times are yyyyMMddHHmmss / yyyyMMdd local time',
  10: 'faults are HTTP 500 SOAP 1.1 faults; refusals carry a text',
  11: 'MakeBooking answers',
  13: 'retries and races make no second booking',
  14: 'UpdateBooking',
  15: 'GetBookingDetails',
  16: 'GetSubjectOfCareSchedule and CancelBooking',
  17: 'GetAvailableDates and GetAvailableTimeslots',
  18: 'GetAllHealthcareFacilities',
  20: 'answer times',
};

const define = <const D extends CheckDefinition>(d: D) => d;

/** The checks, by a short name for the code that runs them. */
export const checks = {
  wsdl: define({
    id: 'wsdl',
    mustHave: 1,
    title: 'each contract address answers ?wsdl, and every schema it imports resolves',
  }),
  soapAction: define({
    id: 'soapaction-ignored',
    mustHave: 2,
    title: 'a missing, empty or wrong SOAPAction gets the same answer',
  }),
  addressUnknown: define({
    id: 'address-unknown',
    mustHave: 3,
    title: 'a LogicalAddress naming no served unit (the body naming one) gives a Client fault',
  }),
  addressMissing: define({
    id: 'address-missing',
    mustHave: 3,
    title: 'a request without LogicalAddress gives a Client fault',
  }),
  addressCase: define({
    id: 'address-case-insensitive',
    mustHave: 3,
    title: 'a LogicalAddress in other letter case is the same unit (HSA-ids ignore case)',
  }),
  addressMismatch: define({
    id: 'address-mismatch',
    mustHave: 3,
    title: 'a LogicalAddress and a body facility that differ (both served) are refused',
  }),
  actorOptional: define({
    id: 'actor-optional',
    mustHave: 4,
    title: 'GetAllTimeTypes answers the same with and without the Actor header',
  }),
  extensionsIgnored: define({
    id: 'extensions-ignored',
    mustHave: 6,
    title: 'an unknown header and an unknown ##other element in the body change nothing',
  }),
  personIdInvalid: define({
    id: 'subject-of-care-invalid',
    mustHave: 7,
    title: 'an invalid personnummer is refused (fault or ERROR), nothing booked',
  }),
  referenceData: define({
    id: 'reference-data',
    mustHave: 8,
    title:
      'GetAll* reference data answer, and the time types and performers offered are among them',
  }),
  timesFormat: define({
    id: 'times-format',
    mustHave: 9,
    title: 'every time and date is real, yyyyMMddHHmmss / yyyyMMdd, and none is in the DST gap',
  }),
  impossibleDate: define({
    id: 'impossible-date',
    mustHave: 9,
    title: 'an impossible date (30 February) is refused (fault or ERROR), nothing booked',
  }),
  faultHttp: define({
    id: 'fault-http-500',
    mustHave: 10,
    title: 'every SOAP Fault comes with HTTP 500 and text/xml, and every HTTP 500 is a Fault',
  }),
  errorText: define({
    id: 'error-has-text',
    mustHave: 10,
    title: 'every resultCode=ERROR carries a resultText to show the citizen',
  }),
  missingElement: define({
    id: 'missing-element',
    mustHave: 10,
    title: 'a request missing a mandatory element gives a Client fault, nothing booked',
  }),
  malformedXml: define({
    id: 'malformed-xml',
    mustHave: 10,
    title: 'malformed XML gives a Client fault, nothing booked',
  }),
  makeBooking: define({
    id: 'make-booking',
    mustHave: 11,
    books: true,
    title: 'MakeBooking on a free slot answers OK or INFO with a bookingId',
  }),
  takenSlot: define({
    id: 'taken-slot',
    mustHave: 11,
    books: true,
    title: 'MakeBooking on a taken slot answers ERROR with a text and no bookingId',
  }),
  retry: define({
    id: 'retry-no-duplicate',
    mustHave: 13,
    books: true,
    title: 'a repeated MakeBooking (the platform retry) makes no second booking',
  }),
  race: define({
    id: 'race-one-winner',
    mustHave: 13,
    books: true,
    title: 'parallel MakeBookings on one slot give exactly one OK',
  }),
  updateBooking: define({
    id: 'update-moves-booking',
    mustHave: 14,
    books: true,
    title: 'UpdateBooking moves the booking; GetBookingDetails shows the new time, no invitation',
  }),
  bookingDetails: define({
    id: 'booking-details',
    mustHave: 15,
    books: true,
    title:
      'GetBookingDetails shows the booking: its id, facility, patient, times, timeTypeID, *_allowed',
  }),
  unknownBooking: define({
    id: 'booking-details-unknown',
    mustHave: 15,
    title: 'GetBookingDetails for an unknown bookingId gives a SOAP Fault',
  }),
  scheduleShows: define({
    id: 'schedule-shows-booking',
    mustHave: 16,
    books: true,
    title:
      'GetSubjectOfCareSchedule shows the booking with start, end, bookingId, facility, patient',
  }),
  cancelBooking: define({
    id: 'cancel-booking',
    mustHave: 16,
    books: true,
    title: 'CancelBooking answers OK or INFO, and the booking is gone from the schedule',
  }),
  datesMatchTimeslots: define({
    id: 'dates-match-timeslots',
    mustHave: 17,
    title: 'GetAvailableDates names exactly the days GetAvailableTimeslots has slots on',
  }),
  noPastSlots: define({
    id: 'no-past-slots',
    mustHave: 17,
    title: 'no date or timeslot offered lies in the past',
  }),
  bookedSlotGone: define({
    id: 'booked-slot-not-offered',
    mustHave: 17,
    books: true,
    title: 'a booked slot is no longer offered',
  }),
  rebookingOptions: define({
    id: 'rebooking-options',
    mustHave: 17,
    books: true,
    title: 'GetAvailableTimeslots with the bookingId offers future rebooking options',
  }),
  updateFreesOld: define({
    id: 'update-frees-old-slot',
    mustHave: 17,
    books: true,
    title: 'after UpdateBooking the old slot is offered again',
  }),
  cancelFreesSlot: define({
    id: 'cancel-frees-slot',
    mustHave: 17,
    books: true,
    title: 'after CancelBooking the slot is offered again',
  }),
  facilitiesUnknownBooking: define({
    id: 'facilities-unknown-booking',
    mustHave: 18,
    title: 'GetAllHealthcareFacilities for an unknown bookingId gives an empty list',
  }),
  latency: define({
    id: 'latency',
    mustHave: 20,
    title: '95 % of answers within 3 s, every answer within 27 s',
  }),
  cleanup: define({
    id: 'cleanup',
    mustHave: 0,
    books: true,
    title: "every booking verify made is cancelled; the patient's schedule is as before",
  }),
} as const satisfies Record<string, CheckDefinition>;

/** The per-operation schema check: every answer of `operation` validates. */
export function schemaCheck(operation: string): CheckDefinition {
  return {
    id: `schema-${operation}`,
    mustHave: 8,
    title: `every ${operation} answer validates against the contract schemas`,
  };
}
