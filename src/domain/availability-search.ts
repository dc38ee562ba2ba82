/**
 * Free-slot search for GetAvailableTimeslots and GetAvailableDates: which
 * time types a patient may see online, which slots suit a rebooking, and a
 * cache of recent answers.
 *
 * @module
 */
import type { CalendarStore, CalendarView } from '../store/calendar-store.ts';
import { endOfDt, startOfDt } from './local-time.ts';
import { sameId as same } from './optional-field.ts';
import { facilitiesFor, timeTypeOf } from './reference-data.ts';
import type { Booking, FreeTimeslot, TimeType } from './types.ts';

/** Availability answers kept for reuse (oldest dropped first). */
export const AVAILABILITY_CACHE_ENTRIES = 1000;

/** Most timeslots one availability answer carries; a consumer narrows the date range for more. */
export const MAX_TIMESLOTS_PER_ANSWER = 2000;

/**
 * Most slots GetAvailableDates reads to find its dates: enough for a full
 * year of a busy facility, so no date is lost to the timeslot answer's cap.
 */
export const MAX_TIMESLOTS_FOR_DATES = 200_000;

export interface AvailabilityQuery {
  readonly facility: string;
  readonly startDt: string;
  readonly endDt: string;
  readonly performers: readonly string[];
  readonly timeTypeId?: string;
  readonly timeTypeName?: string;
  readonly careTypeId?: string;
  readonly careTypeName?: string;
  readonly subjectOfCare: string;
  /** Actor is `subject_of_care_agent`: results must not depend on the patient (TKB-F §5.6). */
  readonly isAgent: boolean;
  /** Rebooking (or booking an open invitation): limits slots to what suits that booking. */
  readonly bookingId?: string;
  /** Most slots to return; default {@link MAX_TIMESLOTS_PER_ANSWER}. */
  readonly limit?: number;
}

export interface Availability {
  readonly slots: readonly FreeTimeslot[];
  /** Time types by id, for the flags and names the answer shows. */
  readonly timeTypes: ReadonlyMap<string, TimeType>;
  /** In a rebooking search every slot carries the booking's own id (rivta-spec §2.2b). */
  readonly rebookingId?: string;
}

/** Whom a list of visible time types was chosen for; part of an availability cache key. */
type Audience = 'everyone' | 'agent' | 'returning' | 'new';

export class AvailabilitySearch {
  readonly #store: CalendarStore;
  readonly #now: () => number;
  /**
   * Recent availability answers, reused while the store's calendar version is
   * unchanged and none of their slots has started: many patients browse the
   * same unit's days, and a free-slot search is most of a request's cost.
   */
  readonly #availability = new Map<
    string,
    { version: string; validUntilUtcMs: number; value: Availability }
  >();

