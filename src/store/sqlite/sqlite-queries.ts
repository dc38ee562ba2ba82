/**
 * Every SQL statement of the SQLite store, prepared once, and the mapping
 * between rows and domain values. Synchronous: the store decides when these
 * may run (inside its mutex, on an open transaction or alone).
 */
import Database from 'better-sqlite3';
import type {
  Booking,
  BookingStatus,
  CareType,
  Facility,
  FreeTimeslot,
  PatientDetails,
  Performer,
  Resource,
  Timeslot,
  TimeType,
  TimeTypeAudience,
} from '../../domain/types.ts';
import type {
  ExpiringQuery,
  FreeTimeslotQuery,
  NewOutboxMessage,
  OutboxMessage,
} from '../calendar-store.ts';
import {
  AlreadyExistsError,
  ConcurrentUpdateError,
  NotFoundError,
  TimeslotTakenError,
} from '../errors.ts';
import { localTime, opt, TIMESLOT_COLUMNS } from '../row-values.ts';
import { boundLimit } from './bound-limit.ts';

type Params = Record<string, string | number | null>;

interface FacilityRow {
  hsa_id: string;
  name: string;
  web_booking_enabled: number;
  partner_facilities: string;
}

interface TimeTypeRow {
  facility: string;
  id: string;
  name: string;
  care_type_ids: string;
  cancel_allowed: number;
  rebook_allowed: number;
  message_allowed: number;
  web_bookable: number;
  audience: TimeTypeAudience;
  booking_info: string | null;
}

interface PerformerRow {
  facility: string;
  hsa_id: string;
  first_name: string;
  last_name: string;
  title: string | null;
}

interface TimeslotRow {
  id: string;
  facility: string;
  start_ts: string;
  start_utc_ms: number;
  end_ts: string;
  end_utc_ms: number;
  time_type_id: string;
  care_type_id: string | null;
  performer: string | null;
  resource_id: string | null;
}

interface BookingRow {
  id: string;
  facility: string;
  subject_of_care: string;
  first_name: string;
  middle_name: string | null;
  last_name: string;
  phone: string | null;
  email: string | null;
  address: string | null;
  coaddress: string | null;
  is_invitation: number;
  slot_id: string | null;
  start_ts: string | null;
  start_utc_ms: number | null;
  end_ts: string | null;
  end_utc_ms: number | null;
  time_type_id: string;
  care_type_id: string | null;
  performer: string | null;
  resource_id: string | null;
  purpose: string | null;
  reason: string | null;
  notification: string | null;
  expires_on: string | null;
  status: BookingStatus;
  cancel_message: string | null;
  created_at: number;
  updated_at: number;
  version: number;
}

interface OutboxRow {
  id: number;
  channel: string;
  key: string;
  payload: string;
  not_before_utc_ms: number;
  created_at_utc_ms: number;
}

const bit = (b: boolean): number => (b ? 1 : 0);

function toFacility(r: FacilityRow): Facility {
  return {
    hsaId: r.hsa_id,
    name: r.name,
    webBookingEnabled: r.web_booking_enabled === 1,
    partnerFacilities: JSON.parse(r.partner_facilities) as string[],
  };
}

function toTimeType(r: TimeTypeRow): TimeType {
  return {
    facility: r.facility,
    id: r.id,
    name: r.name,
    careTypeIds: JSON.parse(r.care_type_ids) as string[],
    cancelAllowed: r.cancel_allowed === 1,
    rebookAllowed: r.rebook_allowed === 1,
    messageAllowed: r.message_allowed === 1,
    webBookable: r.web_bookable === 1,
    audience: r.audience,
    ...opt('bookingInfo', r.booking_info),
  };
}

function toPerformer(r: PerformerRow): Performer {
  return {
    hsaId: r.hsa_id,
    facility: r.facility,
    firstName: r.first_name,
    lastName: r.last_name,
    ...opt('title', r.title),
  };
}

