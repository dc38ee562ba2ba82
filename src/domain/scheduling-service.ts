/**
 * The booking rules, shared by the SOAP operations and staff actions. Every
 * change runs in one store transaction together with its change listeners
 * (the EI outbox), so a booking never commits without its notifications.
 *
 * Identity rules (rivta-spec §2.2b): a free slot's id is what MVK echoes in
 * MakeBooking; a booking keeps its own id for life, including when an open
 * invitation is booked or a booking is moved, so its EI key only changes when
 * its categorization or facility does.
 */
import { randomUUID } from 'node:crypto';
import type { CalendarReader, CalendarStore, StoreTx } from '../store/calendar-store.ts';
import { ConcurrentUpdateError, TimeslotTakenError } from '../store/errors.ts';
import type { BookingChange, BookingChangeListener } from './booking-change.ts';
import { endOfDt, instantToDt, startOfDt } from './local-time.ts';
import { done, refusal, refused, type ChangeOutcome, type RefusalText } from './refusals.ts';
import type {
  Booking,
  ChangeOrigin,
  Facility,
  FreeTimeslot,
  PatientDetails,
  Timeslot,
  TimeType,
} from './types.ts';

export interface SchedulingServiceDeps {
  readonly store: CalendarStore;
  readonly listeners?: readonly BookingChangeListener[];
  readonly now?: () => number;
  readonly newBookingId?: () => string;
  /** Called after a change committed (e.g. to wake the outbox dispatcher). */
  readonly onCommitted?: () => void;
}

/** Availability answers kept for reuse (oldest dropped first). */
export const AVAILABILITY_CACHE_ENTRIES = 1000;

/** Most timeslots one availability answer carries; a consumer narrows the date range for more. */
export const MAX_TIMESLOTS_PER_ANSWER = 2000;

/**
 * Most slots GetAvailableDates reads to find its dates: enough for a full
 * year of a busy facility, so no date is lost to the timeslot answer's cap.
 */
export const MAX_TIMESLOTS_FOR_DATES = 200_000;

export interface SlotCriteria {
  readonly performer?: string;
  readonly resourceId?: string;
  readonly timeTypeId?: string;
  readonly careTypeId?: string;
}

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

export interface MakeBookingInput extends SlotCriteria {
  readonly facility: string;
  /** A free slot's id, or an open invitation's id. */
  readonly id?: string;
  readonly startTs: string;
  readonly endTs: string;
  readonly subjectOfCare: string;
  readonly patient: PatientDetails;
  readonly reason?: string;
  readonly notification?: string;
  readonly origin: ChangeOrigin;
}

export interface RebookInput extends SlotCriteria {
  readonly bookingId: string;
  readonly facility: string;
  readonly startTs: string;
  readonly endTs: string;
  /** The patient the caller acts for; staff may leave it out. */
  readonly subjectOfCare?: string;
  readonly patient?: PatientDetails;
  readonly notification?: string;
  readonly origin: ChangeOrigin;
}

export interface CancelInput {
  readonly bookingId: string;
  readonly facility: string;
  readonly message?: string;
  readonly subjectOfCare?: string;
  readonly origin: ChangeOrigin;
}

export interface NewInvitation {
  readonly id?: string;
  readonly facility: string;
  readonly subjectOfCare: string;
  readonly patient: PatientDetails;
  readonly timeTypeId: string;
  readonly careTypeId?: string;
  /** Plain text or entity-escaped DocBook 5; an invitation must have one (TKB §2.1). */
  readonly purpose: string;
  /** Timed invitation: the slot it reserves. Open invitations leave both out. */
  readonly slotId?: string;
  readonly expiresOn?: string;
}

type Emit = (change: BookingChange) => void;

/** Whom a list of visible time types was chosen for; part of an availability cache key. */
type Audience = 'everyone' | 'agent' | 'returning' | 'new';

