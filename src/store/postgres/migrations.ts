/**
 * The PostgreSQL schema as numbered steps, and the PostgreSQL driver for the
 * shared migration runner (`../core/migration-runner.ts`). The tables are
 * those of the SQLite schema (`../sqlite/migrations.ts`); the numbers differ
 * (SQLite has a search index of its own, PostgreSQL the calendar version).
 * To add a step, append it to {@link MIGRATIONS} with the next version. A
 * step, once released, is never edited: a change is a new step.
 *
 * Several instances may start at once against one database: {@link migrate}
 * takes a transaction-level advisory lock first, so one applies the steps
 * and the others wait, then find nothing left to do.
 */
import type pg from 'pg';
import {
  APPLIED_MIGRATIONS_SQL,
  migrationStatements,
  toAppliedMigration,
  type AppliedMigration,
  type Migration,
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

// HSA-ids (facilities, performers) and person ids compare case-insensitively
// (TKB-G §3.8). SQLite says COLLATE NOCASE; here an ICU collation that ignores
// case does the same for keys, foreign keys, joins and ON CONFLICT, and values
// stay as stored. It lives in the schema itself, so it needs no extension and
// no privilege beyond CREATE on the schema. Every other text key is
// COLLATE "C": byte order, as SQLite sorts, whatever the database's locale, so
// ORDER BY id agrees with the merge in findFreeTimeslots.
//
// Times are BIGINT milliseconds and JSON is text, as in SQLite: the domain
// speaks numbers and the outbox payload must come back exactly as appended
// (jsonb would reorder its keys).
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'calendar, bookings and outbox',
    sql: `
CREATE COLLATION tidbok_nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

CREATE TABLE facilities (
  hsa_id TEXT COLLATE tidbok_nocase NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  web_booking_enabled BOOLEAN NOT NULL,
  partner_facilities TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE care_types (
  facility TEXT COLLATE tidbok_nocase NOT NULL REFERENCES facilities (hsa_id),
  id TEXT COLLATE "C" NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (facility, id)
);

CREATE TABLE performers (
  facility TEXT COLLATE tidbok_nocase NOT NULL REFERENCES facilities (hsa_id),
  hsa_id TEXT COLLATE tidbok_nocase NOT NULL,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  title TEXT,
  PRIMARY KEY (facility, hsa_id)
);

CREATE TABLE resources (
  facility TEXT COLLATE tidbok_nocase NOT NULL REFERENCES facilities (hsa_id),
  id TEXT COLLATE "C" NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (facility, id)
);

CREATE TABLE time_types (
  facility TEXT COLLATE tidbok_nocase NOT NULL REFERENCES facilities (hsa_id),
  id TEXT COLLATE "C" NOT NULL,
  name TEXT NOT NULL,
  care_type_ids TEXT NOT NULL DEFAULT '[]',
  cancel_allowed BOOLEAN NOT NULL,
  rebook_allowed BOOLEAN NOT NULL,
  message_allowed BOOLEAN NOT NULL,
  web_bookable BOOLEAN NOT NULL,
  audience TEXT NOT NULL CHECK (audience IN ('everyone', 'returning-patients')),
  booking_info TEXT,
  PRIMARY KEY (facility, id)
);

CREATE TABLE timeslots (
  id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  facility TEXT COLLATE tidbok_nocase NOT NULL REFERENCES facilities (hsa_id),
  start_ts TEXT COLLATE "C" NOT NULL,
  start_utc_ms BIGINT NOT NULL,
  end_ts TEXT COLLATE "C" NOT NULL,
  end_utc_ms BIGINT NOT NULL,
  time_type_id TEXT COLLATE "C" NOT NULL,
  care_type_id TEXT COLLATE "C",
  performer TEXT COLLATE tidbok_nocase,
  resource_id TEXT COLLATE "C",
  FOREIGN KEY (facility, time_type_id) REFERENCES time_types (facility, id)
);

-- Free-slot search walks one facility in start order; id breaks ties so that
-- ORDER BY start_utc_ms, id LIMIT n is read straight off the index.
CREATE INDEX timeslots_by_facility_start ON timeslots (facility, start_utc_ms, id);
CREATE INDEX timeslots_by_facility_local_time ON timeslots (facility, start_ts, end_ts);

CREATE TABLE bookings (
  id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  facility TEXT COLLATE tidbok_nocase NOT NULL REFERENCES facilities (hsa_id),
  subject_of_care TEXT COLLATE tidbok_nocase NOT NULL,
  first_name TEXT NOT NULL,
  middle_name TEXT,
  last_name TEXT NOT NULL,
  phone TEXT,
  email TEXT,
  address TEXT,
  coaddress TEXT,
  is_invitation BOOLEAN NOT NULL,
  slot_id TEXT COLLATE "C" REFERENCES timeslots (id),
  start_ts TEXT,
  start_utc_ms BIGINT,
  end_ts TEXT,
  end_utc_ms BIGINT,
  time_type_id TEXT COLLATE "C" NOT NULL,
  care_type_id TEXT COLLATE "C",
  performer TEXT COLLATE tidbok_nocase,
  resource_id TEXT COLLATE "C",
  purpose TEXT,
  reason TEXT,
  notification TEXT,
  expires_on TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
  cancel_message TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version INTEGER NOT NULL
);

-- THE guarantee against double booking, across every instance on this
-- database: at most one active booking per slot. A second insert (or move,
-- or reactivation) onto the slot waits for the first transaction and fails
-- with a unique violation if it committed.
CREATE UNIQUE INDEX bookings_one_active_per_slot ON bookings (slot_id) WHERE status = 'active';
CREATE INDEX bookings_by_subject ON bookings (facility, subject_of_care);
CREATE INDEX bookings_active_by_facility ON bookings (facility, id) WHERE status = 'active';

-- id is the append order; an identity column never reuses a value.
CREATE TABLE outbox (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel TEXT COLLATE "C" NOT NULL,
  key TEXT COLLATE "C" NOT NULL,
  payload TEXT NOT NULL,
  not_before_utc_ms BIGINT NOT NULL,
  created_at_utc_ms BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_utc_ms BIGINT NOT NULL,
  last_error TEXT,
  delivered_at_utc_ms BIGINT
);

CREATE INDEX outbox_by_status ON outbox (status, id);
CREATE INDEX outbox_by_key ON outbox (key, id);
`,
  },
  {
    version: 2,
    name: 'outbox claims with leases',
    sql: `
-- A dispatcher's claim: who holds an in-flight message and until when; a
-- lapsed lease makes the message claimable again (crashed instance).
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_until_utc_ms BIGINT;
-- Per-key order is checked per channel.
CREATE INDEX outbox_by_channel_key ON outbox (channel, key, id);
-- What a claim scans: the undelivered messages of a channel, oldest first.
CREATE INDEX outbox_undelivered ON outbox (channel, id) WHERE status IN ('pending', 'in_flight');
`,
  },
  {
    version: 3,
    name: 'housekeeping marks passed bookings and expired invitations',
    sql: `
-- Set once housekeeping has reported the booking's end (an EI delete), so a
-- restart, or another instance, never reports it again; the booking row is
-- otherwise unchanged.
ALTER TABLE bookings ADD COLUMN expired_at_utc_ms BIGINT;
CREATE INDEX bookings_to_expire_by_end ON bookings (end_utc_ms)
  WHERE status = 'active' AND expired_at_utc_ms IS NULL;
CREATE INDEX bookings_to_expire_by_date ON bookings (expires_on)
  WHERE status = 'active' AND expired_at_utc_ms IS NULL AND slot_id IS NULL;
`,
  },
  { version: 4, ...OUTBOX_RECEIPTS },
  { version: 5, ...WEBHOOK_SUBSCRIPTIONS },
  {
    version: 6,
    name: 'patient identifiers besides the personnummer',
    sql: `
-- One identifier per patient and system (a Dutch BSN for a FHIR portal, say).
CREATE TABLE patient_identifiers (
  subject_of_care TEXT COLLATE tidbok_nocase NOT NULL,
  system TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (subject_of_care, system)
);
`,
  },
  {
    version: 7,
    name: 'calendar version for answer reuse across instances',
    sql: `
-- One row that every transaction writing calendar data bumps just before it
-- commits, so that every instance can tell with one cheap read whether its
-- cached answers may be stale (docs/postgresql.md).
CREATE TABLE calendar_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version BIGINT NOT NULL
);
INSERT INTO calendar_version (id, version) VALUES (1, 0);
`,
  },
  { version: 8, ...FACILITY_POSTAL_ADDRESS },
  { version: 9, ...TIME_TYPE_CANCEL_INFO },
  { version: 10, ...SCHEDULE_IN_ORDER },
];

