/** Column → domain helpers shared by the SQLite and PostgreSQL row mappings. */
import type { LocalTime } from '../domain/types.ts';

/** `{ [key]: value }` when the column holds a value, `{}` when it is NULL: domain values omit absent fields. */
export function opt<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A local time from its text and instant columns; undefined when either is NULL. */
export function localTime(ts: string | null, utcMs: number | null): LocalTime | undefined {
  return ts === null || utcMs === null ? undefined : { ts, utcMs };
}

/** The columns of the `timeslots` table, the same in both stores, key first. */
export const TIMESLOT_COLUMNS = [
  'id',
  'facility',
  'start_ts',
  'start_utc_ms',
  'end_ts',
  'end_utc_ms',
  'time_type_id',
  'care_type_id',
  'performer',
  'resource_id',
] as const;