  constructor(store: CalendarStore, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  /**
   * Time types a patient may see online at a facility: none at a facility not
   * enabled for web booking (its bookings would never reach EI, so 1177 could
   * not show them; policy §3.1 item 2).
   */
  async visibleTimeTypes(
    facility: string,
    subjectOfCare: string,
    isAgent: boolean,
    calendar: CalendarView = this.#store,
  ): Promise<TimeType[]> {
    return (await this.#timeTypesFor(calendar, facility, subjectOfCare, isAgent)).visible;
  }

  /**
   * The visible time types, and whose eyes they were chosen for: `everyone`
   * unless the facility has web-bookable time types for returning patients
   * only, and only then is the patient's booking history looked up (unless
   * the caller knows it: `hasHistory`).
   */
  async #timeTypesFor(
    calendar: CalendarView,
    facility: string,
    subjectOfCare: string,
    isAgent: boolean,
    hasHistory?: boolean,
  ): Promise<{ visible: TimeType[]; audience: Audience }> {
    const f = await calendar.getFacility(facility);
    if (!f?.webBookingEnabled) return { visible: [], audience: 'everyone' };
    const all = (await calendar.listTimeTypes(f.hsaId)).filter((t) => t.webBookable);
    if (!all.some((t) => t.audience === 'returning-patients'))
      return { visible: all, audience: 'everyone' };
    if (isAgent)
      return { visible: all.filter((t) => t.audience === 'everyone'), audience: 'agent' };
    return (hasHistory ?? (await calendar.hasBookingHistory(f.hsaId, subjectOfCare)))
      ? { visible: all, audience: 'returning' }
      : { visible: all.filter((t) => t.audience === 'everyone'), audience: 'new' };
  }

  /** A booking the patient can rebook (or an open invitation to book), or undefined. */
  async #rebookable(
    calendar: CalendarView,
    bookingId: string,
    subjectOfCare: string,
  ): Promise<Booking | undefined> {
    const booking = await calendar.getBooking(bookingId);
    if (!booking || booking.status !== 'active' || booking.subjectOfCare !== subjectOfCare)
      return undefined;
    if (booking.isInvitation && !booking.slotId) return booking;
    // A booking that has started can no longer be moved (see rebook), so it has no options.
    if (booking.start && booking.start.utcMs < this.#now()) return undefined;
    const timeType = await timeTypeOf(calendar, booking.facility, booking.timeTypeId);
    return timeType?.rebookAllowed ? booking : undefined;
  }

  /**
   * Free timeslots for GetAvailableTimeslots / GetAvailableDates, read
   * through `calendar` (a request's view, so its version is read once).
   */
  async findAvailability(
    query: AvailabilityQuery,
    calendar: CalendarView = this.#store,
  ): Promise<Availability> {
    // Only plain searches are cached, and only over a store that can say when its data changed.
    const read = query.bookingId === undefined ? calendar.calendarVersion?.() : undefined;
    // SQLite answers at once, PostgreSQL with a read every instance's writes bump.
    const version = typeof read === 'object' ? await read : read;
    if (version === undefined) return this.#computeAvailability(calendar, query);
    // Written once per request; an audience (a word of its own) goes before it.
    const search = JSON.stringify([
      query.facility.toLowerCase(),
      query.startDt,
      query.endDt,
      query.performers,
      query.timeTypeId,
      query.timeTypeName,
      query.careTypeId,
      query.careTypeName,
      query.limit,
    ]);
    const now = this.#now();
    // Most units show every patient the same time types: their answers are shared,
    // and a hit needs neither the time types nor the patient's booking history.
    const shared = this.#cachedAvailability(`everyone ${search}`, version, now);
    if (shared) return shared;
    // Elsewhere the patient matters only through which time types they may see.
    const hasHistory = query.isAgent
      ? false
      : await calendar.hasBookingHistory(query.facility, query.subjectOfCare);
    const audience: Audience = query.isAgent ? 'agent' : hasHistory ? 'returning' : 'new';
    const hit = this.#cachedAvailability(`${audience} ${search}`, version, now);
    if (hit) return hit;
    const timeTypes = await this.#timeTypesFor(
      calendar,
      query.facility,
      query.subjectOfCare,
      query.isAgent,
      hasHistory,
    );
    const key = `${timeTypes.audience} ${search}`;
    const value = await this.#computeAvailability(calendar, query, timeTypes.visible);
    if (this.#availability.size >= AVAILABILITY_CACHE_ENTRIES)
      this.#availability.delete(this.#availability.keys().next().value!);
    // Stored under the version read before the search: if anything changed since, that
    // version is already gone and the entry is never used.
    this.#availability.set(key, {
      version,
      // Once the first slot has started it must no longer be offered (never past times).
      validUntilUtcMs: Math.min(value.slots[0]?.start.utcMs ?? Infinity, now + 60_000),
      value,
    });
    return value;
  }

  #cachedAvailability(key: string, version: string, now: number): Availability | undefined {
    const hit = this.#availability.get(key);
    return hit && hit.version === version && now < hit.validUntilUtcMs ? hit.value : undefined;
  }

  /** `visible`: the patient's time types, when the caller has them already. */
  async #computeAvailability(
    calendar: CalendarView,
    query: AvailabilityQuery,
    visible?: TimeType[],
  ): Promise<Availability> {
    const none: Availability = { slots: [], timeTypes: new Map() };
    const facility = await calendar.getFacility(query.facility);
    if (!facility) return none;
    const fromUtcMs = Math.max(this.#now(), startOfDt(query.startDt));
    const toUtcMs = endOfDt(query.endDt);
    if (toUtcMs <= fromUtcMs) return none;

    let timeTypes: TimeType[];
    let resourceId: string | undefined;
    let rebookingId: string | undefined;
    if (query.bookingId !== undefined) {
      const booking = await this.#rebookable(calendar, query.bookingId, query.subjectOfCare);
      if (!booking) return none;
      const allowed = await facilitiesFor(booking, calendar);
      if (!allowed.some((f) => same(f.hsaId, facility.hsaId))) return none;
      timeTypes = (await calendar.listTimeTypes(facility.hsaId)).filter(
        (t) => t.id === booking.timeTypeId,
      );
      // Resource ids are local to a unit (like time and care type codes), so the
      // booking's resource limits the options only at its own unit; at a partner
      // that GetAllHealthcareFacilities(bookingId) lists it would match nothing.
      if (same(booking.facility, facility.hsaId)) resourceId = booking.resourceId;
      rebookingId = booking.id;
    } else {
      timeTypes =
        visible ??
        (await this.visibleTimeTypes(facility.hsaId, query.subjectOfCare, query.isAgent, calendar));
    }
    if (query.timeTypeId !== undefined)
      timeTypes = timeTypes.filter((t) => t.id === query.timeTypeId);
    if (query.timeTypeName !== undefined)
      timeTypes = timeTypes.filter((t) => same(t.name, query.timeTypeName));

    let careTypeId = query.careTypeId;
    if (query.careTypeName !== undefined) {
      const named = (await calendar.listCareTypes(facility.hsaId)).find((c) =>
        same(c.name, query.careTypeName),
      );
      if (!named || (careTypeId !== undefined && careTypeId !== named.id)) return none;
      careTypeId = named.id;
    }
    if (timeTypes.length === 0) return none;

    const slots = await calendar.findFreeTimeslots({
      facilities: [facility.hsaId],
      fromUtcMs,
      toUtcMs,
      timeTypeIds: timeTypes.map((t) => t.id),
      ...(careTypeId !== undefined ? { careTypeId } : {}),
      ...(query.performers.length > 0 ? { performers: query.performers } : {}),
      ...(resourceId !== undefined ? { resourceId } : {}),
      limit: query.limit ?? MAX_TIMESLOTS_PER_ANSWER,
    });
    return {
      slots,
      timeTypes: new Map(timeTypes.map((t) => [t.id, t])),
      ...(rebookingId !== undefined ? { rebookingId } : {}),
    };
  }
}
