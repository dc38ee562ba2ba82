/**
 * Which webhook event a booking change is, and the snapshot of the booking
 * that every body format is rendered from. Pure: no store, no clock.
 *
 * @module
 */
import type { BookingChange } from '../../domain/booking-change.ts';
import type { Booking } from '../../domain/types.ts';

/** The event types a subscription can ask for (Standard Webhooks' dotted names). */
export const WEBHOOK_EVENT_TYPES = [
  'booking.created',
  'booking.rescheduled',
  'booking.cancelled',
  'invitation.created',
  'invitation.withdrawn',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A time as webhook bodies carry it. */
export interface EventTime {
  /** UTC milliseconds. */
  readonly utcMs: number;
}

/**
 * Everything a body needs, copied out of the change so a delivery never reads
 * the calendar again. Holds no visit reason: ids only, never a time type's
 * or care type's name, the reason text or the invitation text.
 */
export interface WebhookEvent {
  readonly type: WebhookEventType;
  /** When the change was made (UTC ms). */
  readonly occurredAtUtcMs: number;
  readonly bookingId: string;
  /** Facility HSA-id as stored. */
  readonly facility: string;
  /** Absent for an open invitation (no time yet). */
  readonly start?: EventTime;
  readonly end?: EventTime;
  readonly timeTypeId: string;
  readonly careTypeId?: string;
  readonly performerId?: string;
  /** The time before a reschedule. */
  readonly previousStart?: EventTime;
  readonly previousEnd?: EventTime;
  /** Personal data, written into a body only for subscriptions that include it. */
  readonly subjectOfCare: string;
  readonly patient: { readonly firstName: string; readonly lastName: string };
}

function typeOf(change: BookingChange): WebhookEventType | undefined {
  const { before, after } = change;
  switch (change.kind) {
    case 'created':
      // Booking an open invitation is the booking's creation, as for the patient.
      return after.isInvitation ? 'invitation.created' : 'booking.created';
    case 'changed':
      // A timed invitation moved by the patient becomes a booking then.
      if (before?.isInvitation && !after.isInvitation) return 'booking.created';
      return movedInTime(before, after) ? 'booking.rescheduled' : undefined;
    case 'cancelled':
      return (before ?? after).isInvitation ? 'invitation.withdrawn' : 'booking.cancelled';
    case 'expired':
    case 'published':
    case 'unpublished':
      // The booking is unchanged: its time has passed, or its unit's web-booking switch turned.
      return undefined;
  }
}

/** A change of details alone (the patient's contact data) is no reschedule. */
function movedInTime(before: Booking | undefined, after: Booking): boolean {
  if (!before) return true;
  return (
    before.start?.utcMs !== after.start?.utcMs ||
    before.end?.utcMs !== after.end?.utcMs ||
    before.facility !== after.facility
  );
}

const time = (t: { readonly utcMs: number } | undefined): EventTime | undefined =>
  t === undefined ? undefined : { utcMs: t.utcMs };

/**
 * The webhook event of a booking change, or undefined when the change is
 * none of the five events (a passed booking, a change of contact details).
 */
export function webhookEventOf(change: BookingChange): WebhookEvent | undefined {
  const type = typeOf(change);
  if (type === undefined) return undefined;
  const booking = change.after;
  const previous = type === 'booking.rescheduled' ? change.before : undefined;
  // Absent values stay undefined, which JSON leaves out of every body.
  return {
    type,
    occurredAtUtcMs: change.atUtcMs,
    bookingId: booking.id,
    facility: booking.facility,
    start: time(booking.start),
    end: time(booking.end),
    timeTypeId: booking.timeTypeId,
    careTypeId: booking.careTypeId,
    performerId: booking.performer,
    previousStart: time(previous?.start),
    previousEnd: time(previous?.end),
    subjectOfCare: booking.subjectOfCare,
    patient: { firstName: booking.patient.firstName, lastName: booking.patient.lastName },
  };
}