const same = (a: string | undefined, b: string | undefined) =>
  (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

/** A booking is one the patient made from an invitation when it carries the invitation text. */
const cameFromInvitation = (b: Booking) => !b.isInvitation && b.purpose !== undefined;

export class SchedulingService {
  readonly #store: CalendarStore;
  readonly #listeners: readonly BookingChangeListener[];
  readonly #now: () => number;
  readonly #newId: () => string;
  readonly #onCommitted: () => void;
  /**
   * Recent availability answers, reused while the store's calendar version is
   * unchanged and none of their slots has started: many patients browse the
   * same unit's days, and a free-slot search is most of a request's cost.
   */
  readonly #availability = new Map<
    string,
    { version: string; validUntilUtcMs: number; value: Availability }
  >();

  constructor(deps: SchedulingServiceDeps) {
    this.#store = deps.store;
    this.#listeners = deps.listeners ?? [];
    this.#now = deps.now ?? Date.now;
    this.#newId = deps.newBookingId ?? randomUUID;
    this.#onCommitted = deps.onCommitted ?? (() => undefined);
  }

  get store(): CalendarStore {
    return this.#store;
  }

  now(): number {
    return this.#now();
  }

  // -------------------------------------------------------------------------
  // Queries

  /**
   * Time types a patient may see online at a facility: none at a facility not
   * enabled for web booking (its bookings would never reach EI, so 1177 could
   * not show them; policy §3.1 item 2).
   */
  async visibleTimeTypes(
    facility: string,
    subjectOfCare: string,
    isAgent: boolean,
  ): Promise<TimeType[]> {
    return (await this.#timeTypesFor(facility, subjectOfCare, isAgent)).visible;
  }

  /**
   * The visible time types, and whose eyes they were chosen for: `everyone`
   * unless the facility has web-bookable time types for returning patients
   * only, and only then is the patient's booking history looked up (unless
   * the caller knows it: `hasHistory`).
   */
  async #timeTypesFor(
    facility: string,
    subjectOfCare: string,
    isAgent: boolean,
    hasHistory?: boolean,
  ): Promise<{ visible: TimeType[]; audience: Audience }> {
    const f = await this.#store.getFacility(facility);
    if (!f?.webBookingEnabled) return { visible: [], audience: 'everyone' };
    const all = (await this.#store.listTimeTypes(f.hsaId)).filter((t) => t.webBookable);
    if (!all.some((t) => t.audience === 'returning-patients'))
      return { visible: all, audience: 'everyone' };
    if (isAgent)
      return { visible: all.filter((t) => t.audience === 'everyone'), audience: 'agent' };
    return (hasHistory ?? (await this.#store.hasBookingHistory(f.hsaId, subjectOfCare)))
      ? { visible: all, audience: 'returning' }
      : { visible: all.filter((t) => t.audience === 'everyone'), audience: 'new' };
  }

  /**
   * A facility's partners, both ways: a booking made at A that may be moved
   * to partner B may also be moved back, whichever of the two lists the other.
   */
  async #partnersOf(home: Facility, reader: CalendarReader): Promise<Facility[]> {
    const out: Facility[] = [home];
    const add = (f: Facility | undefined) => {
      if (f && !out.some((o) => same(o.hsaId, f.hsaId))) out.push(f);
    };
    for (const id of home.partnerFacilities) add(await reader.getFacility(id));
    for (const other of await reader.listFacilities())
      if (other.partnerFacilities.some((id) => same(id, home.hsaId))) add(other);
    return out;
  }

  /**
   * Facilities where a booking may be moved (or an invitation booked): its own
   * and its partners that offer its time type. For a patient (`online`), only
   * those enabled for web booking; staff may use any.
   */
  async facilitiesFor(
    booking: Booking,
    reader: CalendarReader = this.#store,
    online = true,
  ): Promise<Facility[]> {
    const home = await reader.getFacility(booking.facility);
    if (!home) return [];
    const out: Facility[] = [];
    for (const facility of await this.#partnersOf(home, reader)) {
      if (online && !facility.webBookingEnabled) continue;
      const offers = (await reader.listTimeTypes(facility.hsaId)).some(
        (t) => t.id === booking.timeTypeId,
      );
      if (offers) out.push(facility);
    }
    return out;
  }

  /** Facilities a new booking can be made at from this one: itself and its partners, where anything is bookable online. */
  async facilitiesFrom(facility: Facility): Promise<Facility[]> {
    const out: Facility[] = [];
    for (const f of await this.#partnersOf(facility, this.#store)) {
      if (!f.webBookingEnabled) continue;
      if ((await this.#store.listTimeTypes(f.hsaId)).some((t) => t.webBookable)) out.push(f);
    }
    return out;
  }

  /** A booking the patient can rebook (or an open invitation to book), or undefined. */
  async #rebookable(bookingId: string, subjectOfCare: string): Promise<Booking | undefined> {
    const booking = await this.#store.getBooking(bookingId);
    if (!booking || booking.status !== 'active' || booking.subjectOfCare !== subjectOfCare)
      return undefined;
    if (booking.isInvitation && !booking.slotId) return booking;
    // A booking that has started can no longer be moved (see rebook), so it has no options.
    if (booking.start && booking.start.utcMs < this.#now()) return undefined;
    const timeType = (await this.#store.listTimeTypes(booking.facility)).find(
      (t) => t.id === booking.timeTypeId,
    );
    return timeType?.rebookAllowed ? booking : undefined;
  }

  /** Free timeslots for GetAvailableTimeslots / GetAvailableDates. */
  async findAvailability(query: AvailabilityQuery): Promise<Availability> {
    // Only plain searches are cached, and only over a store that can say when its data changed.
    const version = query.bookingId === undefined ? this.#store.calendarVersion?.() : undefined;
    if (version === undefined) return this.#computeAvailability(query);
    const search = [
      query.facility.toLowerCase(),
      query.startDt,
      query.endDt,
      query.performers,
      query.timeTypeId,
      query.timeTypeName,
      query.careTypeId,
      query.careTypeName,
      query.limit,
    ];
    const now = this.#now();
    const keyFor = (audience: Audience) => JSON.stringify([...search, audience]);
    // Most units show every patient the same time types: their answers are shared,
    // and a hit needs neither the time types nor the patient's booking history.
    const shared = this.#cachedAvailability(keyFor('everyone'), version, now);
    if (shared) return shared;
    // Elsewhere the patient matters only through which time types they may see.
    const hasHistory = query.isAgent
      ? false
      : await this.#store.hasBookingHistory(query.facility, query.subjectOfCare);
    const audience: Audience = query.isAgent ? 'agent' : hasHistory ? 'returning' : 'new';
    const hit = this.#cachedAvailability(keyFor(audience), version, now);
    if (hit) return hit;
    const timeTypes = await this.#timeTypesFor(
      query.facility,
      query.subjectOfCare,
      query.isAgent,
      hasHistory,
    );
    const key = keyFor(timeTypes.audience);
    const value = await this.#computeAvailability(query, timeTypes.visible);
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
    query: AvailabilityQuery,
    visible?: TimeType[],
  ): Promise<Availability> {
    const none: Availability = { slots: [], timeTypes: new Map() };
    const facility = await this.#store.getFacility(query.facility);
    if (!facility) return none;
    const fromUtcMs = Math.max(this.#now(), startOfDt(query.startDt));
    const toUtcMs = endOfDt(query.endDt);
    if (toUtcMs <= fromUtcMs) return none;

    let timeTypes: TimeType[];
    let resourceId: string | undefined;
    let rebookingId: string | undefined;
    if (query.bookingId !== undefined) {
      const booking = await this.#rebookable(query.bookingId, query.subjectOfCare);
      if (!booking) return none;
      const allowed = await this.facilitiesFor(booking);
      if (!allowed.some((f) => same(f.hsaId, facility.hsaId))) return none;
      timeTypes = (await this.#store.listTimeTypes(facility.hsaId)).filter(
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
        (await this.visibleTimeTypes(facility.hsaId, query.subjectOfCare, query.isAgent));
    }
    if (query.timeTypeId !== undefined)
      timeTypes = timeTypes.filter((t) => t.id === query.timeTypeId);
    if (query.timeTypeName !== undefined)
      timeTypes = timeTypes.filter((t) => same(t.name, query.timeTypeName));

    let careTypeId = query.careTypeId;
    if (query.careTypeName !== undefined) {
      const named = (await this.#store.listCareTypes(facility.hsaId)).find((c) =>
        same(c.name, query.careTypeName),
      );
      if (!named || (careTypeId !== undefined && careTypeId !== named.id)) return none;
      careTypeId = named.id;
    }
    if (timeTypes.length === 0) return none;

    const slots = await this.#store.findFreeTimeslots({
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

  /** Everything needed to show a patient's booking: its time type and names. */
  async describe(bookings: readonly Booking[], facility: string) {
    const [f, timeTypes, careTypes, performers, resources] = await Promise.all([
      this.#store.getFacility(facility),
      this.#store.listTimeTypes(facility),
      this.#store.listCareTypes(facility),
      this.#store.listPerformers(facility),
      this.#store.listResources(facility),
    ]);
    const tt = new Map(timeTypes.map((t) => [t.id, t]));
    const ct = new Map(careTypes.map((c) => [c.id, c]));
    const pf = new Map(performers.map((p) => [p.hsaId.toLowerCase(), p]));
    const rs = new Map(resources.map((r) => [r.id, r]));
    return bookings.map((booking) => {
      const performer = booking.performer ? pf.get(booking.performer.toLowerCase()) : undefined;
      return {
        booking,
        facilityName: f?.name,
        timeType: tt.get(booking.timeTypeId),
        careTypeName: booking.careTypeId ? ct.get(booking.careTypeId)?.name : undefined,
        performerName: performer ? performerName(performer) : undefined,
        resourceName: booking.resourceId ? rs.get(booking.resourceId)?.name : undefined,
      };
    });
  }

  // -------------------------------------------------------------------------
  // Changes

  /** Runs a change and its listeners in one transaction; maps store conflicts to refusals. */
  async #change<T>(fn: (tx: StoreTx, emit: Emit) => Promise<ChangeOutcome<T>>) {
    let outcome: ChangeOutcome<T>;
    try {
      outcome = await this.#store.transaction(async (tx) => {
        const changes: BookingChange[] = [];
        const result = await fn(tx, (c) => changes.push(c));
        for (const change of changes)
          for (const listener of this.#listeners) await listener(tx, change);
        return result;
      });
    } catch (err) {
      if (err instanceof TimeslotTakenError) return { taken: err.slotId } as const;
      if (err instanceof ConcurrentUpdateError) return refused<T>(refusal.changedMeanwhile);
      throw err;
    }
    if (outcome.ok) this.#onCommitted();
    return outcome;
  }

  /** A slot at the facility that matches start, end and the criteria, preferring a free one. */
  async #findSlot(
    tx: StoreTx,
    facility: string,
    startTs: string,
    endTs: string,
    criteria: SlotCriteria,
  ): Promise<Timeslot | undefined> {
    const candidates = (await tx.findTimeslotsAt(facility, startTs, endTs)).filter(
      (s) =>
        (criteria.performer === undefined || same(s.performer, criteria.performer)) &&
        (criteria.resourceId === undefined || s.resourceId === criteria.resourceId) &&
        (criteria.timeTypeId === undefined || s.timeTypeId === criteria.timeTypeId) &&
        (criteria.careTypeId === undefined ||
          s.careTypeId === undefined ||
          s.careTypeId === criteria.careTypeId),
    );
    for (const slot of candidates) if (!(await tx.findActiveBookingOnSlot(slot.id))) return slot;
    return candidates[0];
  }

  async #timeTypeOf(tx: StoreTx, facility: string, id: string): Promise<TimeType | undefined> {
    return (await tx.listTimeTypes(facility)).find((t) => t.id === id);
  }

  /** MakeBooking: claims a free slot, or books an open invitation. Repeats are answered with the same booking. */
  async makeBooking(input: MakeBookingInput): Promise<ChangeOutcome<Booking>> {
    const now = this.#now();
    const result = await this.#change<Booking>(async (tx, emit) => {
      const slotById = input.id !== undefined ? await tx.getTimeslot(input.id) : undefined;
      if (input.id !== undefined && !slotById) {
        const existing = await tx.getBooking(input.id);
        if (!existing) return refused(refusal.slotNotFound);
        return this.#bookInvitation(tx, emit, existing, input, now);
      }
      const slot =
        slotById ?? (await this.#findSlot(tx, input.facility, input.startTs, input.endTs, input));
      if (
        !slot ||
        !same(slot.facility, input.facility) ||
        slot.start.ts !== input.startTs ||
        slot.end.ts !== input.endTs ||
        (input.performer !== undefined && !same(slot.performer, input.performer)) ||
        (input.timeTypeId !== undefined && slot.timeTypeId !== input.timeTypeId)
      )
        return refused(refusal.slotNotFound);
      if (slot.start.utcMs < now) return refused(refusal.slotInPast);
      const timeType = await this.#timeTypeOf(tx, slot.facility, slot.timeTypeId);
      if (!timeType) return refused(refusal.slotNotFound);
      if (input.origin === 'soap') {
        if (!timeType.webBookable || !(await tx.getFacility(slot.facility))?.webBookingEnabled)
          return refused(refusal.notBookableOnline);
        if (
          timeType.audience === 'returning-patients' &&
          !(await tx.hasBookingHistory(slot.facility, input.subjectOfCare))
        )
          return refused(refusal.notBookableOnline);
      }
      const holder = await tx.findActiveBookingOnSlot(slot.id);
      if (holder)
        return holder.subjectOfCare === input.subjectOfCare
          ? done(holder, timeType.bookingInfo)
          : refused(refusal.slotTaken);
      const booking: Booking = {
        id: this.#newId(),
        facility: slot.facility,
        subjectOfCare: input.subjectOfCare,
        patient: input.patient,
        isInvitation: false,
        slotId: slot.id,
        start: slot.start,
        end: slot.end,
        timeTypeId: slot.timeTypeId,
        ...optional('careTypeId', slot.careTypeId ?? input.careTypeId),
        ...optional('performer', slot.performer),
        ...optional('resourceId', slot.resourceId),
        ...optional('reason', input.reason),
        ...optional('notification', input.notification),
        status: 'active',
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      await tx.insertBooking(booking);
      emit({ kind: 'created', after: booking, origin: input.origin, atUtcMs: now });
      return done(booking, timeType.bookingInfo);
    });
    if ('taken' in result) return this.#answerTaken(result.taken, input.subjectOfCare);
    return result;
  }

  /** After a lost race for a slot: the same patient's repeated request gets its booking back. */
  async #answerTaken(slotId: string, subjectOfCare: string): Promise<ChangeOutcome<Booking>> {
    const holder = await this.#store.findActiveBookingOnSlot(slotId);
    if (holder && holder.subjectOfCare === subjectOfCare) {
      const timeType = (await this.#store.listTimeTypes(holder.facility)).find(
        (t) => t.id === holder.timeTypeId,
      );
      return done(holder, timeType?.bookingInfo);
    }
    return refused(refusal.slotTaken);
  }

  async #bookInvitation(
    tx: StoreTx,
    emit: Emit,
    invitation: Booking,
    input: MakeBookingInput,
    now: number,
  ): Promise<ChangeOutcome<Booking>> {
    if (invitation.subjectOfCare !== input.subjectOfCare) return refused(refusal.bookingNotYours);
    if (invitation.status !== 'active') return refused(refusal.bookingNotFound);
    if (cameFromInvitation(invitation)) {
      // Booked already: the platform's retry of the same request gets the same answer.
      const repeat = invitation.start?.ts === input.startTs && invitation.end?.ts === input.endTs;
      return repeat ? done(invitation) : refused(refusal.invitationAlreadyBooked);
    }
    if (!invitation.isInvitation || invitation.slotId) return refused(refusal.notAnOpenInvitation);
    if (invitation.expiresOn !== undefined && invitation.expiresOn < instantToDt(now))
      return refused(refusal.invitationExpired);

    const allowed = await this.facilitiesFor(invitation, tx, input.origin === 'soap');
    const facility = allowed.find((f) => same(f.hsaId, input.facility));
    if (!facility) return refused(refusal.facilityNotAllowed);
    const slot = await this.#findSlot(tx, facility.hsaId, input.startTs, input.endTs, {
      ...input,
      timeTypeId: invitation.timeTypeId,
    });
    if (!slot || (input.timeTypeId !== undefined && input.timeTypeId !== invitation.timeTypeId))
      return refused(refusal.slotNotFound);
    if (slot.start.utcMs < now) return refused(refusal.slotInPast);
    if (await tx.findActiveBookingOnSlot(slot.id)) return refused(refusal.slotTaken);
    const timeType = await this.#timeTypeOf(tx, slot.facility, slot.timeTypeId);
    const booked: Booking = {
      ...invitation,
      facility: slot.facility,
      patient: input.patient,
      isInvitation: false,
      slotId: slot.id,
      start: slot.start,
      end: slot.end,
      ...optional('careTypeId', slot.careTypeId ?? invitation.careTypeId),
      performer: slot.performer,
      resourceId: slot.resourceId,
      ...optional('reason', input.reason ?? invitation.reason),
      ...optional('notification', input.notification ?? invitation.notification),
      updatedAt: now,
      version: invitation.version + 1,
    };
    await tx.updateBooking(booked, invitation.version);
    emit({
      kind: 'created',
      before: invitation,
      after: booked,
      origin: input.origin,
      atUtcMs: now,
    });
    return done(booked, timeType?.bookingInfo);
  }

  /** UpdateBooking: moves a booking or timed invitation to another free slot; afterwards it is a booking. */
  async rebook(input: RebookInput): Promise<ChangeOutcome<Booking>> {
    const now = this.#now();
    const result = await this.#change<Booking>(async (tx, emit) => {
      const booking = await tx.getBooking(input.bookingId);
      if (!booking) return refused(refusal.bookingNotFound);
      if (input.subjectOfCare !== undefined && booking.subjectOfCare !== input.subjectOfCare)
        return refused(refusal.bookingNotYours);
      if (booking.status !== 'active') return refused(refusal.bookingCancelled);
      if (booking.isInvitation && !booking.slotId)
        return refused(refusal.openInvitationNeedsBooking);
      const timeType = await this.#timeTypeOf(tx, booking.facility, booking.timeTypeId);
      if (input.origin === 'soap' && !timeType?.rebookAllowed)
        return refused(refusal.rebookNotAllowed);
      if (booking.start && booking.start.utcMs < now) return refused(refusal.bookingPassed);
      const allowed = await this.facilitiesFor(booking, tx, input.origin === 'soap');
      const facility = allowed.find((f) => same(f.hsaId, input.facility));
      if (!facility) return refused(refusal.facilityNotAllowed);
      if (input.timeTypeId !== undefined && input.timeTypeId !== booking.timeTypeId)
        return refused(refusal.slotNotFound);
      const slot = await this.#findSlot(tx, facility.hsaId, input.startTs, input.endTs, {
        ...input,
        timeTypeId: booking.timeTypeId,
      });
      if (!slot) return refused(refusal.slotNotFound);
      if (slot.start.utcMs < now) return refused(refusal.slotInPast);
      if (slot.id === booking.slotId && !booking.isInvitation && !input.patient)
        return done(booking); // a repeat of a move already made
      const moved: Booking = {
        ...booking,
        facility: slot.facility,
        isInvitation: false,
        slotId: slot.id,
        start: slot.start,
        end: slot.end,
        ...optional('careTypeId', slot.careTypeId ?? booking.careTypeId),
        // The new slot's performer and resource replace the old ones, absent included.
        performer: slot.performer,
        resourceId: slot.resourceId,
        patient: input.patient ?? booking.patient,
        ...optional('notification', input.notification ?? booking.notification),
        updatedAt: now,
        version: booking.version + 1,
      };
      await tx.updateBooking(moved, booking.version);
      emit({ kind: 'changed', before: booking, after: moved, origin: input.origin, atUtcMs: now });
      return done(moved, timeType?.bookingInfo);
    });
    if ('taken' in result) return refused(refusal.slotTaken);
    return result;
  }

  /** CancelBooking (or staff withdrawing an invitation): frees the slot. Cancelling twice is not an error. */
  async cancel(input: CancelInput): Promise<ChangeOutcome<Booking>> {
    const now = this.#now();
    const result = await this.#change<Booking>(async (tx, emit) => {
      const booking = await tx.getBooking(input.bookingId);
      if (!booking || !same(booking.facility, input.facility))
        return refused(refusal.bookingNotFound);
      if (input.subjectOfCare !== undefined && booking.subjectOfCare !== input.subjectOfCare)
        return refused(refusal.bookingNotYours);
      if (booking.status === 'cancelled') return done(booking);
      const timeType = await this.#timeTypeOf(tx, booking.facility, booking.timeTypeId);
      if (input.origin === 'soap') {
        if (!timeType?.cancelAllowed) return refused(refusal.cancelNotAllowed);
        if (booking.start && booking.start.utcMs < now) return refused(refusal.bookingPassed);
      }
      const keepMessage =
        input.message !== undefined && input.message !== '' && timeType?.messageAllowed;
      const cancelled: Booking = {
        ...booking,
        status: 'cancelled',
        ...optional('cancelMessage', keepMessage ? input.message : undefined),
        updatedAt: now,
        version: booking.version + 1,
      };
      await tx.updateBooking(cancelled, booking.version);
      emit({
        kind: 'cancelled',
        before: booking,
        after: cancelled,
        origin: input.origin,
        atUtcMs: now,
      });
      return done(cancelled);
    });
    if ('taken' in result) return refused(refusal.changedMeanwhile);
    return result;
  }

  /**
   * Housekeeping (policy §3.1 item 3): reports each booking whose time has
   * passed and each open invitation whose last day has gone as an `expired`
   * change (origin `housekeeping`), exactly once. The store's mark is written
   * in the same transaction as the listeners' messages, so neither a crash
   * nor a second process can report a booking twice or lose the report.
   * Works in transactions of at most `batchSize` bookings; resolves to how
   * many were reported.
   */
  async expireEnded(options: { readonly batchSize?: number } = {}): Promise<number> {
    const batchSize = options.batchSize ?? 500;
    let total = 0;
    for (;;) {
      const now = this.#now();
      let found = 0;
      const result = await this.#change<number>(async (tx, emit) => {
        const ended = await tx.listExpiring({
          endedBeforeUtcMs: now,
          expiresBeforeDt: instantToDt(now),
          limit: batchSize,
        });
        found = ended.length;
        let reported = 0;
        for (const booking of ended) {
          if (!(await tx.markExpired(booking.id, now))) continue;
          emit({ kind: 'expired', after: booking, origin: 'housekeeping', atUtcMs: now });
          reported += 1;
        }
        return done(reported);
      });
      if ('taken' in result || !result.ok) break;
      total += result.value;
      if (found < batchSize) break;
    }
    return total;
  }

  /**
   * Staff create an invitation (kallelse): open, or timed on a free slot.
   * With an `id` that already exists nothing changes and the existing one is
   * returned with `created: false` (idempotent calendar import).
   */
  async createInvitation(
    input: NewInvitation,
    tx?: StoreTx,
  ): Promise<ChangeOutcome<{ booking: Booking; created: boolean }>> {
    const now = this.#now();
    if (tx) {
      // Inside a caller's transaction (calendar import): run listeners on the same tx.
      const changes: BookingChange[] = [];
      const outcome = await this.#createInvitationIn(tx, (c) => changes.push(c), input, now);
      for (const change of changes)
        for (const listener of this.#listeners) await listener(tx, change);
      return outcome;
    }
    const result = await this.#change((t, emit) => this.#createInvitationIn(t, emit, input, now));
    if ('taken' in result) return refused(refusal.slotTaken);
    return result;
  }

  async #createInvitationIn(
    t: StoreTx,
    emit: Emit,
    input: NewInvitation,
    now: number,
  ): Promise<ChangeOutcome<{ booking: Booking; created: boolean }>> {
    type Result = { booking: Booking; created: boolean };
    if (input.id !== undefined) {
      const existing = await t.getBooking(input.id);
      if (existing) return done({ booking: existing, created: false });
    }
    const facility = await t.getFacility(input.facility);
    if (!facility) return refused<Result>(refusal.slotNotFound);
    const timeType = await this.#timeTypeOf(t, facility.hsaId, input.timeTypeId);
    if (!timeType) return refused<Result>(refusal.slotNotFound);
    let slot: Timeslot | undefined;
    if (input.slotId !== undefined) {
      slot = await t.getTimeslot(input.slotId);
      if (!slot || !same(slot.facility, facility.hsaId))
        return refused<Result>(refusal.slotNotFound);
      if (slot.start.utcMs < now) return refused<Result>(refusal.slotInPast);
    }
    const booking: Booking = {
      id: input.id ?? this.#newId(),
      facility: facility.hsaId,
      subjectOfCare: input.subjectOfCare,
      patient: input.patient,
      isInvitation: true,
      ...(slot
        ? {
            slotId: slot.id,
            start: slot.start,
            end: slot.end,
            ...optional('performer', slot.performer),
            ...optional('resourceId', slot.resourceId),
          }
        : {}),
      timeTypeId: timeType.id,
      ...optional('careTypeId', slot?.careTypeId ?? input.careTypeId),
      purpose: input.purpose,
      ...optional('expiresOn', input.expiresOn),
      status: 'active',
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    await t.insertBooking(booking);
    emit({ kind: 'created', after: booking, origin: 'staff', atUtcMs: now });
    return done({ booking, created: true });
  }

  /**
   * Staff change an invitation (its text, type, slot or expiry). The scheduling
   * EI policy treats that as a new invitation (rivta-spec §3.3 "staff change an
   * invitation: delete + create"), so in one transaction the old one is
   * withdrawn and a new one, with a new id, is created; the answer is the new one.
   */
  async changeInvitation(
    id: string,
    changes: Partial<Omit<NewInvitation, 'id' | 'facility' | 'subjectOfCare'>>,
  ): Promise<ChangeOutcome<Booking>> {
    const now = this.#now();
    const result = await this.#change<Booking>(async (tx, emit) => {
      const old = await tx.getBooking(id);
      if (!old || old.status !== 'active') return refused(refusal.bookingNotFound);
      if (!old.isInvitation) return refused(refusal.notAnOpenInvitation);
      const withdrawn: Booking = {
        ...old,
        status: 'cancelled',
        updatedAt: now,
        version: old.version + 1,
      };
      await tx.updateBooking(withdrawn, old.version);
      emit({ kind: 'cancelled', before: old, after: withdrawn, origin: 'staff', atUtcMs: now });
      const slotId = 'slotId' in changes ? changes.slotId : old.slotId;
      const careTypeId = changes.careTypeId ?? old.careTypeId;
      const expiresOn = 'expiresOn' in changes ? changes.expiresOn : old.expiresOn;
      const created = await this.#createInvitationIn(
        tx,
        emit,
        {
          facility: old.facility,
          subjectOfCare: old.subjectOfCare,
          patient: changes.patient ?? old.patient,
          timeTypeId: changes.timeTypeId ?? old.timeTypeId,
          purpose: changes.purpose ?? old.purpose ?? '',
          ...optional('careTypeId', careTypeId),
          ...optional('slotId', slotId),
          ...optional('expiresOn', expiresOn),
        },
        now,
      );
      if (!created.ok) throw new RefusedChange(created.text);
      return done(created.value.booking);
    }).catch((err: unknown) => {
      // A refusal after the withdrawal must undo it: thrown to roll back, answered here.
      if (err instanceof RefusedChange) return refused<Booking>(err.text);
      throw err;
    });
    if ('taken' in result) return refused(refusal.slotTaken);
    return result;
  }
}

/** Rolls back a transaction whose later step was refused after an earlier step wrote. */
class RefusedChange extends Error {
  constructor(readonly text: RefusalText) {
    super(text);
  }
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

/** `{ key: value }` when value is defined, else `{}`: keeps optional fields truly absent. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
