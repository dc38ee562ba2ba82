/**
 * Rows as both databases return them, and their mapping to domain values and
 * back. The tables have the same columns in SQLite and PostgreSQL; only the
 * types of a few differ (a flag is 0/1 in SQLite, a boolean in PostgreSQL),
 * and {@link Flag} covers both.
 */
import type {
  Booking,
  BookingStatus,
  Facility,
  FreeTimeslot,
  PatientDetails,
  PostalAddress,
  Performer,
  ShownBooking,
  Timeslot,
  TimeType,
  TimeTypeAudience,
} from '../../domain/types.ts';
import type { OutboxMessage, StoreStats } from '../calendar-store.ts';
import type { ClaimedMessage, DeadMessage, OutboxStatus } from '../../outbox/outbox-store.ts';
import { maskPersonIdsInText } from '../../domain/personnummer.ts';

/** A yes/no column: INTEGER 0/1 in SQLite, BOOLEAN in PostgreSQL. */
export type Flag = number | boolean;

/** A value bound to a statement parameter. */
export type Value = string | number | boolean | null;

const isSet = (flag: Flag): boolean => flag === true || flag === 1;

/** A domain value under construction, field by field. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

export interface FacilityRow {
  hsa_id: string;
  name: string;
  web_booking_enabled: Flag;
  partner_facilities: string;
  postal_address: string | null;
}

export interface TimeTypeRow {
  facility: string;
  id: string;
  name: string;
  care_type_ids: string;
  cancel_allowed: Flag;
  rebook_allowed: Flag;
  message_allowed: Flag;
  web_bookable: Flag;
  audience: TimeTypeAudience;
  booking_info: string | null;
  cancel_info: string | null;
}

export interface PerformerRow {
  facility: string;
  hsa_id: string;
  first_name: string;
  last_name: string;
  title: string | null;
}

/** A care type or resource: a facility's id and name. */
export interface NamedRow {
  facility: string;
  id: string;
  name: string;
}

