/**
 * Every SQL statement of the SQLite store, prepared once, and the mapping
 * between rows and domain values. Synchronous: the store decides when these
 * may run (inside its mutex, on an open transaction or alone).
 */
import type { StoredWebhookSubscription } from '../../channels/webhooks/webhook-subscription.ts';
import {
  toSubscription,
  WEBHOOK_SQL,
  type WebhookSubscriptionRow,
} from '../../channels/webhooks/webhook-subscription-sql.ts';
import Database from 'better-sqlite3';
import type { Booking, FreeTimeslot, PatientIdentifier } from '../../domain/types.ts';
import type {
  ExpiringQuery,
  FreeTimeslotQuery,
  NewOutboxMessage,
  OutboxMessage,
  StoreStats,
} from '../calendar-store.ts';
import {
  AlreadyExistsError,
  ConcurrentUpdateError,
  NotFoundError,
  TimeslotTakenError,
} from '../errors.ts';
import { foldNoCase } from '../core/reference-cache.ts';
import * as shared from '../core/rows.ts';
import type { Statements } from '../core/statements.ts';
import {
  UPSERTS,
  upsertSql,
  type Upsert,
  type UpsertKind,
  type UpsertRecord,
} from '../core/upserts.ts';
import { boundLimit } from './bound-limit.ts';

/**
 * A patient's bookings at a facility in the order the schedule shows them,
 * each row as one JSON array: a schedule can hold a thousand rows, and
 * better-sqlite3 on Node 20 builds a row with one V8 call per column (about
 * 190 ns a value; its Node 22 build makes the array at once). One JSON text
 * per row is one value, and JSON.parse builds the array on V8's fast path:
 * 1.2 ms against 1.9 ms for 1,000 rows of 15 columns. The rows come in
 * order from the `bookings_schedule_shown` index alone (migration 11), with
 * no sort and no visit to the table.
 */
export const SCHEDULE_OF_SUBJECT_SQL = `SELECT json_array(${shared.SHOWN_BOOKING_COLUMNS.join(', ')})
  FROM bookings
  WHERE facility = ? AND subject_of_care = ? AND status = 'active' AND slot_id IS NOT NULL
  ORDER BY start_utc_ms, id`;

/** better-sqlite3 binds numbers, not booleans. */
const bit = (b: boolean): number => (b ? 1 : 0);

/** Display names for one facility's slots, each looked up once. */
export interface SlotNames {
  readonly facility: string | undefined;
  timeType(id: string): string | undefined;
  careType(id: string | null): string | null;
  performer(hsaId: string | null): string | null;
  resource(id: string | null): string | null;
}

/**
 * A timeslot row as the free-slot search reads it: the values alone, in the
 * order of TIMESLOT_COLUMNS (better-sqlite3's raw mode). A row object, built
 * key by key, cost about 2.5 µs a row on the benchmark machine, more than
 * finding the row; an array about half that.
 */
type FreeSlotRow = [
  id: string,
  facility: string,
  startTs: string,
  startUtcMs: number,
  endTs: string,
  endUtcMs: number,
  timeTypeId: string,
  careTypeId: string | null,
  performer: string | null,
  resourceId: string | null,
];

function toFreeTimeslot(r: FreeSlotRow, names: SlotNames): FreeTimeslot | undefined {
  const [
    id,
    facility,
    startTs,
    startUtcMs,
    endTs,
    endUtcMs,
    timeTypeId,
    careTypeId,
    performer,
    resourceId,
  ] = r;
  const facilityName = names.facility;
  const timeTypeName = names.timeType(timeTypeId);
  // The joins these lookups replace were inner joins for facility and time type.
  if (facilityName === undefined || timeTypeName === undefined) return undefined;
  const slot: shared.Writable<FreeTimeslot> = {
    id,
    facility,
    start: { ts: startTs, utcMs: startUtcMs },
    end: { ts: endTs, utcMs: endUtcMs },
    timeTypeId,
    facilityName,
    timeTypeName,
  };
  if (careTypeId !== null) slot.careTypeId = careTypeId;
  if (performer !== null) slot.performer = performer;
  if (resourceId !== null) slot.resourceId = resourceId;
  const careTypeName = names.careType(careTypeId);
  if (careTypeName !== null) slot.careTypeName = careTypeName;
  const performerName = names.performer(performer);
  if (performerName !== null) slot.performerName = performerName;
  const resourceName = names.resource(resourceId);
  if (resourceName !== null) slot.resourceName = resourceName;
  return slot;
}