const SCHEMA: SchemaSteps = {
  migrations: MIGRATIONS,
  createRecordTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at_utc_ms BIGINT NOT NULL
  )`,
  recordStep:
    'INSERT INTO schema_migrations (version, name, applied_at_utc_ms) VALUES ($1, $2, $3)',
};

/**
 * Brings the schema (the first schema on the connection's search_path) up to
 * the newest migration, all steps in one transaction under an advisory lock,
 * and returns what is now applied.
 */
export async function migrate(
  client: pg.ClientBase,
  migrations: readonly Migration[] = MIGRATIONS,
  now: () => number = Date.now,
): Promise<AppliedMigration[]> {
  await client.query('BEGIN');
  try {
    // One lock per schema: instances of one deployment wait for each other,
    // other schemas on the same server (tests) do not.
    await client.query(
      `SELECT pg_advisory_xact_lock(hashtext('tidbok:migrate'), hashtext(current_schema()))`,
    );
    const schema = await client.query<{ name: string | null }>('SELECT current_schema() AS name');
    if (schema.rows[0]?.name == null)
      throw new Error('no schema to migrate: the search_path names no existing schema');
    const statements = migrationStatements({ ...SCHEMA, migrations }, now);
    let rows: readonly unknown[] = [];
    for (let next = statements.next(rows); !next.done; next = statements.next(rows)) {
      const { sql, params } = next.value;
      rows = (await client.query(sql, params ? [...params] : undefined)).rows;
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return appliedMigrations(client);
}

/** The migrations recorded in the database, oldest first. */
export async function appliedMigrations(
  client: pg.ClientBase | pg.Pool,
): Promise<AppliedMigration[]> {
  const result =
    await client.query<Parameters<typeof toAppliedMigration>[0]>(APPLIED_MIGRATIONS_SQL);
  return result.rows.map(toAppliedMigration);
}
