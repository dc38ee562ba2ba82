/**
 * The calendar upserts (import): for each kind of record, its table, key
 * columns, other columns and values. Each database writes the statement in
 * its own SQL (`upsertSql` in its queries) from these.
 */
import type {
  CareType,
  Facility,
  Performer,
  Resource,
  Timeslot,
  TimeType,
} from '../../domain/types.ts';
import { TIMESLOT_COLUMNS } from './rows.ts';
import type { FlagEncoding, Value } from './rows.ts';

/** One kind of record an import upserts. */
export interface Upsert<T> {
  readonly table: string;
  readonly keys: readonly string[];
  readonly columns: readonly string[];
  /** How an error message names the record (no personal data: ids only). */
  describe(record: T): string;
  /** The values of `keys` then `columns`, in order. */
  values(record: T, flag: FlagEncoding): Value[];
}

export const UPSERTS = {
  facility: {
    table: 'facilities',
    keys: ['hsa_id'],
    columns: ['name', 'web_booking_enabled', 'partner_facilities', 'postal_address'],
    describe: (f) => `facility ${f.hsaId}`,
    values: (f, flag) => [
      f.hsaId,
      f.name,
      flag(f.webBookingEnabled),
      JSON.stringify(f.partnerFacilities),
      f.postalAddress
        ? JSON.stringify({
            street: f.postalAddress.street,
            postalCode: f.postalAddress.postalCode,
            city: f.postalAddress.city,
          })
        : null,
    ],
  } satisfies Upsert<Facility>,
  timeType: {
    table: 'time_types',
    keys: ['facility', 'id'],
    columns: [
      'name',
      'care_type_ids',
      'cancel_allowed',
      'rebook_allowed',
      'message_allowed',
      'web_bookable',
      'audience',
      'booking_info',
      'cancel_info',
    ],
    describe: (t) => `time type ${t.id}`,
    values: (t, flag) => [
      t.facility,
      t.id,
      t.name,
      JSON.stringify(t.careTypeIds),
      flag(t.cancelAllowed),
      flag(t.rebookAllowed),
      flag(t.messageAllowed),
      flag(t.webBookable),
      t.audience,
      t.bookingInfo ?? null,
      t.cancelInfo ?? null,
    ],
  } satisfies Upsert<TimeType>,
  careType: {
    table: 'care_types',
    keys: ['facility', 'id'],
    columns: ['name'],
    describe: (c) => `care type ${c.id}`,
    values: (c) => [c.facility, c.id, c.name],
  } satisfies Upsert<CareType>,
  performer: {
    table: 'performers',
    keys: ['facility', 'hsa_id'],
    columns: ['first_name', 'last_name', 'title'],
    describe: (p) => `performer ${p.hsaId}`,
    values: (p) => [p.facility, p.hsaId, p.firstName, p.lastName, p.title ?? null],
  } satisfies Upsert<Performer>,
  resource: {
    table: 'resources',
    keys: ['facility', 'id'],
    columns: ['name'],
    describe: (r) => `resource ${r.id}`,
    values: (r) => [r.facility, r.id, r.name],
  } satisfies Upsert<Resource>,
  timeslot: {
    table: 'timeslots',
    keys: ['id'],
    columns: TIMESLOT_COLUMNS.filter((c) => c !== 'id'),
    describe: (t) => `timeslot ${t.id}`,
    values: (t) => [
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
    ],
  } satisfies Upsert<Timeslot>,
} as const;

/** The record kinds, for building every upsert statement of a database at once. */
export type UpsertKind = keyof typeof UPSERTS;

/** The domain value an upsert of `K` writes. */
export type UpsertRecord<K extends UpsertKind> = Parameters<(typeof UPSERTS)[K]['values']>[0];

/**
 * `INSERT … ON CONFLICT (key) DO UPDATE … WHERE <a column differs>`: one
 * statement whose row count is 0 exactly when the stored row already says
 * the same, so importing a calendar twice reports no changes. On a
 * case-insensitive column a change of case alone is no change, so the first
 * spelling stays.
 *
 * @param placeholder - the database's parameter for the value at `index` (0-based)
 * @param differs - the database's NULL-safe "not the same" test of two expressions
 */
export function upsertSql(
  u: Upsert<never>,
  placeholder: (index: number) => string,
  differs: (current: string, incoming: string) => string,
): string {
  const all = [...u.keys, ...u.columns];
  return `INSERT INTO ${u.table} AS cur (${all.join(', ')}) VALUES (${all.map((_, i) => placeholder(i)).join(', ')})
    ON CONFLICT (${u.keys.join(', ')}) DO UPDATE SET ${u.columns.map((c) => `${c} = excluded.${c}`).join(', ')}
    WHERE ${u.columns.map((c) => differs(`cur.${c}`, `excluded.${c}`)).join(' OR ')}`;
}
