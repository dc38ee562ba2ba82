/**
 * Every SQL statement of the PostgreSQL store and the mapping between rows
 * and domain values. Each function runs one statement on whatever it is
 * given: the pool (a read outside a transaction) or a transaction's client.
 * Writes that can break a constraint are wrapped in a savepoint by the caller
 * (`postgres-calendar-store.ts`); here they only say what broke.
 */
import pg from 'pg';
import type {
  Booking,
  BookingStatus,
  CareType,
  Facility,
  FreeTimeslot,
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

/** A pool or a client: anything that runs a statement. */
export type Queryable = pg.Pool | pg.PoolClient;

/**
 * Name of the one prepared statement: the free-slot search is planned once
 * per connection (generic plan, see `postgres-calendar-store.ts`) instead of
 * on every call, where planning its joins cost several times the search.
 */
const FREE_TIMESLOTS_STATEMENT = 'tidbok_free_timeslots';

type Value = string | number | boolean | null;

interface FacilityRow {
  hsa_id: string;
  name: string;
  web_booking_enabled: boolean;
  partner_facilities: string;
}

interface TimeTypeRow {
  facility: string;
  id: string;
  name: string;
  care_type_ids: string;
  cancel_allowed: boolean;
  rebook_allowed: boolean;
  message_allowed: boolean;
  web_bookable: boolean;
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

interface FreeTimeslotRow extends TimeslotRow {
  facility_name: string;
  time_type_name: string;
  care_type_name: string | null;
  performer_first_name: string | null;
  performer_last_name: string | null;
  performer_title: string | null;
  resource_name: string | null;
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
  is_invitation: boolean;
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

function toFacility(r: FacilityRow): Facility {
  return {
    hsaId: r.hsa_id,
    name: r.name,
    webBookingEnabled: r.web_booking_enabled,
    partnerFacilities: JSON.parse(r.partner_facilities) as string[],
  };
}

function toTimeType(r: TimeTypeRow): TimeType {
  return {
    facility: r.facility,
    id: r.id,
    name: r.name,
    careTypeIds: JSON.parse(r.care_type_ids) as string[],
    cancelAllowed: r.cancel_allowed,
    rebookAllowed: r.rebook_allowed,
    messageAllowed: r.message_allowed,
    webBookable: r.web_bookable,
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

function toTimeslot(r: TimeslotRow): Timeslot {
  return {
    id: r.id,
    facility: r.facility,
    start: { ts: r.start_ts, utcMs: r.start_utc_ms },
    end: { ts: r.end_ts, utcMs: r.end_utc_ms },
    timeTypeId: r.time_type_id,
    ...opt('careTypeId', r.care_type_id),
    ...opt('performer', r.performer),
    ...opt('resourceId', r.resource_id),
  };
}

// rivta-spec: performerName is title, first and last name joined by spaces.
function performerName(r: FreeTimeslotRow): string | null {
  if (r.performer_first_name === null || r.performer_last_name === null) return null;
  return [r.performer_title, r.performer_first_name, r.performer_last_name]
    .filter((part) => part !== null && part !== '')
    .join(' ');
}

function toFreeTimeslot(r: FreeTimeslotRow): FreeTimeslot {
  return {
    ...toTimeslot(r),
    facilityName: r.facility_name,
    timeTypeName: r.time_type_name,
    ...opt('careTypeName', r.care_type_name),
    ...opt('performerName', performerName(r)),
    ...opt('resourceName', r.resource_name),
  };
}

function toBooking(r: BookingRow): Booking {
  const start = localTime(r.start_ts, r.start_utc_ms);
  const end = localTime(r.end_ts, r.end_utc_ms);
  return {
    id: r.id,
    facility: r.facility,
    subjectOfCare: r.subject_of_care,
    patient: {
      firstName: r.first_name,
      ...opt('middleName', r.middle_name),
      lastName: r.last_name,
      ...opt('phone', r.phone),
      ...opt('email', r.email),
      ...opt('address', r.address),
      ...opt('coaddress', r.coaddress),
    },
    isInvitation: r.is_invitation,
    ...opt('slotId', r.slot_id),
    ...(start ? { start } : {}),
    ...(end ? { end } : {}),
    timeTypeId: r.time_type_id,
    ...opt('careTypeId', r.care_type_id),
    ...opt('performer', r.performer),
    ...opt('resourceId', r.resource_id),
    ...opt('purpose', r.purpose),
    ...opt('reason', r.reason),
    ...opt('notification', r.notification),
    ...opt('expiresOn', r.expires_on),
    status: r.status,
    ...opt('cancelMessage', r.cancel_message),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

/** Column → value, in a fixed order; the order of the SQL's placeholders. */
function bookingColumns(b: Booking): [string, Value][] {
  const p = b.patient;
  return [
    ['id', b.id],
    ['facility', b.facility],
    ['subject_of_care', b.subjectOfCare],
    ['first_name', p.firstName],
    ['middle_name', p.middleName ?? null],
    ['last_name', p.lastName],
    ['phone', p.phone ?? null],
    ['email', p.email ?? null],
    ['address', p.address ?? null],
    ['coaddress', p.coaddress ?? null],
    ['is_invitation', b.isInvitation],
    ['slot_id', b.slotId ?? null],
    ['start_ts', b.start?.ts ?? null],
    ['start_utc_ms', b.start?.utcMs ?? null],
    ['end_ts', b.end?.ts ?? null],
    ['end_utc_ms', b.end?.utcMs ?? null],
    ['time_type_id', b.timeTypeId],
    ['care_type_id', b.careTypeId ?? null],
    ['performer', b.performer ?? null],
    ['resource_id', b.resourceId ?? null],
    ['purpose', b.purpose ?? null],
    ['reason', b.reason ?? null],
    ['notification', b.notification ?? null],
    ['expires_on', b.expiresOn ?? null],
    ['status', b.status],
    ['cancel_message', b.cancelMessage ?? null],
    ['created_at', b.createdAt],
    ['updated_at', b.updatedAt],
    ['version', b.version],
  ];
}

const BOOKING_COLUMNS = bookingColumns({
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
}).map(([column]) => column);

const INSERT_BOOKING = `INSERT INTO bookings (${BOOKING_COLUMNS.join(', ')})
  VALUES (${BOOKING_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;

// $1 is the id; the expected version comes after every column.
const UPDATE_BOOKING = `UPDATE bookings SET ${BOOKING_COLUMNS.slice(1)
  .map((c, i) => `${c} = $${i + 2}`)
  .join(', ')}
  WHERE id = $1 AND version = $${BOOKING_COLUMNS.length + 1}`;

/**
 * `INSERT … ON CONFLICT (key) DO UPDATE … WHERE <a column differs>`: one
 * statement whose row count is 0 exactly when the stored row already says
 * the same. `IS DISTINCT FROM` compares NULLs as values; on a tidbok_nocase
 * column it also treats a change of case as no change, so the first spelling
 * stays (as SQLite's COLLATE NOCASE does).
 */
function upsertSql(table: string, keys: readonly string[], columns: readonly string[]): string {
  const all = [...keys, ...columns];
  return `INSERT INTO ${table} AS cur (${all.join(', ')}) VALUES (${all.map((_, i) => `$${i + 1}`).join(', ')})
    ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}
    WHERE ${columns.map((c) => `cur.${c} IS DISTINCT FROM excluded.${c}`).join(' OR ')}`;
}

const UPSERT = {
  facility: upsertSql(
    'facilities',
    ['hsa_id'],
    ['name', 'web_booking_enabled', 'partner_facilities'],
  ),
  timeType: upsertSql(
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
  careType: upsertSql('care_types', ['facility', 'id'], ['name']),
  performer: upsertSql('performers', ['facility', 'hsa_id'], ['first_name', 'last_name', 'title']),
  resource: upsertSql('resources', ['facility', 'id'], ['name']),
  timeslot: upsertSql(
    'timeslots',
    ['id'],
    TIMESLOT_COLUMNS.filter((c) => c !== 'id'),
  ),
} as const;

// Planned once with its parameters unknown: the index on (facility,
// start_utc_ms, id) gives the slots in order, the `$n IS NULL OR …` filters
// test each row, and the limit stops the walk.
export const FREE_TIMESLOTS_SQL = `
SELECT t.*,
  f.name AS facility_name,
  tt.name AS time_type_name,
  ct.name AS care_type_name,
  p.first_name AS performer_first_name,
  p.last_name AS performer_last_name,
  p.title AS performer_title,
  r.name AS resource_name
FROM timeslots t
JOIN facilities f ON f.hsa_id = t.facility
JOIN time_types tt ON tt.facility = t.facility AND tt.id = t.time_type_id
LEFT JOIN care_types ct ON ct.facility = t.facility AND ct.id = t.care_type_id
LEFT JOIN performers p ON p.facility = t.facility AND p.hsa_id = t.performer
LEFT JOIN resources r ON r.facility = t.facility AND r.id = t.resource_id
WHERE t.facility = $1
  AND t.start_utc_ms >= $2 AND t.start_utc_ms < $3
  AND ($4::text[] IS NULL OR t.time_type_id = ANY ($4::text[]))
  AND ($5::text IS NULL OR t.care_type_id = $5::text)
  AND ($6::text[] IS NULL OR t.performer = ANY ($6::text[]))
  AND ($7::text IS NULL OR t.resource_id = $7::text)
  AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.slot_id = t.id AND b.status = 'active')
ORDER BY t.start_utc_ms, t.id
LIMIT $8`;

/** PostgreSQL's error fields the mapping needs (SQLSTATE and the constraint's name). */
function pgError(error: unknown): { code?: string; constraint?: string } {
  return error instanceof pg.DatabaseError
    ? {
        ...(error.code !== undefined ? { code: error.code } : {}),
        ...(error.constraint !== undefined ? { constraint: error.constraint } : {}),
      }
    : {};
}

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

async function rows<R extends pg.QueryResultRow>(
  db: Queryable,
  sql: string,
  values: unknown[] = [],
): Promise<R[]> {
  return (await db.query<R>(sql, values)).rows;
}

async function first<R extends pg.QueryResultRow>(
  db: Queryable,
  sql: string,
  values: unknown[],
): Promise<R | undefined> {
  return (await db.query<R>(sql, values)).rows[0];
}

export async function getFacility(db: Queryable, hsaId: string): Promise<Facility | undefined> {
  const row = await first<FacilityRow>(db, 'SELECT * FROM facilities WHERE hsa_id = $1', [hsaId]);
  return row && toFacility(row);
}

export async function listFacilities(db: Queryable): Promise<Facility[]> {
  return (await rows<FacilityRow>(db, 'SELECT * FROM facilities ORDER BY hsa_id')).map(toFacility);
}

export async function listTimeTypes(db: Queryable, facility: string): Promise<TimeType[]> {
  const found = await rows<TimeTypeRow>(
    db,
    'SELECT * FROM time_types WHERE facility = $1 ORDER BY id',
    [facility],
  );
  return found.map(toTimeType);
}

export async function listCareTypes(db: Queryable, facility: string): Promise<CareType[]> {
  const found = await rows<CareType>(
    db,
    'SELECT facility, id, name FROM care_types WHERE facility = $1 ORDER BY id',
    [facility],
  );
  return found.map((r) => ({ facility: r.facility, id: r.id, name: r.name }));
}

export async function listPerformers(db: Queryable, facility: string): Promise<Performer[]> {
  const found = await rows<PerformerRow>(
    db,
    'SELECT * FROM performers WHERE facility = $1 ORDER BY hsa_id',
    [facility],
  );
  return found.map(toPerformer);
}

export async function listResources(db: Queryable, facility: string): Promise<Resource[]> {
  const found = await rows<Resource>(
    db,
    'SELECT facility, id, name FROM resources WHERE facility = $1 ORDER BY id',
    [facility],
  );
  return found.map((r) => ({ facility: r.facility, id: r.id, name: r.name }));
}

export async function getTimeslot(db: Queryable, id: string): Promise<Timeslot | undefined> {
  const row = await first<TimeslotRow>(db, 'SELECT * FROM timeslots WHERE id = $1', [id]);
  return row && toTimeslot(row);
}

export async function findTimeslotsAt(
  db: Queryable,
  facility: string,
  startTs: string,
  endTs: string,
): Promise<Timeslot[]> {
  const found = await rows<TimeslotRow>(
    db,
    'SELECT * FROM timeslots WHERE facility = $1 AND start_ts = $2 AND end_ts = $3 ORDER BY start_utc_ms, id',
    [facility, startTs, endTs],
  );
  return found.map(toTimeslot);
}

export async function findFreeTimeslots(
  db: Queryable,
  query: FreeTimeslotQuery,
): Promise<FreeTimeslot[]> {
  const limit = query.limit;
  if (limit === 0) return [];
  const params = [
    query.fromUtcMs,
    query.toUtcMs,
    query.timeTypeIds ? [...query.timeTypeIds] : null,
    query.careTypeId ?? null,
    query.performers ? [...query.performers] : null,
    query.resourceId ?? null,
    limit ?? null,
  ];
  // One indexed walk per facility, each already in (start, id) order and cut at
  // the limit, then a merge: a single query with `facility = ANY (…)` would have
  // to sort every slot in the range before it could stop.
  const seen = new Set<string>();
  const found: FreeTimeslot[] = [];
  for (const facility of query.facilities) {
    const folded = facility.toLowerCase();
    if (seen.has(folded)) continue;
    seen.add(folded);
    const result = await db.query<FreeTimeslotRow>({
      name: FREE_TIMESLOTS_STATEMENT,
      text: FREE_TIMESLOTS_SQL,
      values: [facility, ...params],
    });
    for (const row of result.rows) found.push(toFreeTimeslot(row));
  }
  if (seen.size > 1)
    found.sort((a, b) =>
      a.start.utcMs !== b.start.utcMs
        ? a.start.utcMs - b.start.utcMs
        : a.id < b.id
          ? -1
          : a.id > b.id
            ? 1
            : 0,
    );
  return limit === undefined ? found : found.slice(0, limit);
}

export async function getBooking(db: Queryable, id: string): Promise<Booking | undefined> {
  const row = await first<BookingRow>(db, 'SELECT * FROM bookings WHERE id = $1', [id]);
  return row && toBooking(row);
}

export async function findActiveBookingOnSlot(
  db: Queryable,
  slotId: string,
): Promise<Booking | undefined> {
  const row = await first<BookingRow>(
    db,
    "SELECT * FROM bookings WHERE slot_id = $1 AND status = 'active'",
    [slotId],
  );
  return row && toBooking(row);
}

export async function listActiveBookingsOfSubject(
  db: Queryable,
  facility: string,
  subjectOfCare: string,
): Promise<Booking[]> {
  const found = await rows<BookingRow>(
    db,
    `SELECT * FROM bookings WHERE facility = $1 AND subject_of_care = $2 AND status = 'active'
     ORDER BY start_utc_ms ASC NULLS LAST, id`,
    [facility, subjectOfCare],
  );
  return found.map(toBooking);
}

export async function hasBookingHistory(
  db: Queryable,
  facility: string,
  subjectOfCare: string,
): Promise<boolean> {
  const row = await first(
    db,
    'SELECT 1 FROM bookings WHERE facility = $1 AND subject_of_care = $2 LIMIT 1',
    [facility, subjectOfCare],
  );
  return row !== undefined;
}

/** Bookings over (ended) and open invitations expired, not yet reported by housekeeping. */
export async function listExpiring(db: Queryable, query: ExpiringQuery): Promise<Booking[]> {
  const found = await rows<BookingRow>(
    db,
    `SELECT * FROM bookings
     WHERE status = 'active' AND expired_at_utc_ms IS NULL AND end_utc_ms < $1
     UNION
     SELECT * FROM bookings
     WHERE status = 'active' AND expired_at_utc_ms IS NULL AND slot_id IS NULL AND expires_on < $2
     ORDER BY id LIMIT $3`,
    [query.endedBeforeUtcMs, query.expiresBeforeDt, query.limit],
  );
  return found.map(toBooking);
}

/** Marks a booking reported as ended; false when it already was (or is not active). */
export async function markExpired(
  db: Queryable,
  bookingId: string,
  atUtcMs: number,
): Promise<boolean> {
  const result = await db.query(
    `UPDATE bookings SET expired_at_utc_ms = $1
     WHERE id = $2 AND status = 'active' AND expired_at_utc_ms IS NULL`,
    [atUtcMs, bookingId],
  );
  return result.rowCount === 1;
}

export async function listActiveBookings(db: Queryable, facility: string): Promise<Booking[]> {
  const found = await rows<BookingRow>(
    db,
    "SELECT * FROM bookings WHERE facility = $1 AND status = 'active' ORDER BY id",
    [facility],
  );
  return found.map(toBooking);
}

/**
 * Inserts a booking; the unique index on active slots decides a race with
 * another instance, so no read comes first. Run inside a savepoint: a
 * failure aborts the statement.
 */
export async function insertBooking(db: Queryable, booking: Booking): Promise<void> {
  try {
    await db.query(
      INSERT_BOOKING,
      bookingColumns(booking).map(([, value]) => value),
    );
  } catch (error) {
    throw bookingWriteError(error, booking);
  }
}

/** Replaces a booking at `expectedVersion`. Run inside a savepoint, like {@link insertBooking}. */
export async function updateBooking(
  db: Queryable,
  booking: Booking,
  expectedVersion: number,
): Promise<void> {
  let count: number;
  try {
    const result = await db.query(UPDATE_BOOKING, [
      ...bookingColumns(booking).map(([, value]) => value),
      expectedVersion,
    ]);
    count = result.rowCount ?? 0;
  } catch (error) {
    throw bookingWriteError(error, booking);
  }
  if (count === 0) {
    if ((await first(db, 'SELECT 1 FROM bookings WHERE id = $1', [booking.id])) === undefined)
      throw new NotFoundError(`booking ${booking.id} is not stored`);
    throw new ConcurrentUpdateError(booking.id);
  }
}

function bookingWriteError(error: unknown, booking: Booking): unknown {
  const { code, constraint } = pgError(error);
  if (code === UNIQUE_VIOLATION && constraint === 'bookings_one_active_per_slot')
    return new TimeslotTakenError(booking.slotId ?? '');
  if (code === UNIQUE_VIOLATION && constraint === 'bookings_pkey')
    return new AlreadyExistsError(`booking ${booking.id} already exists`);
  if (code === FOREIGN_KEY_VIOLATION)
    return constraint === 'bookings_slot_id_fkey'
      ? new NotFoundError(`timeslot ${booking.slotId ?? ''} is not stored`)
      : new NotFoundError(`booking ${booking.id} names a facility that is not stored`);
  return error;
}

/**
 * Appends messages in order. Each key's transaction-level advisory lock is
 * taken first, so two transactions appending to one key commit in id order:
 * a dispatcher can never see a key's later message before its earlier one.
 */
export async function appendOutbox(
  db: Queryable,
  messages: readonly NewOutboxMessage[],
  createdAt: number,
): Promise<void> {
  if (messages.length === 0) return;
  // Sorted, so two transactions locking the same keys cannot deadlock.
  const keys = [...new Set(messages.map((m) => JSON.stringify([m.channel, m.key])))].sort();
  await db.query(
    'SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k',
    [keys],
  );
  await db.query(
    `INSERT INTO outbox (channel, key, payload, not_before_utc_ms, created_at_utc_ms, next_attempt_utc_ms)
     SELECT m.channel, m.key, m.payload, m.not_before, $5, m.not_before
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
       WITH ORDINALITY AS m (channel, key, payload, not_before, n)
     ORDER BY m.n`,
    [
      messages.map((m) => m.channel),
      messages.map((m) => m.key),
      messages.map((m) => JSON.stringify(m.payload ?? null)),
      messages.map((m) => m.notBeforeUtcMs ?? createdAt),
      createdAt,
    ],
  );
}

export async function listOutbox(
  db: Queryable,
  query: { afterId?: number; limit?: number } = {},
): Promise<OutboxMessage[]> {
  const found = await rows<OutboxRow>(
    db,
    `SELECT id, channel, key, payload, not_before_utc_ms, created_at_utc_ms
     FROM outbox WHERE id > $1 ORDER BY id LIMIT $2`,
    [query.afterId ?? 0, query.limit ?? null],
  );
  return found.map((r) => ({
    id: r.id,
    channel: r.channel,
    key: r.key,
    payload: JSON.parse(r.payload) as unknown,
    notBeforeUtcMs: r.not_before_utc_ms,
    createdAtUtcMs: r.created_at_utc_ms,
  }));
}

/** Runs an upsert; true when it changed a row. Run inside a savepoint: a foreign key may fail. */
async function upsert(db: Queryable, sql: string, what: string, values: Value[]): Promise<boolean> {
  try {
    return ((await db.query(sql, values)).rowCount ?? 0) > 0;
  } catch (error) {
    if (pgError(error).code === FOREIGN_KEY_VIOLATION)
      throw new NotFoundError(`${what} names a facility or type that is not stored`);
    throw error;
  }
}

export function upsertFacility(db: Queryable, f: Facility): Promise<boolean> {
  return upsert(db, UPSERT.facility, `facility ${f.hsaId}`, [
    f.hsaId,
    f.name,
    f.webBookingEnabled,
    JSON.stringify(f.partnerFacilities),
  ]);
}

export function upsertTimeType(db: Queryable, t: TimeType): Promise<boolean> {
  return upsert(db, UPSERT.timeType, `time type ${t.id}`, [
    t.facility,
    t.id,
    t.name,
    JSON.stringify(t.careTypeIds),
    t.cancelAllowed,
    t.rebookAllowed,
    t.messageAllowed,
    t.webBookable,
    t.audience,
    t.bookingInfo ?? null,
  ]);
}

export function upsertCareType(db: Queryable, c: CareType): Promise<boolean> {
  return upsert(db, UPSERT.careType, `care type ${c.id}`, [c.facility, c.id, c.name]);
}

export function upsertPerformer(db: Queryable, p: Performer): Promise<boolean> {
  return upsert(db, UPSERT.performer, `performer ${p.hsaId}`, [
    p.facility,
    p.hsaId,
    p.firstName,
    p.lastName,
    p.title ?? null,
  ]);
}

export function upsertResource(db: Queryable, r: Resource): Promise<boolean> {
  return upsert(db, UPSERT.resource, `resource ${r.id}`, [r.facility, r.id, r.name]);
}

export function upsertTimeslot(db: Queryable, t: Timeslot): Promise<boolean> {
  return upsert(db, UPSERT.timeslot, `timeslot ${t.id}`, [
    t.id,
    t.facility,
    t.start.ts,
    t.start.utcMs,
    t.end.ts,
    t.end.utcMs,
    t.timeTypeId,
    t.careTypeId ?? null,
    t.performer ?? null,
    t.resourceId ?? null,
  ]);
}

export async function stats(
  db: Queryable,
): Promise<{ facilities: number; timeslots: number; activeBookings: number; outbox: number }> {
  const r = await first<{
    facilities: number;
    timeslots: number;
    active_bookings: number;
    outbox: number;
  }>(
    db,
    `SELECT (SELECT count(*) FROM facilities) AS facilities,
            (SELECT count(*) FROM timeslots) AS timeslots,
            (SELECT count(*) FROM bookings WHERE status = 'active') AS active_bookings,
            (SELECT count(*) FROM outbox) AS outbox`,
    [],
  );
  return {
    facilities: r?.facilities ?? 0,
    timeslots: r?.timeslots ?? 0,
    activeBookings: r?.active_bookings ?? 0,
    outbox: r?.outbox ?? 0,
  };
}
