/**
 * Test data with sensible defaults: every builder takes overrides, so a test
 * names only what it is about. Times are real instants with their Stockholm
 * local text, computed from Date.now() so that "not in the past" holds.
 */
import { instantToTs } from '../../src/domain/local-time.ts';
import type {
  Booking,
  CareType,
  Facility,
  LocalTime,
  Performer,
  Resource,
  Timeslot,
  TimeType,
} from '../../src/domain/types.ts';

export const FACILITY = 'SE2321000016-ABCD';
export const OTHER_FACILITY = 'SE2321000016-WXYZ';
/** Tolvan Tolvansson, the Swedish test personnummer. */
export const PATIENT = '191212121212';
export const OTHER_PATIENT = '201212121212';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The local time an instant means. */
export function at(utcMs: number): LocalTime {
  return { ts: instantToTs(utcMs), utcMs };
}

/** A whole hour `days` days (and `hours` hours) from now: in the future for any positive offset. */
export function future(days: number, hours = 0): number {
  return Math.ceil(Date.now() / HOUR) * HOUR + days * DAY + hours * HOUR;
}

export function aFacility(overrides: Partial<Facility> = {}): Facility {
  return {
    hsaId: FACILITY,
    name: 'Vårdcentralen Ekbacken',
    webBookingEnabled: true,
    partnerFacilities: [],
    ...overrides,
  };
}

export function aCareType(overrides: Partial<CareType> = {}): CareType {
  return { facility: FACILITY, id: 'CT1', name: 'Allmänmedicin', ...overrides };
}

export function aPerformer(overrides: Partial<Performer> = {}): Performer {
  return {
    facility: FACILITY,
    hsaId: 'SE2321000016-P001',
    firstName: 'Anna',
    lastName: 'Ek',
    title: 'Dr',
    ...overrides,
  };
}

export function aResource(overrides: Partial<Resource> = {}): Resource {
  return { facility: FACILITY, id: 'R1', name: 'Rum 1', ...overrides };
}

export function aTimeType(overrides: Partial<TimeType> = {}): TimeType {
  return {
    facility: FACILITY,
    id: 'TT1',
    name: 'Läkarbesök',
    careTypeIds: ['CT1'],
    cancelAllowed: true,
    rebookAllowed: true,
    messageAllowed: false,
    webBookable: true,
    audience: 'everyone',
    ...overrides,
  };
}

let slotCounter = 0;

/**
 * A 15-minute timeslot tomorrow at a whole hour, or starting at `startUtcMs`;
 * a fresh id unless one is given.
 */
export function aTimeslot(overrides: Partial<Timeslot> & { startUtcMs?: number } = {}): Timeslot {
  const { startUtcMs, ...rest } = overrides;
  const start = startUtcMs ?? rest.start?.utcMs ?? future(1);
  slotCounter += 1;
  return {
    id: `slot-${slotCounter}`,
    facility: FACILITY,
    start: at(start),
    end: at(start + 15 * MINUTE),
    timeTypeId: 'TT1',
    ...rest,
  };
}

let bookingCounter = 0;

/** An active booking by {@link PATIENT}, on `overrides.slotId` if given (use {@link aBookingOn} to copy a slot). */
export function aBooking(overrides: Partial<Booking> = {}): Booking {
  bookingCounter += 1;
  const now = Date.now();
  return {
    id: `booking-${bookingCounter}`,
    facility: FACILITY,
    subjectOfCare: PATIENT,
    patient: { firstName: 'Tolvan', lastName: 'Tolvansson', phone: '0701234567' },
    isInvitation: false,
    timeTypeId: 'TT1',
    status: 'active',
    createdAt: now,
    updatedAt: now,
    version: 1,
    ...overrides,
  };
}

/** A booking of `slot`: facility, slot id, times and types copied from it. */
export function aBookingOn(slot: Timeslot, overrides: Partial<Booking> = {}): Booking {
  return aBooking({
    facility: slot.facility,
    slotId: slot.id,
    start: slot.start,
    end: slot.end,
    timeTypeId: slot.timeTypeId,
    ...(slot.careTypeId === undefined ? {} : { careTypeId: slot.careTypeId }),
    ...(slot.performer === undefined ? {} : { performer: slot.performer }),
    ...(slot.resourceId === undefined ? {} : { resourceId: slot.resourceId }),
    ...overrides,
  });
}

/** An open invitation (kallelse): no slot, no time, booked later by the patient. */
export function anOpenInvitation(overrides: Partial<Booking> = {}): Booking {
  return aBooking({
    isInvitation: true,
    purpose: 'Årlig kontroll',
    expiresOn: '20991231',
    ...overrides,
  });
}

/** The same booking one version later with `changes` applied: what updateBooking expects. */
export function nextVersion(booking: Booking, changes: Partial<Booking> = {}): Booking {
  return { ...booking, ...changes, version: booking.version + 1, updatedAt: Date.now() };
}
