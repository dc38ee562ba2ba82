/**
 * The two body formats a subscription can choose (issue 15):
 * - `standard`: Standard Webhooks v1, `{type, timestamp, data}` with dotted
 *   event types and ISO 8601 times in Europe/Stockholm with their offset;
 * - `healthengine`: `{version: 1, type, data}` with Healthengine's event
 *   names and field names where they fit (`booking_id`, `practice.id`,
 *   `appointment.datetime` and `cancelled_time` in Unix seconds).
 *
 * Without `includePersonalData` neither format holds a personnummer or a
 * name; no format ever holds a visit reason (ids only).
 *
 * @module
 */
import { DateTime } from 'luxon';
import { ZONE } from '../../domain/local-time.ts';
import type { EventTime, WebhookEvent, WebhookEventType } from './webhook-event.ts';

export const WEBHOOK_FORMATS = ['standard', 'healthengine'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** Standard Webhooks asks for bodies under 20 KB; ours are far smaller. */
export const MAX_BODY_BYTES = 20 * 1024;

/** How a subscription wants its bodies. */
export interface BodyOptions {
  readonly format: WebhookFormat;
  readonly includePersonalData: boolean;
}

/** ISO 8601 to the second with the Stockholm offset, e.g. `2026-06-19T09:00:00+02:00`. */
export function isoStockholm(utcMs: number): string {
  const second = Math.floor(utcMs / 1000) * 1000;
  return DateTime.fromMillis(second, { zone: ZONE }).toISO({ suppressMilliseconds: true })!;
}

const iso = (t: EventTime | undefined) => (t === undefined ? undefined : isoStockholm(t.utcMs));
const unixSeconds = (utcMs: number) => Math.floor(utcMs / 1000);
const seconds = (t: EventTime | undefined) => (t === undefined ? undefined : unixSeconds(t.utcMs));

function standardBody(event: WebhookEvent, includePersonalData: boolean): unknown {
  return {
    type: event.type,
    timestamp: isoStockholm(event.occurredAtUtcMs),
    data: {
      bookingId: event.bookingId,
      facility: event.facility,
      start: iso(event.start),
      end: iso(event.end),
      timeTypeId: event.timeTypeId,
      careTypeId: event.careTypeId,
      performerId: event.performerId,
      previousStart: iso(event.previousStart),
      previousEnd: iso(event.previousEnd),
      ...(includePersonalData
        ? {
            subjectOfCare: event.subjectOfCare,
            patient: { firstName: event.patient.firstName, lastName: event.patient.lastName },
          }
        : {}),
    },
  };
}

/**
 * Healthengine's three booking events. Healthengine itself sends
 * `booking-updated` only for changed contact details; here it also carries a
 * new time (docs/webhooks.md). Invitations go out as bookings with
 * `booking_type: "invitation"`, and an open one has `appointment: null`.
 */
const HEALTHENGINE_TYPES: Record<WebhookEventType, string> = {
  'booking.created': 'booking-submitted',
  'booking.rescheduled': 'booking-updated',
  'booking.cancelled': 'booking-cancelled',
  'invitation.created': 'booking-submitted',
  'invitation.withdrawn': 'booking-cancelled',
};

function healthengineBody(event: WebhookEvent, includePersonalData: boolean): unknown {
  const cancelled = event.type === 'booking.cancelled' || event.type === 'invitation.withdrawn';
  return {
    version: 1,
    type: HEALTHENGINE_TYPES[event.type],
    data: {
      booking_id: event.bookingId,
      booking_type: event.type.startsWith('invitation.') ? 'invitation' : 'booking',
      appointment:
        event.start === undefined
          ? null
          : {
              datetime: seconds(event.start),
              end_datetime: seconds(event.end),
              time_type_id: event.timeTypeId,
              care_type_id: event.careTypeId,
              practitioner_id: event.performerId,
            },
      previous_appointment:
        event.previousStart === undefined
          ? undefined
          : { datetime: seconds(event.previousStart), end_datetime: seconds(event.previousEnd) },
      practice: { id: event.facility, timezone: ZONE },
      cancelled_time: cancelled ? unixSeconds(event.occurredAtUtcMs) : undefined,
      ...(includePersonalData
        ? {
            patient: {
              firstname: event.patient.firstName,
              lastname: event.patient.lastName,
              subject_of_care: event.subjectOfCare,
            },
          }
        : {}),
    },
  };
}

/** The exact body bytes (as text) of one event for one subscription. */
export function renderWebhookBody(event: WebhookEvent, options: BodyOptions): string {
  const body =
    options.format === 'standard'
      ? standardBody(event, options.includePersonalData)
      : healthengineBody(event, options.includePersonalData);
  return JSON.stringify(body);
}

/**
 * The body of a test ping (`POST /admin/webhooks/{id}/ping`): an event type
 * no booking change has, so a receiver can tell it apart, signed like any
 * other delivery.
 */
export function renderPingBody(format: WebhookFormat, subscriptionId: string, nowUtcMs: number) {
  return JSON.stringify(
    format === 'standard'
      ? { type: 'webhook.ping', timestamp: isoStockholm(nowUtcMs), data: { subscriptionId } }
      : { version: 1, type: 'ping', data: { subscription_id: subscriptionId } },
  );
}
