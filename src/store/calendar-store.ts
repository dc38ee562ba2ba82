/**
 * The seam between the domain and persistence. The domain speaks these verbs;
 * each implementation (`sqlite/`, `postgres/`) owns its SQL and driver calls
 * and must pass the shared suite in `test/store-contract/`. What they share
 * lives in `core/`: row types and mappers (`rows.ts`), the upserts
 * (`upserts.ts`), the reader delegation and transaction guard
 * (`statements.ts`, `guarded-tx.ts`, `store-core.ts`) and the migration
 * runner (`migration-runner.ts`).
 *
 * Adding a table (for a new channel, say): one new migration step at the end
 * of `sqlite/migrations.ts` and one at the end of `postgres/migrations.ts`,
 * each with its list's next version (the lists are numbered apart; DDL that
 * is the same on both is written once in `core/shared-migration-steps.ts`);
 * new verbs go on {@link StoreTx} (or a
 * channel's own store), its row shape in `core/rows.ts`, and its SQL in each
 * database's queries.
 *
 * Rules every implementation keeps:
 * - Writes happen only inside {@link CalendarStore.transaction}, on the `tx`
 *   it hands out; outbox messages appended there commit or roll back with
 *   the booking change (transactional outbox).
 * - Claiming a slot, moving a booking and cancelling are atomic in the store
 *   itself: at most one active booking per timeslot is a database constraint,
 *   and every booking update checks the version it was read at. Callers never
 *   need read-then-write locking of their own.
 * - HSA-ids are matched case-insensitively (TKB-G §3.8) and returned as stored.
 * - Failures surface as the errors in `errors.ts`, never as driver errors. A
 *   database that cannot do the work now (lost connection, write lock held by
 *   another process) is a `StoreUnavailableError`; the store has then
 *   already retried once where nothing was written.
 *
 * @module
 */
import type {
  Booking,
  CareType,
  Facility,
  FreeTimeslot,
  PatientIdentifier,
  Performer,
  Resource,
  Timeslot,
  TimeType,
} from '../domain/types.ts';
import type { OutboxStore } from '../outbox/outbox-store.ts';
import type { StoredWebhookSubscription } from '../channels/webhooks/webhook-subscription.ts';
import type { AppliedMigration } from './core/migration-runner.ts';
import type { UnavailableReason } from './errors.ts';

/** Filters for {@link CalendarReader.findFreeTimeslots}. Absent fields do not filter. */
export interface FreeTimeslotQuery {
  /** Facilities to search (HSA-ids, any case). */
  readonly facilities: readonly string[];
  /** Inclusive lower bound on the slot start (UTC ms). Callers pass max(now, range start). */
  readonly fromUtcMs: number;
  /** Exclusive upper bound on the slot start (UTC ms). */
  readonly toUtcMs: number;
  readonly timeTypeIds?: readonly string[];
  readonly careTypeId?: string;
  /** Any of these performers. */
  readonly performers?: readonly string[];
  readonly resourceId?: string;
  /** Maximum rows, in start order. */
  readonly limit?: number;
}

/** Filters for {@link CalendarReader.listExpiring}. */
export interface ExpiringQuery {
  /** Bookings and timed invitations that end before this instant (UTC ms) are over. */
  readonly endedBeforeUtcMs: number;
  /** Open invitations whose `expiresOn` (`yyyyMMdd`) is before this date have expired. */
  readonly expiresBeforeDt: string;
  /** Maximum rows, in id order. */
  readonly limit: number;
}

/** A message for a delivery channel (EI, later webhooks), written with the change that caused it. */
export interface NewOutboxMessage {
  /** Channel name, e.g. `engagement-index`. */
  readonly channel: string;
  /**
   * Ordering key: messages with the same key are delivered strictly in the
   * order they were appended, never two at once (EI key, rivta-spec §4).
   */
  readonly key: string;
  /** Channel-specific JSON payload. */
  readonly payload: unknown;
  /** Do not deliver before this instant (UTC ms); used to step out of EI's collect window. */
  readonly notBeforeUtcMs?: number;
}

/** A message as the outbox holds it. */
export interface OutboxMessage {
  /** Global append order: a later append always has a greater id. */
  readonly id: number;
  readonly channel: string;
  readonly key: string;
  readonly payload: unknown;
  /** `notBeforeUtcMs` as appended, or the append time when none was given. */
  readonly notBeforeUtcMs: number;
  readonly createdAtUtcMs: number;
}