/** Field by field, as `toBooking`: object spreads cost more than the row itself. */
function toTimeslot(r: TimeslotRow): Timeslot {
  const slot: Writable<Timeslot> = {
    id: r.id,
    facility: r.facility,
    start: { ts: r.start_ts, utcMs: r.start_utc_ms },
    end: { ts: r.end_ts, utcMs: r.end_utc_ms },
    timeTypeId: r.time_type_id,
  };
  if (r.care_type_id !== null) slot.careTypeId = r.care_type_id;
  if (r.performer !== null) slot.performer = r.performer;
  if (r.resource_id !== null) slot.resourceId = r.resource_id;
  return slot;
}

// rivta-spec: performerName is title, first and last name joined by spaces.
function performerName(r: PerformerRow): string {
  return [r.title, r.first_name, r.last_name]
    .filter((part) => part !== null && part !== '')
    .join(' ');
}

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
  const slot: Writable<FreeTimeslot> = {
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

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Built field by field rather than with `...opt()` spreads: a schedule maps
 * up to thousands of rows per request, and the spreads cost more than the
 * row itself. Absent (NULL) fields stay absent, as in every domain value.
 */
function toBooking(r: BookingRow): Booking {
  const patient: Writable<PatientDetails> = { firstName: r.first_name, lastName: r.last_name };
  if (r.middle_name !== null) patient.middleName = r.middle_name;
  if (r.phone !== null) patient.phone = r.phone;
  if (r.email !== null) patient.email = r.email;
  if (r.address !== null) patient.address = r.address;
  if (r.coaddress !== null) patient.coaddress = r.coaddress;
  const b: Writable<Booking> = {
    id: r.id,
    facility: r.facility,
    subjectOfCare: r.subject_of_care,
    patient,
    isInvitation: r.is_invitation === 1,
    timeTypeId: r.time_type_id,
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  };
  if (r.slot_id !== null) b.slotId = r.slot_id;
  const start = localTime(r.start_ts, r.start_utc_ms);
  if (start) b.start = start;
  const end = localTime(r.end_ts, r.end_utc_ms);
  if (end) b.end = end;
  if (r.care_type_id !== null) b.careTypeId = r.care_type_id;
  if (r.performer !== null) b.performer = r.performer;
  if (r.resource_id !== null) b.resourceId = r.resource_id;
  if (r.purpose !== null) b.purpose = r.purpose;
  if (r.reason !== null) b.reason = r.reason;
  if (r.notification !== null) b.notification = r.notification;
  if (r.expires_on !== null) b.expiresOn = r.expires_on;
  if (r.cancel_message !== null) b.cancelMessage = r.cancel_message;
  return b;
}

function bookingParams(b: Booking): Params {
  const p = b.patient;
  return {
    id: b.id,
    facility: b.facility,
    subject_of_care: b.subjectOfCare,
    first_name: p.firstName,
    middle_name: p.middleName ?? null,
    last_name: p.lastName,
    phone: p.phone ?? null,
    email: p.email ?? null,
    address: p.address ?? null,
    coaddress: p.coaddress ?? null,
    is_invitation: bit(b.isInvitation),
    slot_id: b.slotId ?? null,
    start_ts: b.start?.ts ?? null,
    start_utc_ms: b.start?.utcMs ?? null,
    end_ts: b.end?.ts ?? null,
    end_utc_ms: b.end?.utcMs ?? null,
    time_type_id: b.timeTypeId,
    care_type_id: b.careTypeId ?? null,
    performer: b.performer ?? null,
    resource_id: b.resourceId ?? null,
    purpose: b.purpose ?? null,
    reason: b.reason ?? null,
    notification: b.notification ?? null,
    expires_on: b.expiresOn ?? null,
    status: b.status,
    cancel_message: b.cancelMessage ?? null,
    created_at: b.createdAt,
    updated_at: b.updatedAt,
    version: b.version,
  };
}

const BOOKING_COLUMNS = Object.keys(
  bookingParams({
    id: '',
    facility: '',
    subjectOfCare: '',
    patient: { firstName: '', lastName: '' },
    isInvitation: false,
    timeTypeId: '',
    status: 'active',
    createdAt: 0,
    updatedAt: 0,
    version: 0,
  }),
);

/**
 * `INSERT … ON CONFLICT (key) DO UPDATE … WHERE <a column differs>`: one
 * statement whose `changes` is 0 exactly when the stored row already says
 * the same. `IS NOT` compares NULLs as values; on a COLLATE NOCASE column it
 * also treats a change of case as no change, so the first spelling stays.
 */
function upsertSql(table: string, keys: readonly string[], columns: readonly string[]): string {
  const all = [...keys, ...columns];
  return `INSERT INTO ${table} (${all.join(', ')}) VALUES (${all.map((c) => '@' + c).join(', ')})
    ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}
    WHERE ${columns.map((c) => `${c} IS NOT excluded.${c}`).join(' OR ')}`;
}

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
SELECT ${TIMESLOT_COLUMNS.map((c) => `t.${c}`).join(', ')}
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
SELECT ${TIMESLOT_COLUMNS.map((c) => `t.${c}`).join(', ')}
FROM timeslots t INDEXED BY timeslots_by_facility_performer_start
WHERE t.facility = @facility AND t.performer = @performer${FREE_SLOT_CONDITIONS}`;

/** How COLLATE NOCASE compares: ASCII letters folded, nothing else. */
export const foldNoCase = (value: string) =>
  value.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());

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

export class SqliteQueries {
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
      markExpired: prepare(
        `UPDATE bookings SET expired_at_utc_ms = ?
         WHERE id = ? AND status = 'active' AND expired_at_utc_ms IS NULL`,
      ),
      insertBooking: prepare(
        `INSERT INTO bookings (${BOOKING_COLUMNS.join(', ')})
         VALUES (${BOOKING_COLUMNS.map((c) => '@' + c).join(', ')})`,
      ),
      updateBooking: prepare(
        `UPDATE bookings SET ${BOOKING_COLUMNS.filter((c) => c !== 'id')
          .map((c) => `${c} = @${c}`)
          .join(', ')}
         WHERE id = @id AND version = @expected_version`,
      ),
      bookingExists: prepare('SELECT 1 FROM bookings WHERE id = ?'),
      timeslotExists: prepare('SELECT 1 FROM timeslots WHERE id = ?'),
      facilityExists: prepare('SELECT 1 FROM facilities WHERE hsa_id = ?'),
      appendOutbox: prepare(
        `INSERT INTO outbox (channel, key, payload, not_before_utc_ms, created_at_utc_ms, next_attempt_utc_ms)
         VALUES (@channel, @key, @payload, @not_before, @created_at, @not_before)`,
      ),
      listOutbox: prepare(
        `SELECT id, channel, key, payload, not_before_utc_ms, created_at_utc_ms
         FROM outbox WHERE id > ? ORDER BY id ${boundLimit('?')}`,
      ),
      upsertFacility: prepare(
        upsertSql('facilities', ['hsa_id'], ['name', 'web_booking_enabled', 'partner_facilities']),
      ),
      upsertTimeType: prepare(
        upsertSql(
          'time_types',
          ['facility', 'id'],
          [
            'name',
            'care_type_ids',
            'cancel_allowed',
            'rebook_allowed',
            'message_allowed',
            'web_bookable',
            'audience',
            'booking_info',
          ],
        ),
      ),
      upsertCareType: prepare(upsertSql('care_types', ['facility', 'id'], ['name'])),
      upsertPerformer: prepare(
        upsertSql('performers', ['facility', 'hsa_id'], ['first_name', 'last_name', 'title']),
      ),
      upsertResource: prepare(upsertSql('resources', ['facility', 'id'], ['name'])),
      upsertTimeslot: prepare(
        upsertSql(
          'timeslots',
          ['id'],
          TIMESLOT_COLUMNS.filter((c) => c !== 'id'),
        ),
      ),
      stats: prepare(
        `SELECT (SELECT count(*) FROM facilities) AS facilities,
                (SELECT count(*) FROM timeslots) AS timeslots,
                (SELECT count(*) FROM bookings WHERE status = 'active') AS active_bookings,
                (SELECT count(*) FROM outbox) AS outbox`,
      ),
    };
  }

  getFacility(hsaId: string): Facility | undefined {
    const row = this.#s.getFacility.get(hsaId) as FacilityRow | undefined;
    return row && toFacility(row);
  }

  listFacilities(): Facility[] {
    return (this.#s.listFacilities.all() as FacilityRow[]).map(toFacility);
  }

  listTimeTypes(facility: string): TimeType[] {
    return (this.#s.listTimeTypes.all(facility) as TimeTypeRow[]).map(toTimeType);
  }

  listCareTypes(facility: string): CareType[] {
    return (this.#s.listCareTypes.all(facility) as CareType[]).map((r) => ({
      facility: r.facility,
      id: r.id,
      name: r.name,
    }));
  }

  listPerformers(facility: string): Performer[] {
    return (this.#s.listPerformers.all(facility) as PerformerRow[]).map(toPerformer);
  }

  listResources(facility: string): Resource[] {
    return (this.#s.listResources.all(facility) as Resource[]).map((r) => ({
      facility: r.facility,
      id: r.id,
      name: r.name,
    }));
  }

  getTimeslot(id: string): Timeslot | undefined {
    const row = this.#s.getTimeslot.get(id) as TimeslotRow | undefined;
    return row && toTimeslot(row);
  }

  findTimeslotsAt(facility: string, startTs: string, endTs: string): Timeslot[] {
    const rows = this.#s.findTimeslotsAt.all(facility, startTs, endTs) as TimeslotRow[];
    return rows.map(toTimeslot);
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
    if (walks > 1)
      found.sort((a, b) =>
        a.start.utcMs !== b.start.utcMs
          ? a.start.utcMs - b.start.utcMs
          : a.id < b.id
            ? -1
            : a.id > b.id
              ? 1
              : 0,
      );
    return limit < 0 ? found : found.slice(0, limit);
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
            const row = s.performerNames.get(facility, hsaId) as PerformerRow | undefined;
            return row && performerName(row);
          },
          (k) => k.toLowerCase(),
        ),
      ),
      resource: orNull(memo((id) => name(s.resourceName.get(facility, id)))),
    };
  }

  getBooking(id: string): Booking | undefined {
    const row = this.#s.getBooking.get(id) as BookingRow | undefined;
    return row && toBooking(row);
  }

  findActiveBookingOnSlot(slotId: string): Booking | undefined {
    const row = this.#s.findActiveBookingOnSlot.get(slotId) as BookingRow | undefined;
    return row && toBooking(row);
  }

  listActiveBookingsOfSubject(facility: string, subjectOfCare: string): Booking[] {
    const rows = this.#s.listActiveBookingsOfSubject.all(facility, subjectOfCare) as BookingRow[];
    return rows.map(toBooking);
  }

  hasBookingHistory(facility: string, subjectOfCare: string): boolean {
    return this.#s.hasBookingHistory.get(facility, subjectOfCare) !== undefined;
  }

  listActiveBookings(facility: string): Booking[] {
    return (this.#s.listActiveBookings.all(facility) as BookingRow[]).map(toBooking);
  }

  listExpiring(query: ExpiringQuery): Booking[] {
    const rows = this.#s.listExpiring.all({
      ended: query.endedBeforeUtcMs,
      expires: query.expiresBeforeDt,
      limit: query.limit,
    }) as BookingRow[];
    return rows.map(toBooking);
  }

  markExpired(bookingId: string, atUtcMs: number): boolean {
    return this.#s.markExpired.run(atUtcMs, bookingId).changes === 1;
  }

  insertBooking(booking: Booking): void {
    if (this.#s.facilityExists.get(booking.facility) === undefined)
      throw new NotFoundError(`booking ${booking.id} names a facility that is not stored`);
    this.#checkSlotExists(booking);
    try {
      this.#s.insertBooking.run(bookingParams(booking));
    } catch (error) {
      throw this.#bookingWriteError(error, booking);
    }
  }

  updateBooking(booking: Booking, expectedVersion: number): void {
    if (booking.version !== expectedVersion + 1)
      throw new RangeError(
        `booking ${booking.id}: the new state must carry version ${expectedVersion + 1}, not ${booking.version}`,
      );
    this.#checkSlotExists(booking);
    let changes: number;
    try {
      changes = this.#s.updateBooking.run({
        ...bookingParams(booking),
        expected_version: expectedVersion,
      }).changes;
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
    const rows = this.#s.listOutbox.all(query.afterId ?? 0, query.limit ?? -1) as OutboxRow[];
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      key: r.key,
      payload: JSON.parse(r.payload) as unknown,
      notBeforeUtcMs: r.not_before_utc_ms,
      createdAtUtcMs: r.created_at_utc_ms,
    }));
  }

  upsertFacility(f: Facility): boolean {
    return this.#upsert('upsertFacility', `facility ${f.hsaId}`, {
      hsa_id: f.hsaId,
      name: f.name,
      web_booking_enabled: bit(f.webBookingEnabled),
      partner_facilities: JSON.stringify(f.partnerFacilities),
    });
  }

  upsertTimeType(t: TimeType): boolean {
    return this.#upsert('upsertTimeType', `time type ${t.id}`, {
      facility: t.facility,
      id: t.id,
      name: t.name,
      care_type_ids: JSON.stringify(t.careTypeIds),
      cancel_allowed: bit(t.cancelAllowed),
      rebook_allowed: bit(t.rebookAllowed),
      message_allowed: bit(t.messageAllowed),
      web_bookable: bit(t.webBookable),
      audience: t.audience,
      booking_info: t.bookingInfo ?? null,
    });
  }

  upsertCareType(c: CareType): boolean {
    return this.#upsert('upsertCareType', `care type ${c.id}`, {
      facility: c.facility,
      id: c.id,
      name: c.name,
    });
  }

  upsertPerformer(p: Performer): boolean {
    return this.#upsert('upsertPerformer', `performer ${p.hsaId}`, {
      facility: p.facility,
      hsa_id: p.hsaId,
      first_name: p.firstName,
      last_name: p.lastName,
      title: p.title ?? null,
    });
  }

  upsertResource(r: Resource): boolean {
    return this.#upsert('upsertResource', `resource ${r.id}`, {
      facility: r.facility,
      id: r.id,
      name: r.name,
    });
  }

  upsertTimeslot(t: Timeslot): boolean {
    return this.#upsert('upsertTimeslot', `timeslot ${t.id}`, {
      id: t.id,
      facility: t.facility,
      start_ts: t.start.ts,
      start_utc_ms: t.start.utcMs,
      end_ts: t.end.ts,
      end_utc_ms: t.end.utcMs,
      time_type_id: t.timeTypeId,
      care_type_id: t.careTypeId ?? null,
      performer: t.performer ?? null,
      resource_id: t.resourceId ?? null,
    });
  }

  #upsert(
    statement:
      | 'upsertFacility'
      | 'upsertTimeType'
      | 'upsertCareType'
      | 'upsertPerformer'
      | 'upsertResource'
      | 'upsertTimeslot',
    what: string,
    params: Params,
  ): boolean {
    return notFoundOnForeignKey(what, () => this.#s[statement].run(params).changes > 0);
  }

  stats(): { facilities: number; timeslots: number; activeBookings: number; outbox: number } {
    const r = this.#s.stats.get() as {
      facilities: number;
      timeslots: number;
      active_bookings: number;
      outbox: number;
    };
    return {
      facilities: r.facilities,
      timeslots: r.timeslots,
      activeBookings: r.active_bookings,
      outbox: r.outbox,
    };
  }
}