/** `lookup` once per distinct key (folded with `fold`), remembered as long as the memo lives. */
function memo<T>(lookup: (key: string) => T, fold: (key: string) => string = (k) => k) {
  const seen = new Map<string, T>();
  return (key: string): T => {
    const folded = fold(key);
    if (seen.has(folded)) return seen.get(folded)!;
    const value = lookup(key);
    seen.set(folded, value);
    return value;
  };
}

// The SQLite spelling of the shared upserts: `IS NOT` compares NULLs as
// values, and on a COLLATE NOCASE column treats a change of case as none.
const upsertStatement = (u: Upsert<never>) =>
  upsertSql(
    u,
    () => '?',
    (c, e) => `${c} IS NOT ${e}`,
  );

/** The conditions every free-slot walk applies, and its order and cut. */
const FREE_SLOT_CONDITIONS = `
  AND t.start_utc_ms >= @from AND t.start_utc_ms < @to
  AND (@time_type_ids IS NULL OR t.time_type_id IN (SELECT value FROM json_each(@time_type_ids)))
  AND (@care_type_id IS NULL OR t.care_type_id = @care_type_id)
  AND (@resource_id IS NULL OR t.resource_id = @resource_id)
  AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.slot_id = t.id AND b.status = 'active')
ORDER BY t.start_utc_ms, t.id
${boundLimit('@limit')}`;

/**
 * Free slots of one facility, without their display names: joining five name
 * tables per row cost more than the walk itself (about 8 µs a row on the
 * benchmark machine), so the names are looked up once per distinct value
 * afterwards (see `SqliteQueries.findFreeTimeslots`).
 */
export const FREE_TIMESLOTS_SQL = `
SELECT ${shared.TIMESLOT_COLUMNS.map((c) => `t.${c}`).join(', ')}
FROM timeslots t
WHERE t.facility = @facility${FREE_SLOT_CONDITIONS}`;

/**
 * Free slots of one performer at one facility. Patients usually search for
 * one or two named performers: walking only their slots reads a fifth to a
 * tenth of the rows the facility walk reads and filters. The planner, with no
 * statistics, would take the facility index (it also gives the order), hence
 * INDEXED BY.
 */
export const FREE_TIMESLOTS_OF_PERFORMER_SQL = `
SELECT ${shared.TIMESLOT_COLUMNS.map((c) => `t.${c}`).join(', ')}
FROM timeslots t INDEXED BY timeslots_by_facility_performer_start
WHERE t.facility = @facility AND t.performer = @performer${FREE_SLOT_CONDITIONS}`;

/** `values` without repeats, as a COLLATE NOCASE column would see them. */
function distinctNoCase(values: readonly string[]): string[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const folded = foldNoCase(v);
    if (seen.has(folded)) return false;
    seen.add(folded);
    return true;
  });
}

function sqliteCode(error: unknown): string | undefined {
  return error instanceof Database.SqliteError ? error.code : undefined;
}

