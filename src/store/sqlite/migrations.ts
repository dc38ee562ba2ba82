/**
 * The SQLite schema as numbered steps, and the SQLite driver for the shared
 * migration runner (`../core/migration-runner.ts`). To add a step, append it
 * to {@link MIGRATIONS} with the next version (and its PostgreSQL twin to
 * `../postgres/migrations.ts`). A step, once released, is never edited: a
 * change is a new step with the next version.
 */
import type Database from 'better-sqlite3';
import {
  APPLIED_MIGRATIONS_SQL,
  migrationStatements,
  toAppliedMigration,
  type AppliedMigration,
  type Migration,
  type MigrationStatement,
  type SchemaSteps,
} from '../core/migration-runner.ts';
import {
  FACILITY_POSTAL_ADDRESS,
  OUTBOX_RECEIPTS,
  SCHEDULE_IN_ORDER,
  TIME_TYPE_CANCEL_INFO,
  WEBHOOK_SUBSCRIPTIONS,
} from '../core/shared-migration-steps.ts';

export type { AppliedMigration, Migration };

// HSA-ids (facilities, performers) and person ids are compared case-insensitively
// (TKB-G §3.8), so their columns are COLLATE NOCASE: keys, joins and lookups then
// all compare the same way and keep using their indexes, and values stay as stored.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'calendar, bookings and outbox',
    sql: `
CREATE TABLE facilities (
  hsa_id TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,
  name TEXT NOT NULL,
  web_booking_enabled INTEGER NOT NULL CHECK (web_booking_enabled IN (0, 1)),
  partner_facilities TEXT NOT NULL DEFAULT '[]'
) STRICT;

CREATE TABLE care_types (
  facility TEXT NOT NULL COLLATE NOCASE REFERENCES facilities (hsa_id),
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (facility, id)
) STRICT;

CREATE TABLE performers (
  facility TEXT NOT NULL COLLATE NOCASE REFERENCES facilities (hsa_id),
  hsa_id TEXT NOT NULL COLLATE NOCASE,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  title TEXT,
  PRIMARY KEY (facility, hsa_id)
) STRICT;

CREATE TABLE resources (
  facility TEXT NOT NULL COLLATE NOCASE REFERENCES facilities (hsa_id),
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (facility, id)
) STRICT;

CREATE TABLE time_types (
  facility TEXT NOT NULL COLLATE NOCASE REFERENCES facilities (hsa_id),
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  care_type_ids TEXT NOT NULL DEFAULT '[]',
  cancel_allowed INTEGER NOT NULL CHECK (cancel_allowed IN (0, 1)),
  rebook_allowed INTEGER NOT NULL CHECK (rebook_allowed IN (0, 1)),
  message_allowed INTEGER NOT NULL CHECK (message_allowed IN (0, 1)),
  web_bookable INTEGER NOT NULL CHECK (web_bookable IN (0, 1)),
  audience TEXT NOT NULL CHECK (audience IN ('everyone', 'returning-patients')),
  booking_info TEXT,
  PRIMARY KEY (facility, id)
) STRICT;

CREATE TABLE timeslots (
  id TEXT NOT NULL PRIMARY KEY,
  facility TEXT NOT NULL COLLATE NOCASE REFERENCES facilities (hsa_id),
  start_ts TEXT NOT NULL,
  start_utc_ms INTEGER NOT NULL,
  end_ts TEXT NOT NULL,
  end_utc_ms INTEGER NOT NULL,
  time_type_id TEXT NOT NULL,
  care_type_id TEXT,
  performer TEXT COLLATE NOCASE,
  resource_id TEXT,
  FOREIGN KEY (facility, time_type_id) REFERENCES time_types (facility, id)
) STRICT;

-- Free-slot search walks one facility in start order; id breaks ties so that
-- ORDER BY start_utc_ms, id LIMIT n is read straight off the index.
CREATE INDEX timeslots_by_facility_start ON timeslots (facility, start_utc_ms, id);
CREATE INDEX timeslots_by_facility_local_time ON timeslots (facility, start_ts, end_ts);

CREATE TABLE bookings (
  id TEXT NOT NULL PRIMARY KEY,
  facility TEXT NOT NULL COLLATE NOCASE REFERENCES facilities (hsa_id),
  subject_of_care TEXT NOT NULL COLLATE NOCASE,
  first_name TEXT NOT NULL,
  middle_name TEXT,
  last_name TEXT NOT NULL,
  phone TEXT,
  email TEXT,
  address TEXT,
  coaddress TEXT,
  is_invitation INTEGER NOT NULL CHECK (is_invitation IN (0, 1)),
  slot_id TEXT REFERENCES timeslots (id),
  start_ts TEXT,
  start_utc_ms INTEGER,
  end_ts TEXT,
  end_utc_ms INTEGER,
  time_type_id TEXT NOT NULL,
  care_type_id TEXT,
  performer TEXT COLLATE NOCASE,
  resource_id TEXT,
  purpose TEXT,
  reason TEXT,
  notification TEXT,
  expires_on TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
  cancel_message TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL
) STRICT;

-- THE guarantee against double booking: at most one active booking per slot.
CREATE UNIQUE INDEX bookings_one_active_per_slot ON bookings (slot_id) WHERE status = 'active';
CREATE INDEX bookings_by_subject ON bookings (facility, subject_of_care);
CREATE INDEX bookings_active_by_facility ON bookings (facility, id) WHERE status = 'active';

-- id is the global append order; AUTOINCREMENT never reuses an id, even after deletes.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  channel TEXT NOT NULL,
  key TEXT NOT NULL,
  payload TEXT NOT NULL,
  not_before_utc_ms INTEGER NOT NULL,
  created_at_utc_ms INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_utc_ms INTEGER NOT NULL,
  last_error TEXT,
  delivered_at_utc_ms INTEGER
) STRICT;

CREATE INDEX outbox_by_status ON outbox (status, id);
CREATE INDEX outbox_by_key ON outbox (key, id);
`,
  },
  {
    version: 2,
    name: 'outbox claims with leases',
    sql: `
-- A dispatcher's claim: who holds an in-flight message and until when; a
-- lapsed lease makes the message claimable again (crashed dispatcher).
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_until_utc_ms INTEGER;
-- Per-key order is checked per channel.
CREATE INDEX outbox_by_channel_key ON outbox (channel, key, id);
`,
  },
  {
    version: 3,
    name: 'housekeeping marks passed bookings and expired invitations',
    sql: `
-- Set once housekeeping has reported the booking's end (an EI delete), so a
-- restart never reports it again; the booking row is otherwise unchanged.
ALTER TABLE bookings ADD COLUMN expired_at_utc_ms INTEGER;
CREATE INDEX bookings_to_expire_by_end ON bookings (end_utc_ms)
  WHERE status = 'active' AND expired_at_utc_ms IS NULL;
CREATE INDEX bookings_to_expire_by_date ON bookings (expires_on)
  WHERE status = 'active' AND expired_at_utc_ms IS NULL AND slot_id IS NULL;
`,
  },
  {
    version: 4,
    name: 'free-slot search per named performer',
    sql: `
-- A search for named performers walks each one's slots in start order
-- (see FREE_TIMESLOTS_OF_PERFORMER_SQL) rather than the whole facility's.
CREATE INDEX timeslots_by_facility_performer_start ON timeslots (facility, performer, start_utc_ms, id);
`,
  },
  { version: 5, ...OUTBOX_RECEIPTS },
  { version: 6, ...WEBHOOK_SUBSCRIPTIONS },
  {
    version: 7,
    name: 'patient identifiers besides the personnummer',
    sql: `
-- One identifier per patient and system (a Dutch BSN for a FHIR portal, say).
CREATE TABLE patient_identifiers (
  subject_of_care TEXT NOT NULL COLLATE NOCASE,
  system TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (subject_of_care, system)
) STRICT;
`,
  },
  { version: 8, ...FACILITY_POSTAL_ADDRESS },
  { version: 9, ...TIME_TYPE_CANCEL_INFO },
  { version: 10, ...SCHEDULE_IN_ORDER },
  {
    version: 11,
    name: 'schedule read from its index alone',
    sql: `
-- Every column the schedule shows (SHOWN_BOOKING_COLUMNS) in the schedule's
-- index, so GetSubjectOfCareSchedule never visits the table: a 1,000-booking
-- schedule went from about 1.25 to 0.9 ms in SQLite. SQLite stores a long
-- entry on overflow pages; PostgreSQL, which caps an index entry at about
-- 2.7 KB and has no limit on a reason's length, keeps version 10's index.
DROP INDEX bookings_schedule;
CREATE INDEX bookings_schedule_shown ON bookings (
  facility, subject_of_care, start_utc_ms, id,
  is_invitation, slot_id, start_ts, end_ts, end_utc_ms,
  time_type_id, care_type_id, performer, resource_id, purpose, reason
) WHERE status = 'active' AND slot_id IS NOT NULL;
`,
  },
];

