/**
 * Turns a checked calendar file into the rows the store holds: weekly
 * templates become concrete timeslots for the coming days, explicit slots
 * and invitations get their instants, and every id is deterministic so that
 * importing the same file again changes nothing (docs/calendar-format.md).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { addDays, checkDt, startOfDt, tsToInstant } from '../domain/local-time.ts';
import type {
  CareType,
  Facility,
  LocalTime,
  PatientDetails,
  Performer,
  Resource,
  Timeslot,
  TimeType,
} from '../domain/types.ts';
import { CalendarFileError, WEEKDAYS } from './calendar-file.ts';
import type { CalendarFile, FacilityEntry, PatientEntry, TimeTypeEntry } from './calendar-file.ts';

/** An invitation ready to be created; a timed one names the slot it claims. */
export interface ExpandedInvitation {
  readonly id: string;
  readonly facility: string;
  readonly subjectOfCare: string;
  readonly patient: PatientDetails;
  readonly timeTypeId: string;
  readonly careTypeId?: string;
  readonly performer?: string;
  readonly resourceId?: string;
  /** Plain text or DocBook 5 article text (TKB §2.1). */
  readonly purpose: string;
  /** Set for a timed invitation, together with start and end. */
  readonly slotId?: string;
  readonly start?: LocalTime;
  readonly end?: LocalTime;
  /** Last day an open invitation can be booked, `yyyyMMdd`. */
  readonly expiresOn?: string;
}

/** Everything one import writes, facility by facility, in a stable order. */
export interface ExpandedCalendar {
  readonly facilities: Facility[];
  readonly timeTypes: TimeType[];
  readonly careTypes: CareType[];
  readonly performers: Performer[];
  readonly resources: Resource[];
  readonly timeslots: Timeslot[];
  readonly invitations: ExpandedInvitation[];
  /** Patients' other national identifiers, as the file gives them. */
  readonly patients: readonly PatientEntry[];
}

export interface ExpandOptions {
  /** The local date (`yyyyMMdd`) the expansion starts at. */
  readonly todayDt: string;
  /** Nothing that starts before this instant is produced; default: the start of `todayDt`. */
  readonly nowUtcMs?: number;
  /** How many days, today included, weekly templates cover; default 90. */
  readonly horizonDays?: number;
}

export const DEFAULT_HORIZON_DAYS = 90;

/**
 * The id of a slot made from a template or an explicit slot without an id:
 * a hash of what tells two slots apart, so the same slot gets the same id on
 * every import. HSA-ids are lower-cased because they compare case-insensitively.
 */