/** Turns a foreign-key failure into the store's NotFoundError; other errors pass unchanged. */
function notFoundOnForeignKey<T>(what: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (sqliteCode(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY')
      throw new NotFoundError(`${what} names a facility or type that is not stored`);
    throw error;
  }
}

export class SqliteQueries implements Statements {
  readonly #now: () => number;
  readonly #s;

  constructor(db: Database.Database, now: () => number) {
    this.#now = now;
    const prepare = (sql: string) => db.prepare<unknown[], unknown>(sql);
    this.#s = {
      getFacility: prepare('SELECT * FROM facilities WHERE hsa_id = ?'),
      listFacilities: prepare('SELECT * FROM facilities ORDER BY hsa_id'),
      listTimeTypes: prepare('SELECT * FROM time_types WHERE facility = ? ORDER BY id'),
      listCareTypes: prepare('SELECT * FROM care_types WHERE facility = ? ORDER BY id'),
      listPerformers: prepare('SELECT * FROM performers WHERE facility = ? ORDER BY hsa_id'),
      listResources: prepare('SELECT * FROM resources WHERE facility = ? ORDER BY id'),
      getTimeslot: prepare('SELECT * FROM timeslots WHERE id = ?'),
      // The unary + keeps the planner from walking a whole facility in start order
      // to skip a sort of the one or two rows the local-time index finds.
      findTimeslotsAt: prepare(
        'SELECT * FROM timeslots WHERE facility = ? AND start_ts = ? AND end_ts = ? ORDER BY +start_utc_ms, id',
      ),
      findFreeTimeslots: prepare(FREE_TIMESLOTS_SQL).raw(),
      findFreeTimeslotsOfPerformer: prepare(FREE_TIMESLOTS_OF_PERFORMER_SQL).raw(),
      facilityName: prepare('SELECT name FROM facilities WHERE hsa_id = ?'),
      timeTypeName: prepare('SELECT name FROM time_types WHERE facility = ? AND id = ?'),
      careTypeName: prepare('SELECT name FROM care_types WHERE facility = ? AND id = ?'),
      performerNames: prepare('SELECT * FROM performers WHERE facility = ? AND hsa_id = ?'),
      resourceName: prepare('SELECT name FROM resources WHERE facility = ? AND id = ?'),
      getBooking: prepare('SELECT * FROM bookings WHERE id = ?'),
      findActiveBookingOnSlot: prepare(
        "SELECT * FROM bookings WHERE slot_id = ? AND status = 'active'",
      ),
      listActiveBookingsOfSubject: prepare(
        `SELECT * FROM bookings WHERE facility = ? AND subject_of_care = ? AND status = 'active'
         ORDER BY start_utc_ms IS NULL, start_utc_ms, id`,
      ),
      listScheduleOfSubject: prepare(SCHEDULE_OF_SUBJECT_SQL).pluck(),
      hasBookingHistory: prepare(
        'SELECT 1 FROM bookings WHERE facility = ? AND subject_of_care = ? LIMIT 1',
      ),
      listActiveBookings: prepare(
        "SELECT * FROM bookings WHERE facility = ? AND status = 'active' ORDER BY id",
      ),
      // Two index-backed halves (see migration 3), merged in id order.
      listExpiring: prepare(
        `SELECT * FROM bookings
         WHERE status = 'active' AND expired_at_utc_ms IS NULL AND end_utc_ms < @ended
         UNION
         SELECT * FROM bookings
         WHERE status = 'active' AND expired_at_utc_ms IS NULL AND slot_id IS NULL
           AND expires_on < @expires
         ORDER BY id ${boundLimit('@limit')}`,
      ),
      listPatientIdentifiers: prepare(
        'SELECT system, value FROM patient_identifiers WHERE subject_of_care = ? ORDER BY system',
      ),
      setPatientIdentifier: prepare(
        `INSERT INTO patient_identifiers (subject_of_care, system, value) VALUES (?, ?, ?)
         ON CONFLICT (subject_of_care, system) DO UPDATE SET value = excluded.value
         WHERE value <> excluded.value`,
      ),
      removePatientIdentifier: prepare(
        'DELETE FROM patient_identifiers WHERE subject_of_care = ? AND system = ?',
      ),
      markExpired: prepare(
        `UPDATE bookings SET expired_at_utc_ms = ?
         WHERE id = ? AND status = 'active' AND expired_at_utc_ms IS NULL`,
      ),
      insertBooking: prepare(
        `INSERT INTO bookings (${shared.BOOKING_COLUMNS.join(', ')})
         VALUES (${shared.BOOKING_COLUMNS.map(() => '?').join(', ')})`,
      ),
      // The values in BOOKING_COLUMNS order but the id, then the id and the expected version.
      updateBooking: prepare(
        `UPDATE bookings SET ${shared.BOOKING_COLUMNS.slice(1)
          .map((c) => `${c} = ?`)
          .join(', ')}
         WHERE id = ? AND version = ?`,
      ),
      bookingExists: prepare('SELECT 1 FROM bookings WHERE id = ?'),
      timeslotExists: prepare('SELECT 1 FROM timeslots WHERE id = ?'),
      facilityExists: prepare('SELECT 1 FROM facilities WHERE hsa_id = ?'),
      listEnabledWebhookSubscriptions: prepare(WEBHOOK_SQL.listEnabled),
      appendOutbox: prepare(
        `INSERT INTO outbox (channel, key, payload, not_before_utc_ms, created_at_utc_ms, next_attempt_utc_ms)
         VALUES (@channel, @key, @payload, @not_before, @created_at, @not_before)`,
      ),
      listOutbox: prepare(
        `SELECT id, channel, key, payload, not_before_utc_ms, created_at_utc_ms
         FROM outbox WHERE id > ? ORDER BY id ${boundLimit('?')}`,
      ),
      ...upsertStatements(prepare),
      stats: prepare(shared.STATS_SQL),
    };
  }

  getFacility(hsaId: string) {
    const row = this.#s.getFacility.get(hsaId) as shared.FacilityRow | undefined;
    return row && shared.toFacility(row);
  }

  listFacilities() {
    return (this.#s.listFacilities.all() as shared.FacilityRow[]).map(shared.toFacility);
  }

  listTimeTypes(facility: string) {
    return (this.#s.listTimeTypes.all(facility) as shared.TimeTypeRow[]).map(shared.toTimeType);
  }

  listCareTypes(facility: string) {
    return (this.#s.listCareTypes.all(facility) as shared.NamedRow[]).map(shared.toNamed);
  }

  listPerformers(facility: string) {
    return (this.#s.listPerformers.all(facility) as shared.PerformerRow[]).map(shared.toPerformer);
  }

  listResources(facility: string) {
    return (this.#s.listResources.all(facility) as shared.NamedRow[]).map(shared.toNamed);
  }

  getTimeslot(id: string) {
    const row = this.#s.getTimeslot.get(id) as shared.TimeslotRow | undefined;
    return row && shared.toTimeslot(row);
  }

  findTimeslotsAt(facility: string, startTs: string, endTs: string) {
    const rows = this.#s.findTimeslotsAt.all(facility, startTs, endTs) as shared.TimeslotRow[];
    return rows.map(shared.toTimeslot);
  }

  /** `namesOf`: where display names come from; by default looked up for this call alone. */
  findFreeTimeslots(
    query: FreeTimeslotQuery,
    namesOf: (facility: string) => SlotNames = (facility) => this.slotNames(facility),
  ): FreeTimeslot[] {
    const limit = query.limit ?? -1;
    if (limit === 0) return [];
    const params = {
      from: query.fromUtcMs,
      to: query.toUtcMs,
      time_type_ids: query.timeTypeIds ? JSON.stringify(query.timeTypeIds) : null,
      care_type_id: query.careTypeId ?? null,
      resource_id: query.resourceId ?? null,
      limit,
    };
    // One indexed walk per facility, or per facility and named performer, each
    // already in (start, id) order and cut at the limit, then a merge: a single
    // query with `facility IN (…)` would have to sort every slot in the range
    // before it could stop. The walks are disjoint: a slot has one performer.
    const performers = query.performers ? distinctNoCase(query.performers) : [null];
    const found: FreeTimeslot[] = [];
    let walks = 0;
    for (const facility of distinctNoCase(query.facilities)) {
      let names: SlotNames | undefined;
      for (const performer of performers) {
        walks += 1;
        const rows = (
          performer === null
            ? this.#s.findFreeTimeslots.all({ ...params, facility })
            : this.#s.findFreeTimeslotsOfPerformer.all({ ...params, facility, performer })
        ) as FreeSlotRow[];
        if (rows.length === 0) continue;
        names ??= namesOf(facility);
        for (const row of rows) {
          const slot = toFreeTimeslot(row, names);
          if (slot) found.push(slot);
        }
      }
    }
    return shared.mergeWalks(found, walks, limit < 0 ? undefined : limit);
  }

  /** Display names for `facility`'s slots, each looked up when first asked for. */
  slotNames(facility: string): SlotNames {
    const s = this.#s;
    const name = (row: unknown) => (row as { name: string } | undefined)?.name;
    const orNull = (lookup: (key: string) => string | undefined) => (key: string | null) =>
      key === null ? null : (lookup(key) ?? null);
    return {
      facility: name(s.facilityName.get(facility)),
      timeType: memo((id) => name(s.timeTypeName.get(facility, id))),
      careType: orNull(memo((id) => name(s.careTypeName.get(facility, id)))),
      performer: orNull(
        memo(
          (hsaId) => {
            const row = s.performerNames.get(facility, hsaId) as shared.PerformerRow | undefined;
            return (
              row && (shared.performerName(row.title, row.first_name, row.last_name) ?? undefined)
            );
          },
          (k) => k.toLowerCase(),
        ),
      ),
      resource: orNull(memo((id) => name(s.resourceName.get(facility, id)))),
    };
  }

  getBooking(id: string) {
    const row = this.#s.getBooking.get(id) as shared.BookingRow | undefined;
    return row && shared.toBooking(row);
  }

  findActiveBookingOnSlot(slotId: string) {
    const row = this.#s.findActiveBookingOnSlot.get(slotId) as shared.BookingRow | undefined;
    return row && shared.toBooking(row);
  }

  listActiveBookingsOfSubject(facility: string, subjectOfCare: string) {
    const rows = this.#s.listActiveBookingsOfSubject.all(
      facility,
      subjectOfCare,
    ) as shared.BookingRow[];
    return rows.map(shared.toBooking);
  }

  listScheduleOfSubject(facility: string, subjectOfCare: string) {
    const schedule = this.#s.listScheduleOfSubject.all(facility, subjectOfCare) as string[];
    return schedule.map((json) =>
      shared.toShownBooking(shared.shownBookingRowOf(JSON.parse(json) as unknown[])),
    );
  }

  hasBookingHistory(facility: string, subjectOfCare: string): boolean {
    return this.#s.hasBookingHistory.get(facility, subjectOfCare) !== undefined;
  }

  listActiveBookings(facility: string) {
    return (this.#s.listActiveBookings.all(facility) as shared.BookingRow[]).map(shared.toBooking);
  }

  listExpiring(query: ExpiringQuery) {
    const rows = this.#s.listExpiring.all({
      ended: query.endedBeforeUtcMs,
      expires: query.expiresBeforeDt,
      limit: query.limit,
    }) as shared.BookingRow[];
    return rows.map(shared.toBooking);
  }

  listPatientIdentifiers(subjectOfCare: string): PatientIdentifier[] {
    return this.#s.listPatientIdentifiers.all(subjectOfCare) as PatientIdentifier[];
  }

  setPatientIdentifier(subjectOfCare: string, identifier: PatientIdentifier): boolean {
    const { changes } = this.#s.setPatientIdentifier.run(
      subjectOfCare,
      identifier.system,
      identifier.value,
    );
    return changes === 1;
  }

  removePatientIdentifier(subjectOfCare: string, system: string): boolean {
    return this.#s.removePatientIdentifier.run(subjectOfCare, system).changes === 1;
  }

  markExpired(bookingId: string, atUtcMs: number): boolean {
    return this.#s.markExpired.run(atUtcMs, bookingId).changes === 1;
  }

  insertBooking(booking: Booking): void {
    if (this.#s.facilityExists.get(booking.facility) === undefined)
      throw new NotFoundError(`booking ${booking.id} names a facility that is not stored`);
    this.#checkSlotExists(booking);
    try {
      this.#s.insertBooking.run(shared.bookingValues(booking, bit));
    } catch (error) {
      throw this.#bookingWriteError(error, booking);
    }
  }

  updateBooking(booking: Booking, expectedVersion: number): void {
    this.#checkSlotExists(booking);
    let changes: number;
    try {
      const [id, ...rest] = shared.bookingValues(booking, bit);
      changes = this.#s.updateBooking.run([...rest, id, expectedVersion]).changes;
    } catch (error) {
      throw this.#bookingWriteError(error, booking);
    }
    if (changes === 0) {
      if (this.#s.bookingExists.get(booking.id) === undefined)
        throw new NotFoundError(`booking ${booking.id} is not stored`);
      throw new ConcurrentUpdateError(booking.id);
    }
  }

  #checkSlotExists(booking: Booking): void {
    if (booking.slotId !== undefined && this.#s.timeslotExists.get(booking.slotId) === undefined)
      throw new NotFoundError(`timeslot ${booking.slotId} is not stored`);
  }

  #bookingWriteError(error: unknown, booking: Booking): unknown {
    const code = sqliteCode(error);
    // Only the partial index on slot_id is a UNIQUE constraint on bookings; the id is the PRIMARYKEY.
    if (code === 'SQLITE_CONSTRAINT_UNIQUE') return new TimeslotTakenError(booking.slotId ?? '');
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
      return new AlreadyExistsError(`booking ${booking.id} already exists`);
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY')
      return new NotFoundError(`booking ${booking.id} names a facility or slot that is not stored`);
    return error;
  }

  listEnabledWebhookSubscriptions(): StoredWebhookSubscription[] {
    return (this.#s.listEnabledWebhookSubscriptions.all() as WebhookSubscriptionRow[]).map(
      toSubscription,
    );
  }

  appendOutbox(messages: readonly NewOutboxMessage[]): void {
    const createdAt = this.#now();
    for (const m of messages) {
      this.#s.appendOutbox.run({
        channel: m.channel,
        key: m.key,
        payload: JSON.stringify(m.payload ?? null),
        not_before: m.notBeforeUtcMs ?? createdAt,
        created_at: createdAt,
      });
    }
  }

  listOutbox(query: { afterId?: number; limit?: number } = {}): OutboxMessage[] {
    const rows = this.#s.listOutbox.all(
      query.afterId ?? 0,
      query.limit ?? -1,
    ) as shared.OutboxRow[];
    return rows.map(shared.toOutboxMessage);
  }

  upsert<K extends UpsertKind>(kind: K, record: UpsertRecord<K>): boolean {
    const u = UPSERTS[kind] as Upsert<UpsertRecord<K>>;
    return notFoundOnForeignKey(
      u.describe(record),
      () => this.#s.upsert[kind].run(u.values(record, bit)).changes > 0,
    );
  }

  stats(): StoreStats {
    return shared.toStats(this.#s.stats.get() as shared.StatsRow);
  }
}

/** One prepared upsert per kind of record. */
function upsertStatements(prepare: (sql: string) => Database.Statement<unknown[], unknown>) {
  const byKind = {} as Record<UpsertKind, Database.Statement<unknown[], unknown>>;
  for (const kind of Object.keys(UPSERTS) as UpsertKind[])
    byKind[kind] = prepare(upsertStatement(UPSERTS[kind]));
  return { upsert: byKind };
}