const SCHEMA: SchemaSteps = {
  migrations: MIGRATIONS,
  createRecordTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at_utc_ms INTEGER NOT NULL
  ) STRICT`,
  recordStep: 'INSERT INTO schema_migrations (version, name, applied_at_utc_ms) VALUES (?, ?, ?)',
};

/**
 * Brings the schema up to the newest migration, all steps in one
 * transaction that holds the write lock from the start, and returns what is
 * now applied.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
  now: () => number = Date.now,
): AppliedMigration[] {
  const apply = db.transaction(() => {
    const statements = migrationStatements({ ...SCHEMA, migrations }, now);
    let rows: readonly unknown[] = [];
    for (let next = statements.next(rows); !next.done; next = statements.next(rows))
      rows = run(db, next.value);
  });
  apply.immediate();
  return appliedMigrations(db);
}

/** Runs one of the runner's statements; a step's DDL may hold several. */
function run(db: Database.Database, { sql, params, returnsRows }: MigrationStatement): unknown[] {
  if (returnsRows) return db.prepare(sql).all(params ?? []);
  if (params) db.prepare(sql).run(params);
  else db.exec(sql);
  return [];
}

/** The migrations recorded in the database, oldest first. */
export function appliedMigrations(db: Database.Database): AppliedMigration[] {
  const rows = db.prepare(APPLIED_MIGRATIONS_SQL).all() as Parameters<
    typeof toAppliedMigration
  >[0][];
  return rows.map(toAppliedMigration);
}
