/**
 * The contracts' time values: `TS` (yyyyMMddHHmmss) and `DT` (yyyyMMdd), both
 * Swedish local time with no offset (TKB scheduling §2.1). We store instants
 * (UTC milliseconds) next to the local text, so that the repeated autumn hour
 * is unambiguous in the store and the text is never recomputed on a hot path.
 */
import { DateTime } from 'luxon';

export const ZONE = 'Europe/Stockholm';

const TS_SHAPE = /^[1-9]\d{3}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])[0-5]\d[0-5]\d$/;
const DT_SHAPE = /^[1-9]\d{3}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** True when yyyy, MM and dd (1-based month) name a day that exists. */
export function isRealDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Why a TS value is unusable, or undefined when it is a real local time. */
export function checkTs(value: string): string | undefined {
  if (!TS_SHAPE.test(value)) return 'must be a time written yyyyMMddHHmmss';
  if (!isRealDate(+value.slice(0, 4), +value.slice(4, 6), +value.slice(6, 8)))
    return 'names a day that does not exist';
  return undefined;
}

/** Why a DT value is unusable, or undefined when it is a real date. */
export function checkDt(value: string): string | undefined {
  if (!DT_SHAPE.test(value)) return 'must be a date written yyyyMMdd';
  if (!isRealDate(+value.slice(0, 4), +value.slice(4, 6), +value.slice(6, 8)))
    return 'names a day that does not exist';
  return undefined;
}

function fields(ts: string) {
  return {
    year: +ts.slice(0, 4),
    month: +ts.slice(4, 6),
    day: +ts.slice(6, 8),
    hour: +ts.slice(8, 10),
    minute: +ts.slice(10, 12),
    second: +ts.slice(12, 14),
  };
}

/** Formats an instant as Stockholm local `yyyyMMddHHmmss`. */
export function instantToTs(utcMs: number): string {
  return DateTime.fromMillis(utcMs, { zone: ZONE }).toFormat('yyyyMMddHHmmss');
}

/** Formats an instant as the Stockholm local date `yyyyMMdd`. */
export function instantToDt(utcMs: number): string {
  return DateTime.fromMillis(utcMs, { zone: ZONE }).toFormat('yyyyMMdd');
}

/**
 * Every instant that a local TS can mean: none inside the spring DST gap,
 * two inside the repeated autumn hour (earlier first), otherwise one.
 */
export function tsToInstants(ts: string): number[] {
  const guess = DateTime.fromObject(fields(ts), { zone: ZONE }).toMillis();
  const hour = 3_600_000;
  return [guess - hour, guess, guess + hour].filter((ms) => instantToTs(ms) === ts);
}

/** The single instant a TS means, preferring the earlier one in the autumn hour; undefined in the gap. */
export function tsToInstant(ts: string): number | undefined {
  return tsToInstants(ts)[0];
}

/**
 * Remembers a pure DT → instant function. Every availability search converts
 * its date range, and luxon's zone arithmetic costs tens of microseconds a
 * call, more than the rest of the search's bookkeeping; the dates asked for
 * are few, so a small cache answers nearly every call.
 */
function memoByDt(compute: (dt: string) => number): (dt: string) => number {
  const cache = new Map<string, number>();
  return (dt) => {
    let value = cache.get(dt);
    if (value === undefined) {
      value = compute(dt);
      // A bound keeps a stream of odd dates from growing it without end.
      if (cache.size >= 4096) cache.clear();
      cache.set(dt, value);
    }
    return value;
  };
}

/** The instant local midnight starts the given date (midnight always exists in Sweden). */
export const startOfDt: (dt: string) => number = memoByDt((dt) =>
  DateTime.fromObject(
    { year: +dt.slice(0, 4), month: +dt.slice(4, 6), day: +dt.slice(6, 8) },
    { zone: ZONE },
  ).toMillis(),
);

/** The instant the day after the given date starts: the exclusive end of an inclusive date range. */
export const endOfDt: (dt: string) => number = memoByDt((dt) =>
  DateTime.fromMillis(startOfDt(dt), { zone: ZONE }).plus({ days: 1 }).toMillis(),
);

/** Adds whole local days to a DT. */
export function addDays(dt: string, days: number): string {
  return DateTime.fromMillis(startOfDt(dt), { zone: ZONE }).plus({ days }).toFormat('yyyyMMdd');
}

/** Whether a TS falls in the spring DST gap, a time EI rejects (rivta-spec §4). */
export function isInDstGap(ts: string): boolean {
  return tsToInstants(ts).length === 0;
}
