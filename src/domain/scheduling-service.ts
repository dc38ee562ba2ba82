/**
 * The booking rules, shared by the SOAP operations and staff actions, behind
 * one entry point. Each concern lives in its own module:
 * - availability-search.ts: free slots and the time types a patient may see;
 * - booking-changes.ts: MakeBooking, UpdateBooking, CancelBooking, expiry;
 * - invitations.ts: staff create and change invitations, patients book them;
 * - reference-data.ts: partner facilities and the names bookings are shown with.
 *
 * Every change runs in one store transaction together with its change
 * listeners (the EI outbox), so a booking never commits without its
 * notifications (change-transaction.ts).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type {
  CalendarReader,
  CalendarStore,
  CalendarView,
  StoreTx,
} from '../store/calendar-store.ts';
import {
  AvailabilitySearch,
  type Availability,
  type AvailabilityQuery,
} from './availability-search.ts';
import type { BookingChangeListener } from './booking-change.ts';
import {
  BookingChanges,
  type CancelInput,
  type MakeBookingInput,
  type RebookInput,
} from './booking-changes.ts';
import type { SchedulingContext } from './change-transaction.ts';
import { Invitations, type NewInvitation } from './invitations.ts';
import { announceWebBookingSwitch, type QueuedPerChannel } from './web-booking-switch.ts';
import {
  describeBookings,
  facilitiesFor,
  facilitiesFrom,
  type DescribedBooking,
} from './reference-data.ts';
import type { ChangeOutcome } from './refusals.ts';
import type { Booking, Facility, ShownBooking, TimeType } from './types.ts';

export {
  AVAILABILITY_CACHE_ENTRIES,
  MAX_TIMESLOTS_FOR_DATES,
  MAX_TIMESLOTS_PER_ANSWER,
  type Availability,
  type AvailabilityQuery,
} from './availability-search.ts';
export type { CancelInput, MakeBookingInput, RebookInput } from './booking-changes.ts';
export type { NewInvitation } from './invitations.ts';
export { performerName } from './reference-data.ts';
export type { SlotCriteria } from './slot-lookup.ts';

export interface SchedulingServiceDeps {
  readonly store: CalendarStore;
  readonly listeners?: readonly BookingChangeListener[];
  readonly now?: () => number;
  readonly newBookingId?: () => string;
  /** Called after a change committed (e.g. to wake the outbox dispatcher). */
  readonly onCommitted?: () => void;
}

export class SchedulingService {
  readonly #context: SchedulingContext;
  readonly #availability: AvailabilitySearch;
  readonly #changes: BookingChanges;
  readonly #invitations: Invitations;

  constructor(deps: SchedulingServiceDeps) {
    this.#context = {
      store: deps.store,
      listeners: deps.listeners ?? [],
      now: deps.now ?? Date.now,
      newId: deps.newBookingId ?? randomUUID,
      onCommitted: deps.onCommitted ?? (() => undefined),
    };
    this.#availability = new AvailabilitySearch(deps.store, this.#context.now);
    this.#invitations = new Invitations(this.#context);
    this.#changes = new BookingChanges(this.#context, this.#invitations);
  }

  get store(): CalendarStore {
    return this.#context.store;
  }

  now(): number {
    return this.#context.now();
  }

  /**
   * Tells the change listeners, on `tx`, that `facility` was switched on or
   * off for web booking (see {@link announceWebBookingSwitch}); returns the
   * outbox messages they queued, per channel.
   */
  announceWebBookingSwitch(
    tx: StoreTx,
    facility: Facility,
    on: boolean,
  ): Promise<QueuedPerChannel> {
    return announceWebBookingSwitch(this.#context, tx, facility, on);
  }

  // Queries

  /** Time types a patient may see online at a facility (see {@link AvailabilitySearch}). */
  visibleTimeTypes(
    facility: string,
    subjectOfCare: string,
    isAgent: boolean,
    calendar: CalendarView = this.store,
  ): Promise<TimeType[]> {
    return this.#availability.visibleTimeTypes(facility, subjectOfCare, isAgent, calendar);
  }

  /** Facilities where a booking may be moved or an invitation booked; `online` limits them to web booking. */
  facilitiesFor(
    booking: Booking,
    reader: CalendarReader = this.store,
    online = true,
  ): Promise<Facility[]> {
    return facilitiesFor(booking, reader, online);
  }

  /** Facilities a new booking can be made at from this one. */
  facilitiesFrom(facility: Facility, reader: CalendarReader = this.store): Promise<Facility[]> {
    return facilitiesFrom(facility, reader);
  }

  /**
   * Free timeslots for GetAvailableTimeslots / GetAvailableDates; `calendar`:
   * the request's view of the store (see {@link CalendarStore.view}).
   */
  findAvailability(
    query: AvailabilityQuery,
    calendar: CalendarView = this.store,
  ): Promise<Availability> {
    return this.#availability.findAvailability(query, calendar);
  }

  /** Everything needed to show a patient's booking: its time type and names. */
  describe<B extends ShownBooking>(
    bookings: readonly B[],
    facility: string,
    calendar: CalendarReader = this.store,
  ): Promise<DescribedBooking<B>[]> {
    return describeBookings(bookings, facility, calendar);
  }

  // Changes

  /** MakeBooking: claims a free slot, or books an open invitation. Repeats get the same booking. */
  makeBooking(input: MakeBookingInput): Promise<ChangeOutcome<Booking>> {
    return this.#changes.makeBooking(input);
  }

  /** UpdateBooking: moves a booking or timed invitation to another free slot. */
  rebook(input: RebookInput): Promise<ChangeOutcome<Booking>> {
    return this.#changes.rebook(input);
  }

  /** CancelBooking (or staff withdrawing an invitation). */
  cancel(input: CancelInput): Promise<ChangeOutcome<Booking>> {
    return this.#changes.cancel(input);
  }

  /** Housekeeping: reports ended bookings and expired invitations once each; resolves to how many. */
  expireEnded(options: { readonly batchSize?: number } = {}): Promise<number> {
    return this.#changes.expireEnded(options);
  }

  /** Staff create an invitation; inside `tx` when a calendar import creates it. */
  createInvitation(
    input: NewInvitation,
    tx?: StoreTx,
  ): Promise<ChangeOutcome<{ booking: Booking; created: boolean }>> {
    return this.#invitations.create(input, tx);
  }

  /** Staff change an invitation: withdrawn and created anew, with a new id. */
  changeInvitation(
    id: string,
    changes: Partial<Omit<NewInvitation, 'id' | 'facility' | 'subjectOfCare'>>,
  ): Promise<ChangeOutcome<Booking>> {
    return this.#invitations.change(id, changes);
  }
}
