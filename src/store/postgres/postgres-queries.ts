/**
 * Every SQL statement of the PostgreSQL store and the mapping between rows
 * and domain values. Each function runs one statement on whatever it is
 * given: the pool (a read outside a transaction) or a transaction's client.
 * Writes that can break a constraint are wrapped in a savepoint by the caller
 * (`postgres-calendar-store.ts`); here they only say what broke.
 */
import type { StoredWebhookSubscription } from '../../channels/webhooks/webhook-subscription.ts';
import {
  toSubscription,
  WEBHOOK_SQL,
  type WebhookSubscriptionRow,
} from '../../channels/webhooks/webhook-subscription-sql.ts';
import pg from 'pg';
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
import type { ReferenceLists } from '../core/reference-cache.ts';
import * as shared from '../core/rows.ts';
import type { Statements } from '../core/statements.ts';
import {
  UPSERTS,
  upsertSql,
  type Upsert,
  type UpsertKind,
  type UpsertRecord,
} from '../core/upserts.ts';

/** A pool or a client: anything that runs a statement. */
export type Queryable = pg.Pool | pg.PoolClient;

/**
 * Name of the one prepared statement: the free-slot search is planned once
 * per connection (generic plan, see `postgres-calendar-store.ts`) instead of
 * on every call, where planning its joins cost several times the search.
 */
const FREE_TIMESLOTS_STATEMENT = 'tidbok_free_timeslots';

interface FreeTimeslotRow extends shared.TimeslotRow {
  facility_name: string;
  time_type_name: string;
  care_type_name: string | null;
  performer_first_name: string | null;
  performer_last_name: string | null;
  performer_title: string | null;
  resource_name: string | null;
}

const toFreeTimeslot = (r: FreeTimeslotRow): FreeTimeslot =>
  shared.withDisplayNames(shared.toTimeslot(r), {
    facilityName: r.facility_name,
    timeTypeName: r.time_type_name,
    careTypeName: r.care_type_name,
    performerName: shared.performerName(
      r.performer_title,
      r.performer_first_name,
      r.performer_last_name,
    ),
    resourceName: r.resource_name,
  });

/** The reference tables of a facility, by the verb that lists them: table, order and row mapping. */
const REFERENCE_LISTS = {
  listTimeTypes: { table: 'time_types', key: 'id', toValue: shared.toTimeType },
  listCareTypes: { table: 'care_types', key: 'id', toValue: shared.toNamed },
  listPerformers: { table: 'performers', key: 'hsa_id', toValue: shared.toPerformer },
  listResources: { table: 'resources', key: 'id', toValue: shared.toNamed },
} as const;

