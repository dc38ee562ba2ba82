/**
 * The calendar's reference data as the booking rules read it: which
 * facilities a booking may use (its own and partners, both ways), and the
 * names a patient's booking is shown with.
 *
 * @module
 */
import type { CalendarReader } from '../store/calendar-store.ts';
import { sameId } from './optional-field.ts';
import type { Booking, Facility, ShownBooking, TimeType } from './types.ts';

/** A booking with the names and time type a consumer is shown. */
export interface DescribedBooking<B extends ShownBooking = ShownBooking> {
  readonly booking: B;
  readonly facilityName: string | undefined;
  readonly timeType: TimeType | undefined;
  readonly careTypeName: string | undefined;
  readonly performerName: string | undefined;
  readonly resourceName: string | undefined;
}

/** `performerName` as the TKB defines it: title, first, middle and last name joined by spaces. */
export function performerName(p: {
  title?: string;
  firstName: string;
  middleName?: string;
  lastName: string;
}): string {
  return [p.title, p.firstName, p.middleName, p.lastName].filter((s) => s).join(' ');
}

/** The time type `id` of a facility, if it has one. */
export async function timeTypeOf(
  reader: CalendarReader,
  facility: string,
  id: string,
): Promise<TimeType | undefined> {
  return (await reader.listTimeTypes(facility)).find((t) => t.id === id);
}

/**
 * A facility's partners, both ways: a booking made at A that may be moved
 * to partner B may also be moved back, whichever of the two lists the other.
 */
async function partnersOf(home: Facility, reader: CalendarReader): Promise<Facility[]> {
  const out: Facility[] = [home];
  const add = (f: Facility | undefined) => {
    if (f && !out.some((o) => sameId(o.hsaId, f.hsaId))) out.push(f);
  };
  for (const id of home.partnerFacilities) add(await reader.getFacility(id));
  for (const other of await reader.listFacilities())
    if (other.partnerFacilities.some((id) => sameId(id, home.hsaId))) add(other);
  return out;
}

/**
 * Facilities where a booking may be moved (or an invitation booked): its own
 * and its partners that offer its time type. For a patient (`online`), only
 * those enabled for web booking; staff may use any.
 */
export async function facilitiesFor(
  booking: Booking,
  reader: CalendarReader,
  online = true,
): Promise<Facility[]> {
  const home = await reader.getFacility(booking.facility);
  if (!home) return [];
  const out: Facility[] = [];
  for (const facility of await partnersOf(home, reader)) {
    if (online && !facility.webBookingEnabled) continue;
    if (await timeTypeOf(reader, facility.hsaId, booking.timeTypeId)) out.push(facility);
  }
  return out;
}

/** Facilities a new booking can be made at from this one: itself and its partners, where anything is bookable online. */
export async function facilitiesFrom(
  facility: Facility,
  reader: CalendarReader,
): Promise<Facility[]> {
  const out: Facility[] = [];
  for (const f of await partnersOf(facility, reader)) {
    if (!f.webBookingEnabled) continue;
    if ((await reader.listTimeTypes(f.hsaId)).some((t) => t.webBookable)) out.push(f);
  }
  return out;
}

/** Everything needed to show a patient's bookings at one facility: time type and names. */
export async function describeBookings<B extends ShownBooking>(
  bookings: readonly B[],
  facility: string,
  reader: CalendarReader,
): Promise<DescribedBooking<B>[]> {
  const [f, timeTypes, careTypes, performers, resources] = await Promise.all([
    reader.getFacility(facility),
    reader.listTimeTypes(facility),
    reader.listCareTypes(facility),
    reader.listPerformers(facility),
    reader.listResources(facility),
  ]);
  const tt = new Map(timeTypes.map((t) => [t.id, t]));
  const ct = new Map(careTypes.map((c) => [c.id, c]));
  const names = new Map(performers.map((p) => [p.hsaId.toLowerCase(), performerName(p)]));
  // A schedule names the same few performers on up to a thousand bookings:
  // each spelling of an HSA-id is lowered and its name joined once, and every
  // booking of that performer then shares one string.
  const nameBySpelling = new Map<string, string | undefined>();
  const nameOf = (hsaId: string) => {
    if (!nameBySpelling.has(hsaId)) nameBySpelling.set(hsaId, names.get(hsaId.toLowerCase()));
    return nameBySpelling.get(hsaId);
  };
  const rs = new Map(resources.map((r) => [r.id, r]));
  return bookings.map((booking) => ({
    booking,
    facilityName: f?.name,
    timeType: tt.get(booking.timeTypeId),
    careTypeName: booking.careTypeId ? ct.get(booking.careTypeId)?.name : undefined,
    performerName: booking.performer ? nameOf(booking.performer) : undefined,
    resourceName: booking.resourceId ? rs.get(booking.resourceId)?.name : undefined,
  }));
}
