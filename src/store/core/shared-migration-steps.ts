/**
 * Migration steps whose DDL is the same on SQLite and PostgreSQL, named once
 * here. Each database's list (`../sqlite/migrations.ts`,
 * `../postgres/migrations.ts`) gives a step its own version number, since
 * the two lists are numbered apart, as `{ version: n, ...STEP }`.
 */
import { CREATE_WEBHOOK_SUBSCRIPTIONS } from '../../channels/webhooks/webhook-subscription-sql.ts';
import type { Migration } from './migration-runner.ts';

/** A step without its version, which each database's list gives it. */
export type SharedStep = Omit<Migration, 'version'>;

/**
 * What a target answered about a delivery (`receipt`, JSON text, e.g.
 * Kivra's `kivra-objkey`), and why a channel chose not to send a message
 * (`skip_reason`; its status is then `skipped`, which blocks nothing and is
 * pruned like a delivery).
 */
export const OUTBOX_RECEIPTS: SharedStep = {
  name: 'outbox receipts and skipped messages',
  sql: `
ALTER TABLE outbox ADD COLUMN receipt TEXT;
ALTER TABLE outbox ADD COLUMN skip_reason TEXT;
`,
};

export const WEBHOOK_SUBSCRIPTIONS: SharedStep = {
  name: 'webhook subscriptions',
  sql: CREATE_WEBHOOK_SUBSCRIPTIONS,
};

/**
 * A facility's optional postal address (`postal_address`, JSON text
 * `{street, postalCode, city}`, NULL when none), which Kivra letters show as
 * the booking's location.
 */
export const FACILITY_POSTAL_ADDRESS: SharedStep = {
  name: 'facility postal address',
  sql: `
ALTER TABLE facilities ADD COLUMN postal_address TEXT;
`,
};

/**
 * A time type's optional cancellation text (`cancel_info`, NULL when none),
 * which CancelBooking returns with resultCode INFO (issue 12 item 10).
 */
export const TIME_TYPE_CANCEL_INFO: SharedStep = {
  name: 'time type cancellation info',
  sql: `
ALTER TABLE time_types ADD COLUMN cancel_info TEXT;
`,
};

/**
 * A patient's schedule in the order it is shown, read from the index alone:
 * without it, GetSubjectOfCareSchedule sorted every booking of the patient
 * at the facility in a temporary tree on each request (a 1,000-booking
 * schedule: 10.3 against 8.5 million instructions in SQLite).
 */
export const SCHEDULE_IN_ORDER: SharedStep = {
  name: 'schedule in start order',
  sql: `
CREATE INDEX bookings_schedule ON bookings (facility, subject_of_care, start_utc_ms, id)
  WHERE status = 'active' AND slot_id IS NOT NULL;
`,
};
