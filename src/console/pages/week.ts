/**
 * The week the calendar shows: Monday to Sunday in Europe/Stockholm, so a
 * DST week has its 23- or 25-hour day and every time is the clinic's own.
 */
import { DateTime } from 'luxon';

export const ZONE = 'Europe/Stockholm';

export interface Week {
  /** The Monday, `yyyy-MM-dd`. */
  readonly monday: string;
  /** ISO week label, e.g. `v. 50, 2026`. */
  readonly label: string;
  readonly days: readonly {
    readonly date: string;
    readonly label: string;
    readonly isToday: boolean;
  }[];
  readonly fromUtcMs: number;
  readonly toUtcMs: number;
  readonly previous: string;
  readonly next: string;
}

/**
 * The week holding `date` (`yyyy-MM-dd`), or this week when absent or not a date.
 *
 * @param nowUtcMs - the current time, which decides "today"
 */
export function weekOf(date: string | undefined, nowUtcMs: number): Week {
  const now = DateTime.fromMillis(nowUtcMs, { zone: ZONE });
  const asked = date === undefined ? undefined : DateTime.fromISO(date, { zone: ZONE });
  const day = asked?.isValid ? asked : now;
  const monday = day.startOf('week');
  const next = monday.plus({ weeks: 1 });
  const today = now.toISODate();
  return {
    monday: monday.toISODate()!,
    label: `v. ${monday.weekNumber}, ${monday.weekYear}`,
    days: Array.from({ length: 7 }, (_, i) => {
      const d = monday.plus({ days: i });
      return {
        date: d.toISODate()!,
        label: d.setLocale('sv').toFormat('ccc d LLL'),
        isToday: d.toISODate() === today,
      };
    }),
    fromUtcMs: monday.toMillis(),
    toUtcMs: next.toMillis(),
    previous: monday.minus({ weeks: 1 }).toISODate()!,
    next: next.toISODate()!,
  };
}

/** `yyyyMMddHHmmss` (a contract time) as `HH:mm`. */
export const clock = (ts: string) => `${ts.slice(8, 10)}:${ts.slice(10, 12)}`;

/** `yyyyMMddHHmmss` as the ISO date `yyyy-MM-dd` of that local day. */
export const isoDateOf = (ts: string) => `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}`;
