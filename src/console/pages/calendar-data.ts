/**
 * What the week calendar shows: every slot of a unit in the week, free or
 * taken, with the booking or timed invitation on it.
 */
import type { CalendarReader } from '../../store/calendar-store.ts';
import type { Booking, LocalTime } from '../../domain/types.ts';
import type { Week } from './week.ts';

export type SlotState = 'free' | 'booked' | 'invited' | 'past';

export interface CalendarSlot {
  readonly slotId: string;
  readonly start: LocalTime;
  readonly end: LocalTime;
  readonly state: SlotState;
  readonly timeTypeId: string;
  readonly timeTypeName: string;
  /** Performer's or resource's name, when the slot has one. */
  readonly who: string | undefined;
  /** The booking or timed invitation on the slot. */
  readonly bookingId: string | undefined;
}

/**
 * Whose slots to show: everyone at the unit, one performer (`p:<hsa-id>`),
 * or one resource (`r:<id>`).
 */
export type WhoFilter =
  { readonly kind: 'all' } | { readonly kind: 'performer' | 'resource'; readonly id: string };

export function readWhoFilter(value: string | undefined): WhoFilter {
  if (value?.startsWith('p:')) return { kind: 'performer', id: value.slice(2) };
  if (value?.startsWith('r:')) return { kind: 'resource', id: value.slice(2) };
  return { kind: 'all' };
}

const inWeek = (start: LocalTime | undefined, week: Week) =>
  start !== undefined && start.utcMs >= week.fromUtcMs && start.utcMs < week.toUtcMs;

function matches(
  who: WhoFilter,
  slot: { readonly performer?: string | undefined; readonly resourceId?: string | undefined },
): boolean {
  if (who.kind === 'all') return true;
  return who.kind === 'performer' ? slot.performer === who.id : slot.resourceId === who.id;
}

/** The unit's slots in the week, in start order. */
export async function loadCalendarWeek(
  store: CalendarReader,
  facility: string,
  who: WhoFilter,
  week: Week,
  nowUtcMs: number,
): Promise<CalendarSlot[]> {
  const [free, bookings, timeTypes, performers, resources] = await Promise.all([
    store.findFreeTimeslots({
      facilities: [facility],
      fromUtcMs: week.fromUtcMs,
      toUtcMs: week.toUtcMs,
    }),
    store.listActiveBookings(facility),
    store.listTimeTypes(facility),
    store.listPerformers(facility),
    store.listResources(facility),
  ]);
  const timeTypeName = new Map(timeTypes.map((t) => [t.id, t.name]));
  const performerName = new Map(performers.map((p) => [p.hsaId, `${p.firstName} ${p.lastName}`]));
  const resourceName = new Map(resources.map((r) => [r.id, r.name]));
  const whoOf = (s: { performer?: string | undefined; resourceId?: string | undefined }) =>
    (s.performer && performerName.get(s.performer)) ||
    (s.resourceId && resourceName.get(s.resourceId)) ||
    undefined;
  const past = (start: LocalTime) => start.utcMs < nowUtcMs;
  const slots: CalendarSlot[] = free
    .filter((s) => matches(who, s))
    .map((s) => ({
      slotId: s.id,
      start: s.start,
      end: s.end,
      state: past(s.start) ? 'past' : 'free',
      timeTypeId: s.timeTypeId,
      timeTypeName: timeTypeName.get(s.timeTypeId) ?? s.timeTypeId,
      who: whoOf(s),
      bookingId: undefined,
    }));
  for (const b of bookings.filter(
    (b: Booking) => b.slotId !== undefined && inWeek(b.start, week) && matches(who, b),
  ))
    slots.push({
      slotId: b.slotId!,
      start: b.start!,
      end: b.end!,
      state: past(b.start!) ? 'past' : b.isInvitation ? 'invited' : 'booked',
      timeTypeId: b.timeTypeId,
      timeTypeName: timeTypeName.get(b.timeTypeId) ?? b.timeTypeId,
      who: whoOf(b),
      bookingId: b.id,
    });
  return slots.sort((a, b) => a.start.utcMs - b.start.utcMs || a.slotId.localeCompare(b.slotId));
}