/** Counts of what a store holds; see {@link CalendarStore.stats}. */
export interface StoreStats {
  readonly facilities: number;
  readonly timeslots: number;
  readonly activeBookings: number;
  /** Messages in any state. */
  readonly outbox: number;
}

/** Read verbs, available on the store and on a transaction. */
export interface CalendarReader {
  /** The facility with this HSA-id, compared case-insensitively. */
  getFacility(hsaId: string): Promise<Facility | undefined>;
  listFacilities(): Promise<Facility[]>;
  /** Time types of a facility, ordered by id. */
  listTimeTypes(facility: string): Promise<TimeType[]>;
  /** Care types of a facility, ordered by id. */
  listCareTypes(facility: string): Promise<CareType[]>;
  /** Performers of a facility, ordered by HSA-id. */
  listPerformers(facility: string): Promise<Performer[]>;
  /** Resources of a facility, ordered by id. */
  listResources(facility: string): Promise<Resource[]>;
  getTimeslot(id: string): Promise<Timeslot | undefined>;
  /** Timeslots at a facility that start and end at these local times (any booking state). */
  findTimeslotsAt(facility: string, startTs: string, endTs: string): Promise<Timeslot[]>;
  /** Timeslots with no active booking, joined with display names, ordered by start then id. */
  findFreeTimeslots(query: FreeTimeslotQuery): Promise<FreeTimeslot[]>;
  getBooking(id: string): Promise<Booking | undefined>;
  /** The active booking holding a slot, if any. */
  findActiveBookingOnSlot(slotId: string): Promise<Booking | undefined>;
  /** Active bookings and invitations of a patient at a facility, ordered by start (open ones last). */
  listActiveBookingsOfSubject(facility: string, subjectOfCare: string): Promise<Booking[]>;
  /** Whether the patient has ever had a booking at the facility (any status). */
  hasBookingHistory(facility: string, subjectOfCare: string): Promise<boolean>;
  /** Active bookings at a facility, ordered by id (EI reload, housekeeping). */
  listActiveBookings(facility: string): Promise<Booking[]>;
  /**
   * Active bookings and invitations whose time is over and whose end has not
   * been recorded with {@link StoreTx.markExpired} yet (housekeeping, policy
   * §3.1 item 3): those that end before `endedBeforeUtcMs`, and open
   * invitations whose `expiresOn` is before `expiresBeforeDt`. Any facility,
   * ordered by id, at most `limit`.
   */
  listExpiring(query: ExpiringQuery): Promise<Booking[]>;
  /** The other national identifiers staff recorded for a patient (any facility), ordered by system. */
  listPatientIdentifiers(subjectOfCare: string): Promise<PatientIdentifier[]>;
}

/**
 * Everything a transaction can do: the reads plus the writes.
 *
 * A write that throws one of the store errors has changed nothing, and the
 * transaction stays usable: the caller may catch the error and go on (or
 * commit what it did before). A `tx` refuses every call with
 * {@link TransactionMisuseError} once its transaction has ended.
 */
export interface StoreTx extends CalendarReader {
  /**
   * Claims `booking.slotId` for a new booking, or stores an open invitation
   * (no slot). Throws {@link TimeslotTakenError} when the slot has an active
   * booking, {@link NotFoundError} when the slot or the facility does not
   * exist and {@link AlreadyExistsError} when the booking id is in use.
   */
  insertBooking(booking: Booking): Promise<void>;
  /**
   * Replaces a booking (move, cancel, change of details) if it is still at
   * `expectedVersion`; the new state must carry `expectedVersion + 1`.
   * Throws {@link ConcurrentUpdateError} on a version mismatch,
   * {@link TimeslotTakenError} when moving onto a slot that is taken,
   * {@link NotFoundError} when the booking or the new slot does not exist, and
   * `RangeError` when `booking.version` is not `expectedVersion + 1`.
   */
  updateBooking(booking: Booking, expectedVersion: number): Promise<void>;
  /**
   * Records that an active booking's end (or an open invitation's expiry)
   * has been reported, so housekeeping reports it once: it then leaves
   * {@link CalendarReader.listExpiring}. The booking itself (and its version)
   * is unchanged. Returns true when this call recorded it; false when it was
   * recorded already, or the booking is not active or not stored.
   */
  markExpired(bookingId: string, atUtcMs: number): Promise<boolean>;