export interface TimeslotRow {
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

export interface BookingRow {
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
  is_invitation: Flag;
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

export interface StatsRow {
  facilities: number;
  timeslots: number;
  active_bookings: number;
  outbox: number;
}

export function toFacility(r: FacilityRow): Facility {
  return {
    hsaId: r.hsa_id,
    name: r.name,
    ...(r.postal_address ? { postalAddress: JSON.parse(r.postal_address) as PostalAddress } : {}),
    webBookingEnabled: isSet(r.web_booking_enabled),
    partnerFacilities: JSON.parse(r.partner_facilities) as string[],
  };
}

export function toTimeType(r: TimeTypeRow): TimeType {
  const t: Writable<TimeType> = {
    facility: r.facility,
    id: r.id,
    name: r.name,
    careTypeIds: JSON.parse(r.care_type_ids) as string[],
    cancelAllowed: isSet(r.cancel_allowed),
    rebookAllowed: isSet(r.rebook_allowed),
    messageAllowed: isSet(r.message_allowed),
    webBookable: isSet(r.web_bookable),
    audience: r.audience,
  };
  if (r.booking_info !== null) t.bookingInfo = r.booking_info;
  if (r.cancel_info !== null) t.cancelInfo = r.cancel_info;
  return t;
}

export function toPerformer(r: PerformerRow): Performer {
  const p: Writable<Performer> = {
    hsaId: r.hsa_id,
    facility: r.facility,
    firstName: r.first_name,
    lastName: r.last_name,
  };
  if (r.title !== null) p.title = r.title;
  return p;
}

/** A care type or resource (the same three fields). */
export const toNamed = (r: NamedRow): NamedRow => ({
  facility: r.facility,
  id: r.id,
  name: r.name,
});

/**
 * Field by field, as {@link toBooking}: object spreads cost more than the
 * row itself. Absent (NULL) fields stay absent, as in every domain value.
 */
export function toTimeslot(r: TimeslotRow): Timeslot {
  const slot: Writable<Timeslot> = {
    id: r.id,
    facility: r.facility,
    start: { ts: r.start_ts, utcMs: r.start_utc_ms },
    end: { ts: r.end_ts, utcMs: r.end_utc_ms },
    timeTypeId: r.time_type_id,
  };
  if (r.care_type_id !== null) slot.careTypeId = r.care_type_id;
  if (r.performer !== null) slot.performer = r.performer;
  if (r.resource_id !== null) slot.resourceId = r.resource_id;
  return slot;
}

/** The display names a free slot carries beside its timeslot. */
export interface SlotDisplayNames {
  readonly facilityName: string;
  readonly timeTypeName: string;
  readonly careTypeName: string | null;
  readonly performerName: string | null;
  readonly resourceName: string | null;
}

/** `slot` (a fresh object, changed in place) with its display names; absent names stay absent. */
export function withDisplayNames(slot: Writable<Timeslot>, names: SlotDisplayNames): FreeTimeslot {
  const free = slot as Writable<FreeTimeslot>;
  free.facilityName = names.facilityName;
  free.timeTypeName = names.timeTypeName;
  if (names.careTypeName !== null) free.careTypeName = names.careTypeName;
  if (names.performerName !== null) free.performerName = names.performerName;
  if (names.resourceName !== null) free.resourceName = names.resourceName;
  return free;
}

/**
 * Free slots found by several walks (per facility, or per performer), each
 * in (start, id) order, merged into that order and cut at `limit`.
 */
export function mergeWalks(
  found: FreeTimeslot[],
  walks: number,
  limit: number | undefined,
): FreeTimeslot[] {
  if (walks > 1)
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

// rivta-spec: performerName is title, first and last name joined by spaces.
export function performerName(
  title: string | null,
  firstName: string | null,
  lastName: string | null,
): string | null {
  if (firstName === null || lastName === null) return null;
  return [title, firstName, lastName].filter((part) => part !== null && part !== '').join(' ');
}

/**
 * Built field by field rather than with object spreads: a schedule maps up
 * to thousands of rows per request, and the spreads cost more than the row
 * itself.
 */
export function toShownBooking(r: ShownBookingRow): Writable<ShownBooking> {
  const b: Writable<ShownBooking> = {
    id: r.id,
    facility: r.facility,
    subjectOfCare: r.subject_of_care,
    isInvitation: isSet(r.is_invitation),
    timeTypeId: r.time_type_id,
  };
  if (r.slot_id !== null) b.slotId = r.slot_id;
  if (r.start_ts !== null && r.start_utc_ms !== null)
    b.start = { ts: r.start_ts, utcMs: r.start_utc_ms };
  if (r.end_ts !== null && r.end_utc_ms !== null) b.end = { ts: r.end_ts, utcMs: r.end_utc_ms };
  if (r.care_type_id !== null) b.careTypeId = r.care_type_id;
  if (r.performer !== null) b.performer = r.performer;
  if (r.resource_id !== null) b.resourceId = r.resource_id;
  if (r.purpose !== null) b.purpose = r.purpose;
  if (r.reason !== null) b.reason = r.reason;
  return b;
}

export function toBooking(r: BookingRow): Booking {
  const patient: Writable<PatientDetails> = { firstName: r.first_name, lastName: r.last_name };
  if (r.middle_name !== null) patient.middleName = r.middle_name;
  if (r.phone !== null) patient.phone = r.phone;
  if (r.email !== null) patient.email = r.email;
  if (r.address !== null) patient.address = r.address;
  if (r.coaddress !== null) patient.coaddress = r.coaddress;
  const b = toShownBooking(r) as Writable<Booking>;
  b.patient = patient;
  b.status = r.status;
  b.createdAt = r.created_at;
  b.updatedAt = r.updated_at;
  b.version = r.version;
  if (r.notification !== null) b.notification = r.notification;
  if (r.expires_on !== null) b.expiresOn = r.expires_on;
  if (r.cancel_message !== null) b.cancelMessage = r.cancel_message;
  return b;
}

/** How a database binds a yes/no value: better-sqlite3 cannot bind booleans. */
export type FlagEncoding = (flag: boolean) => Value;

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

/** The columns of `bookings` that a booking write sets, key first; the order of {@link bookingValues}. */
export const BOOKING_COLUMNS = [
  'id',
  'facility',
  'subject_of_care',
  'first_name',
  'middle_name',
  'last_name',
  'phone',
  'email',
  'address',
  'coaddress',
  'is_invitation',
  'slot_id',
  // A booking holds its slot's time, type, performer and resource.
  ...TIMESLOT_COLUMNS.slice(2),
  'purpose',
  'reason',
  'notification',
  'expires_on',
  'status',
  'cancel_message',
  'created_at',
  'updated_at',
  'version',
] as const;

/** The columns of `bookings` a consumer is shown ({@link toShownBooking}): a schedule reads no more. */
export const SHOWN_BOOKING_COLUMNS = [
  'id',
  'facility',
  'subject_of_care',
  'is_invitation',
  'slot_id',
  ...TIMESLOT_COLUMNS.slice(2),
  'purpose',
  'reason',
] as const;

export type ShownBookingRow = Pick<BookingRow, (typeof SHOWN_BOOKING_COLUMNS)[number]>;

/** Where each column of {@link SHOWN_BOOKING_COLUMNS} is in a row read as an array. */
const SHOWN = Object.fromEntries(SHOWN_BOOKING_COLUMNS.map((c, i) => [c, i])) as Record<
  (typeof SHOWN_BOOKING_COLUMNS)[number],
  number
>;

/**
 * A schedule row read as an array, in {@link SHOWN_BOOKING_COLUMNS} order.
 * A patient's schedule can hold a thousand rows: better-sqlite3 building one
 * object per row took about twice as long as handing over arrays (5.5 ms
 * against 2.9 ms for 1,000 rows), and this literal costs next to nothing.
 */
export function shownBookingRowOf(v: readonly unknown[]): ShownBookingRow {
  return {
    id: v[SHOWN.id],
    facility: v[SHOWN.facility],
    subject_of_care: v[SHOWN.subject_of_care],
    is_invitation: v[SHOWN.is_invitation],
    slot_id: v[SHOWN.slot_id],
    start_ts: v[SHOWN.start_ts],
    start_utc_ms: v[SHOWN.start_utc_ms],
    end_ts: v[SHOWN.end_ts],
    end_utc_ms: v[SHOWN.end_utc_ms],
    time_type_id: v[SHOWN.time_type_id],
    care_type_id: v[SHOWN.care_type_id],
    performer: v[SHOWN.performer],
    resource_id: v[SHOWN.resource_id],
    purpose: v[SHOWN.purpose],
    reason: v[SHOWN.reason],
  } as ShownBookingRow;
}

/** A booking's column values in the order of {@link BOOKING_COLUMNS}. */
export function bookingValues(b: Booking, flag: FlagEncoding): Value[] {
  const p = b.patient;
  return [
    b.id,
    b.facility,
    b.subjectOfCare,
    p.firstName,
    p.middleName ?? null,
    p.lastName,
    p.phone ?? null,
    p.email ?? null,
    p.address ?? null,
    p.coaddress ?? null,
    flag(b.isInvitation),
    b.slotId ?? null,
    b.start?.ts ?? null,
    b.start?.utcMs ?? null,
    b.end?.ts ?? null,
    b.end?.utcMs ?? null,
    b.timeTypeId,
    b.careTypeId ?? null,
    b.performer ?? null,
    b.resourceId ?? null,
    b.purpose ?? null,
    b.reason ?? null,
    b.notification ?? null,
    b.expiresOn ?? null,
    b.status,
    b.cancelMessage ?? null,
    b.createdAt,
    b.updatedAt,
    b.version,
  ];
}

/** Counts for `CalendarStore.stats`. */
export function toStats(r: StatsRow | undefined): StoreStats {
  return {
    facilities: r?.facilities ?? 0,
    timeslots: r?.timeslots ?? 0,
    activeBookings: r?.active_bookings ?? 0,
    outbox: r?.outbox ?? 0,
  };
}

/** The same in both databases: one scan per table, so it stays cheap. */
export const STATS_SQL = `SELECT (SELECT count(*) FROM facilities) AS facilities,
  (SELECT count(*) FROM timeslots) AS timeslots,
  (SELECT count(*) FROM bookings WHERE status = 'active') AS active_bookings,
  (SELECT count(*) FROM outbox) AS outbox`;

/* Outbox rows: appended with the calendar, read by `listOutbox` and the dispatch stores. */

export interface OutboxRow {
  id: number;
  channel: string;
  key: string;
  payload: string;
  not_before_utc_ms: number;
  created_at_utc_ms: number;
}

export interface ClaimRow {
  id: number;
  channel: string;
  key: string;
  payload: string;
  /** Attempts counted with this claim. */
  attempts: number;
  created_at_utc_ms: number;
}

export interface DeadRow {
  id: number;
  channel: string;
  key: string;
  last_error: string | null;
  attempts: number;
  created_at_utc_ms: number;
}

export interface OutboxCountsRow {
  pending: number | null;
  in_flight: number | null;
  oldest: number | null;
}

/** What every outbox message carries, as a row holds it. */
type MessageRow = Pick<OutboxRow, 'id' | 'channel' | 'key' | 'payload' | 'created_at_utc_ms'>;

const toMessage = (r: MessageRow) => ({
  id: r.id,
  channel: r.channel,
  key: r.key,
  payload: JSON.parse(r.payload) as unknown,
  createdAtUtcMs: r.created_at_utc_ms,
});

export const toOutboxMessage = (r: OutboxRow): OutboxMessage => ({
  ...toMessage(r),
  notBeforeUtcMs: r.not_before_utc_ms,
});

export const toClaimedMessage = (r: ClaimRow): ClaimedMessage => ({
  ...toMessage(r),
  attempts: r.attempts,
});

/** The outbox's counts and dead letters as an operator sees them: keys masked. */
export function toOutboxStatus(
  counts: OutboxCountsRow | undefined,
  dead: readonly DeadRow[],
  nowUtcMs: number,
): Omit<OutboxStatus, 'skipped'> {
  return {
    pending: counts?.pending ?? 0,
    inFlight: counts?.in_flight ?? 0,
    dead: dead.map((row): DeadMessage => ({
      id: row.id,
      channel: row.channel,
      key: maskPersonIdsInText(row.key),
      error: row.last_error ?? '',
      attempts: row.attempts,
      createdAtUtcMs: row.created_at_utc_ms,
    })),
    oldestPendingAgeMs: counts?.oldest == null ? undefined : nowUtcMs - counts.oldest,
  };
}