const INSERT_BOOKING = `INSERT INTO bookings (${shared.BOOKING_COLUMNS.join(', ')})
  VALUES (${shared.BOOKING_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;

// $1 is the id; the expected version comes after every column.
const UPDATE_BOOKING = `UPDATE bookings SET ${shared.BOOKING_COLUMNS.slice(1)
  .map((c, i) => `${c} = $${i + 2}`)
  .join(', ')}
  WHERE id = $1 AND version = $${shared.BOOKING_COLUMNS.length + 1}`;

// The PostgreSQL spelling of the shared upserts: `IS DISTINCT FROM` compares
// NULLs as values, and on a tidbok_nocase column treats a change of case as
// none (as SQLite's COLLATE NOCASE does).
const UPSERT_SQL = Object.fromEntries(
  (Object.keys(UPSERTS) as UpsertKind[]).map((kind) => [
    kind,
    upsertSql(
      UPSERTS[kind],
      (i) => `$${i + 1}`,
      (c, e) => `${c} IS DISTINCT FROM ${e}`,
    ),
  ]),
) as Record<UpsertKind, string>;

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

/** PostgreSQL has booleans. */
const asBoolean = (b: boolean): boolean => b;

/**
 * Every statement of the PostgreSQL store, on one pool or client: the pool
 * for a read outside a transaction, a transaction's client for its
 * statements.
 */
export class PostgresQueries implements Statements {
  readonly #db: Queryable;
  readonly #now: () => number;

  constructor(db: Queryable, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  async #rows<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    return (await this.#db.query<R>(sql, values)).rows;
  }

  async #first<R extends pg.QueryResultRow>(
    sql: string,
    values: unknown[],
  ): Promise<R | undefined> {
    return (await this.#db.query<R>(sql, values)).rows[0];
  }

  async getFacility(hsaId: string) {
    const row = await this.#first<shared.FacilityRow>(
      'SELECT * FROM facilities WHERE hsa_id = $1',
      [hsaId],
    );
    return row && shared.toFacility(row);
  }

  async listFacilities() {
    return (await this.#rows<shared.FacilityRow>('SELECT * FROM facilities ORDER BY hsa_id')).map(
      shared.toFacility,
    );
  }

  // A facility's rows of one of its reference tables, ordered by key.
  listTimeTypes = (facility: string) => this.#referenceList('listTimeTypes', facility);
  listCareTypes = (facility: string) => this.#referenceList('listCareTypes', facility);
  listPerformers = (facility: string) => this.#referenceList('listPerformers', facility);
  listResources = (facility: string) => this.#referenceList('listResources', facility);

  async #referenceList<K extends keyof typeof REFERENCE_LISTS>(verb: K, facility: string) {
    const { table, key, toValue } = REFERENCE_LISTS[verb];
    const rows = await this.#rows(`SELECT * FROM ${table} WHERE facility = $1 ORDER BY ${key}`, [
      facility,
    ]);
    return rows.map(toValue as (row: pg.QueryResultRow) => ReferenceLists[K]);
  }

  async getTimeslot(id: string) {
    const row = await this.#first<shared.TimeslotRow>('SELECT * FROM timeslots WHERE id = $1', [
      id,
    ]);
    return row && shared.toTimeslot(row);
  }

  async findTimeslotsAt(facility: string, startTs: string, endTs: string) {
    const found = await this.#rows<shared.TimeslotRow>(
      'SELECT * FROM timeslots WHERE facility = $1 AND start_ts = $2 AND end_ts = $3 ORDER BY start_utc_ms, id',
      [facility, startTs, endTs],
    );
    return found.map(shared.toTimeslot);
  }

  async findFreeTimeslots(query: FreeTimeslotQuery): Promise<FreeTimeslot[]> {
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
      const result = await this.#db.query<FreeTimeslotRow>({
        name: FREE_TIMESLOTS_STATEMENT,
        text: FREE_TIMESLOTS_SQL,
        values: [facility, ...params],
      });
      for (const row of result.rows) found.push(toFreeTimeslot(row));
    }
    return shared.mergeWalks(found, seen.size, limit);
  }

  async getBooking(id: string) {
    const row = await this.#first<shared.BookingRow>('SELECT * FROM bookings WHERE id = $1', [id]);
    return row && shared.toBooking(row);
  }

  async findActiveBookingOnSlot(slotId: string) {
    const row = await this.#first<shared.BookingRow>(
      "SELECT * FROM bookings WHERE slot_id = $1 AND status = 'active'",
      [slotId],
    );
    return row && shared.toBooking(row);
  }

  async listActiveBookingsOfSubject(facility: string, subjectOfCare: string) {
    const found = await this.#rows<shared.BookingRow>(
      `SELECT * FROM bookings WHERE facility = $1 AND subject_of_care = $2 AND status = 'active'
       ORDER BY start_utc_ms ASC NULLS LAST, id`,
      [facility, subjectOfCare],
    );
    return found.map(shared.toBooking);
  }

  async listScheduleOfSubject(facility: string, subjectOfCare: string) {
    const found = await this.#rows<shared.ShownBookingRow>(
      `SELECT ${shared.SHOWN_BOOKING_COLUMNS.join(', ')} FROM bookings
       WHERE facility = $1 AND subject_of_care = $2 AND status = 'active' AND slot_id IS NOT NULL
       ORDER BY start_utc_ms, id`,
      [facility, subjectOfCare],
    );
    return found.map(shared.toShownBooking);
  }

  async hasBookingHistory(facility: string, subjectOfCare: string): Promise<boolean> {
    const row = await this.#first(
      'SELECT 1 FROM bookings WHERE facility = $1 AND subject_of_care = $2 LIMIT 1',
      [facility, subjectOfCare],
    );
    return row !== undefined;
  }

  /** Bookings over (ended) and open invitations expired, not yet reported by housekeeping. */
  async listExpiring(query: ExpiringQuery) {
    const found = await this.#rows<shared.BookingRow>(
      `SELECT * FROM bookings
       WHERE status = 'active' AND expired_at_utc_ms IS NULL AND end_utc_ms < $1
       UNION
       SELECT * FROM bookings
       WHERE status = 'active' AND expired_at_utc_ms IS NULL AND slot_id IS NULL AND expires_on < $2
       ORDER BY id LIMIT $3`,
      [query.endedBeforeUtcMs, query.expiresBeforeDt, query.limit],
    );
    return found.map(shared.toBooking);
  }

  async listPatientIdentifiers(subjectOfCare: string): Promise<PatientIdentifier[]> {
    return this.#rows<{ system: string; value: string }>(
      'SELECT system, value FROM patient_identifiers WHERE subject_of_care = $1 ORDER BY system',
      [subjectOfCare],
    );
  }

  async setPatientIdentifier(subjectOfCare: string, identifier: PatientIdentifier) {
    const result = await this.#db.query(
      `INSERT INTO patient_identifiers (subject_of_care, system, value) VALUES ($1, $2, $3)
       ON CONFLICT (subject_of_care, system) DO UPDATE SET value = excluded.value
       WHERE patient_identifiers.value <> excluded.value`,
      [subjectOfCare, identifier.system, identifier.value],
    );
    return result.rowCount === 1;
  }

  async removePatientIdentifier(subjectOfCare: string, system: string) {
    const result = await this.#db.query(
      'DELETE FROM patient_identifiers WHERE subject_of_care = $1 AND system = $2',
      [subjectOfCare, system],
    );
    return result.rowCount === 1;
  }

  /** Marks a booking reported as ended; false when it already was (or is not active). */
  async markExpired(bookingId: string, atUtcMs: number): Promise<boolean> {
    const result = await this.#db.query(
      `UPDATE bookings SET expired_at_utc_ms = $1
       WHERE id = $2 AND status = 'active' AND expired_at_utc_ms IS NULL`,
      [atUtcMs, bookingId],
    );
    return result.rowCount === 1;
  }

  async listActiveBookings(facility: string) {
    const found = await this.#rows<shared.BookingRow>(
      "SELECT * FROM bookings WHERE facility = $1 AND status = 'active' ORDER BY id",
      [facility],
    );
    return found.map(shared.toBooking);
  }

  /**
   * Inserts a booking; the unique index on active slots decides a race with
   * another instance, so no read comes first. Run inside a savepoint: a
   * failure aborts the statement.
   */
  async insertBooking(booking: Booking): Promise<void> {
    try {
      await this.#db.query(INSERT_BOOKING, shared.bookingValues(booking, asBoolean));
    } catch (error) {
      throw bookingWriteError(error, booking);
    }
  }

  /** Replaces a booking at `expectedVersion`. Run inside a savepoint, like {@link insertBooking}. */
  async updateBooking(booking: Booking, expectedVersion: number): Promise<void> {
    let count: number;
    try {
      const result = await this.#db.query(UPDATE_BOOKING, [
        ...shared.bookingValues(booking, asBoolean),
        expectedVersion,
      ]);
      count = result.rowCount ?? 0;
    } catch (error) {
      throw bookingWriteError(error, booking);
    }
    if (count === 0) {
      if ((await this.#first('SELECT 1 FROM bookings WHERE id = $1', [booking.id])) === undefined)
        throw new NotFoundError(`booking ${booking.id} is not stored`);
      throw new ConcurrentUpdateError(booking.id);
    }
  }

  async listEnabledWebhookSubscriptions(): Promise<StoredWebhookSubscription[]> {
    return (await this.#rows<WebhookSubscriptionRow>(WEBHOOK_SQL.listEnabled)).map(toSubscription);
  }

  /**
   * Appends messages in order. Each key's transaction-level advisory lock is
   * taken first, so two transactions appending to one key commit in id order:
   * a dispatcher can never see a key's later message before its earlier one.
   */
  async appendOutbox(messages: readonly NewOutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const createdAt = this.#now();
    // Sorted, so two transactions locking the same keys cannot deadlock.
    const keys = [...new Set(messages.map((m) => JSON.stringify([m.channel, m.key])))].sort();
    await this.#db.query(
      'SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k',
      [keys],
    );
    await this.#db.query(
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

  async listOutbox(query: { afterId?: number; limit?: number } = {}): Promise<OutboxMessage[]> {
    const found = await this.#rows<shared.OutboxRow>(
      `SELECT id, channel, key, payload, not_before_utc_ms, created_at_utc_ms
       FROM outbox WHERE id > $1 ORDER BY id LIMIT $2`,
      [query.afterId ?? 0, query.limit ?? null],
    );
    return found.map(shared.toOutboxMessage);
  }

  /** Runs an upsert; true when it changed a row. Run inside a savepoint: a foreign key may fail. */
  async upsert<K extends UpsertKind>(kind: K, record: UpsertRecord<K>): Promise<boolean> {
    const u = UPSERTS[kind] as Upsert<UpsertRecord<K>>;
    try {
      return (
        ((await this.#db.query(UPSERT_SQL[kind], u.values(record, asBoolean))).rowCount ?? 0) > 0
      );
    } catch (error) {
      if (pgError(error).code === FOREIGN_KEY_VIOLATION)
        throw new NotFoundError(
          `${u.describe(record)} names a facility or type that is not stored`,
        );
      throw error;
    }
  }

  /** The calendar version (see `PostgresCalendarStore.calendarVersion`), planned once per connection. */
  async calendarVersion(): Promise<string> {
    const result = await this.#db.query<{ version: number }>({
      name: 'tidbok_calendar_version',
      text: 'SELECT version FROM calendar_version WHERE id = 1',
    });
    return String(result.rows[0]?.version ?? 0);
  }

  async stats(): Promise<StoreStats> {
    return shared.toStats(await this.#first<shared.StatsRow>(shared.STATS_SQL, []));
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