  /**
   * Records a patient's identifier in a system, replacing the one recorded
   * in that system; true when something changed.
   */
  setPatientIdentifier(subjectOfCare: string, identifier: PatientIdentifier): Promise<boolean>;
  /** Forgets a patient's identifier in a system; true when there was one. */
  removePatientIdentifier(subjectOfCare: string, system: string): Promise<boolean>;
  /** Appends messages to the outbox in this transaction, in order. */
  appendOutbox(messages: readonly NewOutboxMessage[]): Promise<void>;
  /**
   * The enabled webhook subscriptions, oldest first, as this transaction
   * sees them: the webhooks listener writes one message per matching one
   * with the change (the rest of their verbs are the channel's own store).
   */
  listEnabledWebhookSubscriptions(): Promise<StoredWebhookSubscription[]>;

  /*
   * Calendar maintenance (import). Each upsert inserts or replaces by key and
   * returns true only when something changed, so importing the same calendar
   * twice reports no changes. HSA-id keys match case-insensitively and keep
   * the spelling first stored; a change of case alone is no change. Naming a
   * facility (or, for a timeslot, a time type) that is not stored throws
   * NotFoundError: import facilities first, then their types, then slots.
   */

  /** Inserts or replaces a facility, keyed by HSA-id; true when something changed. */
  upsertFacility(facility: Facility): Promise<boolean>;
  /** Inserts or replaces a time type, keyed by facility and id; true when something changed. */
  upsertTimeType(timeType: TimeType): Promise<boolean>;
  /** Inserts or replaces a care type, keyed by facility and id; true when something changed. */
  upsertCareType(careType: CareType): Promise<boolean>;
  /** Inserts or replaces a performer, keyed by facility and HSA-id; true when something changed. */
  upsertPerformer(performer: Performer): Promise<boolean>;
  /** Inserts or replaces a resource, keyed by facility and id; true when something changed. */
  upsertResource(resource: Resource): Promise<boolean>;
  /** Inserts or replaces a timeslot, keyed by id; true when something changed. */
  upsertTimeslot(timeslot: Timeslot): Promise<boolean>;
}

/** What an implementation can do differently, so callers never branch on the database kind. */
export interface StoreCapabilities {
  /** Several processes may share the store (PostgreSQL), so the outbox needs claims that skip locked rows. */
  readonly supportsSeveralProcesses: boolean;
}

export interface CalendarStore extends CalendarReader {
  readonly capabilities: StoreCapabilities;
  /**
   * A value that changes whenever committed calendar data (timeslots,
   * bookings, facilities, types) may have changed, whether by this process
   * or another, and has changed by the time the writing transaction's
   * `transaction()` call resolves. Reads may be cached for as long as it
   * stays the same: read it before the data it guards. SQLite answers at
   * once; PostgreSQL reads one row that every instance's writes bump. A
   * store that cannot tell leaves it out, and then nothing may be cached.
   */
  calendarVersion?(): string | Promise<string>;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back
   * when it throws (the error is rethrown). Transactions are isolated from
   * each other; an implementation may serialise them.
   *
   * Inside `fn`, use only `tx`: calling the store itself (a read, another
   * `transaction`, `close`) throws {@link TransactionMisuseError}, because a
   * serialising store would wait for `fn` forever.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Counts of what the store holds (outbox: messages in any state), for start-up output and tests. */
  stats(): Promise<StoreStats>;
  /**
   * Outbox messages in append order, for inspection and tests (delivery
   * state is the dispatcher's business).
   * @param query - `afterId`: only messages appended after this one; `limit`: at most this many.
   */
  listOutbox(query?: { afterId?: number; limit?: number }): Promise<OutboxMessage[]>;
  /** The outbox dispatch verbs over this store's database (the dispatchers' seam). */
  outboxStore(): OutboxStore;
  /** The schema migrations applied to the database, oldest first (`tidbok migrate`, readiness). */
  appliedMigrations(): Promise<AppliedMigration[]>;
  /** The newest schema version this program knows for the database. */
  readonly newestMigration: number;
  /**
   * How often the database was unavailable since the store opened, by reason
   * (each a `StoreUnavailableError`, retried or not), for `/metrics`.
   */
  unavailableCounts(): Readonly<Record<UnavailableReason, number>>;
  /** Waits for running transactions, then releases the database; later calls throw. */
  close(): Promise<void>;
}