export function timeslotIdFor(slot: {
  facility: string;
  startTs: string;
  performer?: string | undefined;
  resourceId?: string | undefined;
  timeTypeId: string;
}): string {
  const key = [
    slot.facility.toLowerCase(),
    slot.startTs,
    slot.performer?.toLowerCase() ?? '',
    slot.resourceId ?? '',
    slot.timeTypeId,
  ].join('\u0000');
  return `ts-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const hhmmss = (minuteOfDay: number) =>
  `${pad2(Math.floor(minuteOfDay / 60))}${pad2(minuteOfDay % 60)}00`;
const minuteOfDay = (hhmm: string) => +hhmm.slice(0, 2) * 60 + +hhmm.slice(3, 5);

/** Weekday of a date, independent of any time zone. */
function weekdayOf(dt: string): (typeof WEEKDAYS)[number] {
  const sundayFirst = new Date(Date.UTC(+dt.slice(0, 4), +dt.slice(4, 6) - 1, +dt.slice(6, 8)));
  return WEEKDAYS[(sundayFirst.getUTCDay() + 6) % 7]!;
}

/** A time type's only care type, used when a slot or invitation names none. */
function soleCareType(tt: TimeTypeEntry | undefined): string | undefined {
  return tt?.careTypeIds.length === 1 ? tt.careTypeIds[0] : undefined;
}

/**
 * Expands a calendar file for the days from `todayDt` on. Templates are
 * read as Stockholm wall-clock times: a slot whose start or end falls in the
 * spring DST gap is skipped, and in the repeated autumn hour the first
 * occurrence (summer time) is used. Throws {@link CalendarFileError} when
 * templates overlap or a timed invitation matches no slot.
 */
export function expandCalendar(file: CalendarFile, options: ExpandOptions): ExpandedCalendar {
  const { todayDt } = options;
  const horizonDays = options.horizonDays ?? DEFAULT_HORIZON_DAYS;
  if (checkDt(todayDt)) throw new RangeError(`todayDt ${todayDt}: ${checkDt(todayDt)}`);
  if (!Number.isInteger(horizonDays) || horizonDays < 1)
    throw new RangeError('horizonDays must be a whole number of days, at least 1');
  const nowUtcMs = options.nowUtcMs ?? startOfDt(todayDt);
  const lastDt = addDays(todayDt, horizonDays - 1);

  const problems: string[] = [];
  const out: ExpandedCalendar = {
    facilities: [],
    timeTypes: [],
    careTypes: [],
    performers: [],
    resources: [],
    timeslots: [],
    invitations: [],
    patients: file.patients,
  };

  file.facilities.forEach((f, fi) => {
    const facility = f.hsaId;
    const path = `facilities[${fi}]`;
    out.facilities.push({
      hsaId: facility,
      name: f.name,
      ...(f.postalAddress ? { postalAddress: f.postalAddress } : {}),
      webBookingEnabled: f.webBookingEnabled,
      partnerFacilities: [...f.partnerFacilities],
    });
    for (const c of f.careTypes) out.careTypes.push({ facility, ...c });
    for (const t of f.timeTypes) out.timeTypes.push({ facility, ...t });
    for (const p of f.performers) out.performers.push({ facility, ...p });
    for (const r of f.resources) out.resources.push({ facility, ...r });

    const slots = facilitySlots(f, path, { todayDt, lastDt, nowUtcMs }, problems);
    out.timeslots.push(...slots);
    out.invitations.push(...facilityInvitations(f, path, slots, nowUtcMs, todayDt, problems));
  });

  if (problems.length > 0) throw new CalendarFileError(problems);
  return out;
}

interface Window {
  readonly todayDt: string;
  readonly lastDt: string;
  readonly nowUtcMs: number;
}

function facilitySlots(
  f: FacilityEntry,
  path: string,
  window: Window,
  problems: string[],
): Timeslot[] {
  const timeTypes = new Map(f.timeTypes.map((t) => [t.id, t]));
  const made = new Map<string, { slot: Timeslot; source: string }>();
  const reportedPairs = new Set<string>();

  const add = (
    source: string,
    startTs: string,
    endTs: string,
    fields: {
      id?: string | undefined;
      timeTypeId: string;
      careTypeId?: string | undefined;
      performer?: string | undefined;
      resourceId?: string | undefined;
    },
  ) => {
    const startMs = tsToInstant(startTs);
    const endMs = tsToInstant(endTs);
    if (startMs === undefined || endMs === undefined || startMs < window.nowUtcMs) return;
    const id =
      fields.id ??
      timeslotIdFor({
        facility: f.hsaId,
        startTs,
        performer: fields.performer,
        resourceId: fields.resourceId,
        timeTypeId: fields.timeTypeId,
      });
    const earlier = made.get(id);
    if (earlier) {
      // One report per pair of sources; overlapping templates would repeat it every week.
      const pair = `${earlier.source}|${source}`;
      if (!reportedPairs.has(pair)) {
        reportedPairs.add(pair);
        problems.push(
          `${source}: makes the same timeslot (${startTs}, same time type, performer and resource) as ${earlier.source}`,
        );
      }
      return;
    }
    const careTypeId = fields.careTypeId ?? soleCareType(timeTypes.get(fields.timeTypeId));
    made.set(id, {
      source,
      slot: {
        id,
        facility: f.hsaId,
        start: { ts: startTs, utcMs: startMs },
        end: { ts: endTs, utcMs: endMs },
        timeTypeId: fields.timeTypeId,
        ...(careTypeId !== undefined ? { careTypeId } : {}),
        ...(fields.performer !== undefined ? { performer: fields.performer } : {}),
        ...(fields.resourceId !== undefined ? { resourceId: fields.resourceId } : {}),
      },
    });
  };

  f.schedules.forEach((s, si) => {
    const source = `${path}.schedules[${si}]`;
    let day = s.validFrom && s.validFrom > window.todayDt ? s.validFrom : window.todayDt;
    const last = s.validTo && s.validTo < window.lastDt ? s.validTo : window.lastDt;
    const from = minuteOfDay(s.from);
    const to = minuteOfDay(s.to);
    for (; day <= last; day = addDays(day, 1)) {
      if (!s.weekdays.includes(weekdayOf(day))) continue;
      for (let m = from; m + s.slotMinutes <= to; m += s.slotMinutes) {
        add(source, `${day}${hhmmss(m)}`, `${day}${hhmmss(m + s.slotMinutes)}`, s);
      }
    }
  });
  f.timeslots.forEach((t, ti) => add(`${path}.timeslots[${ti}]`, t.start, t.end, t));

  return [...made.values()]
    .map((m) => m.slot)
    .sort((a, b) => a.start.utcMs - b.start.utcMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function facilityInvitations(
  f: FacilityEntry,
  path: string,
  slots: readonly Timeslot[],
  nowUtcMs: number,
  todayDt: string,
  problems: string[],
): ExpandedInvitation[] {
  const timeTypes = new Map(f.timeTypes.map((t) => [t.id, t]));
  const claimed = new Set<string>();
  const out: ExpandedInvitation[] = [];

  f.invitations.forEach((inv, ii) => {
    const base = {
      id: inv.id,
      facility: f.hsaId,
      subjectOfCare: inv.subjectOfCare,
      patient: {
        firstName: inv.firstName,
        ...(inv.middleName !== undefined ? { middleName: inv.middleName } : {}),
        lastName: inv.lastName,
      },
      timeTypeId: inv.timeTypeId,
      purpose: inv.purpose,
    };
    if (inv.start === undefined || inv.end === undefined) {
      // An open invitation past its last day would only be expired again at once.
      if (inv.expiresOn !== undefined && inv.expiresOn < todayDt) return;
      const careTypeId = inv.careTypeId ?? soleCareType(timeTypes.get(inv.timeTypeId));
      out.push({
        ...base,
        ...(careTypeId !== undefined ? { careTypeId } : {}),
        ...(inv.performer !== undefined ? { performer: inv.performer } : {}),
        ...(inv.resourceId !== undefined ? { resourceId: inv.resourceId } : {}),
        ...(inv.expiresOn !== undefined ? { expiresOn: inv.expiresOn } : {}),
      });
      return;
    }
    const startMs = tsToInstant(inv.start);
    if (startMs === undefined || startMs < nowUtcMs) return;
    const slot = slots.find(
      (s) =>
        s.start.ts === inv.start &&
        s.end.ts === inv.end &&
        s.timeTypeId === inv.timeTypeId &&
        !claimed.has(s.id) &&
        (inv.performer === undefined || s.performer === inv.performer) &&
        (inv.resourceId === undefined || s.resourceId === inv.resourceId) &&
        (inv.careTypeId === undefined ||
          s.careTypeId === undefined ||
          s.careTypeId === inv.careTypeId),
    );
    if (!slot) {
      problems.push(
        `${path}.invitations[${ii}]: no free timeslot of the facility has this start, end and time type` +
          ' (give it an explicit timeslot, or a template must cover the day within the horizon)',
      );
      return;
    }
    claimed.add(slot.id);
    const careTypeId = inv.careTypeId ?? slot.careTypeId;
    out.push({
      ...base,
      ...(careTypeId !== undefined ? { careTypeId } : {}),
      ...(slot.performer !== undefined ? { performer: slot.performer } : {}),
      ...(slot.resourceId !== undefined ? { resourceId: slot.resourceId } : {}),
      slotId: slot.id,
      start: slot.start,
      end: slot.end,
    });
  });
  return out;
}
