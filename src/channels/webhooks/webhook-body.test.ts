import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BookingChange } from '../../domain/booking-change.ts';
import type { Booking } from '../../domain/types.ts';
import {
  aBooking,
  anOpenInvitation,
  at,
  nextVersion,
  PATIENT,
} from '../../../test/support/builders.ts';
import { isoStockholm, renderWebhookBody } from './webhook-body.ts';
import { webhookEventOf } from './webhook-event.ts';

// 2026-03-27 10:00 CET and 2026-03-30 09:30 CEST: either side of the spring change.
const WINTER = Date.UTC(2026, 2, 27, 9, 0);
const SUMMER = Date.UTC(2026, 2, 30, 7, 30);
const MADE = Date.UTC(2026, 2, 20, 12, 0, 5);
const QUARTER = 15 * 60_000;

function booked(overrides: Partial<Booking> = {}): Booking {
  return aBooking({
    id: 'bk-1',
    facility: 'SE2321000016-1hz5',
    slotId: 's1',
    start: at(WINTER),
    end: at(WINTER + QUARTER),
    timeTypeId: 'TT1',
    careTypeId: 'CT1',
    performer: 'SE2321000016-P001',
    reason: 'ont i halsen',
    purpose: 'Årlig kontroll',
    ...overrides,
  });
}

const change = (c: Omit<BookingChange, 'origin' | 'atUtcMs'>): BookingChange => ({
  origin: 'soap',
  atUtcMs: MADE,
  ...c,
});

const parse = (change: BookingChange, format: 'standard' | 'healthengine', personal = false) => {
  const event = webhookEventOf(change);
  assert.ok(event, 'the change is an event');
  return JSON.parse(renderWebhookBody(event, { format, includePersonalData: personal })) as {
    type: string;
    data: Record<string, unknown>;
  } & Record<string, unknown>;
};

describe('webhook events and bodies', () => {
  it('writes a booking.created body in the standard format with Stockholm offsets', () => {
    const body = parse(change({ kind: 'created', after: booked() }), 'standard');
    assert.deepEqual(body, {
      type: 'booking.created',
      timestamp: '2026-03-20T13:00:05+01:00',
      data: {
        bookingId: 'bk-1',
        facility: 'SE2321000016-1hz5',
        start: '2026-03-27T10:00:00+01:00',
        end: '2026-03-27T10:15:00+01:00',
        timeTypeId: 'TT1',
        careTypeId: 'CT1',
        performerId: 'SE2321000016-P001',
      },
    });
  });

  it('writes a reschedule across the DST change with the previous time', () => {
    const before = booked();
    const after = nextVersion(before, { start: at(SUMMER), end: at(SUMMER + QUARTER) });
    const body = parse(change({ kind: 'changed', before, after }), 'standard');
    assert.equal(body.type, 'booking.rescheduled');
    assert.equal(body.data['start'], '2026-03-30T09:30:00+02:00');
    assert.equal(body.data['end'], '2026-03-30T09:45:00+02:00');
    assert.equal(body.data['previousStart'], '2026-03-27T10:00:00+01:00');
    assert.equal(body.data['previousEnd'], '2026-03-27T10:15:00+01:00');
  });

  it('adds the personnummer and names only with includePersonalData', () => {
    const c = change({ kind: 'created', after: booked() });
    const withData = parse(c, 'standard', true);
    assert.equal(withData.data['subjectOfCare'], PATIENT);
    assert.deepEqual(withData.data['patient'], { firstName: 'Tolvan', lastName: 'Tolvansson' });
    for (const format of ['standard', 'healthengine'] as const) {
      const text = renderWebhookBody(webhookEventOf(c)!, { format, includePersonalData: false });
      assert.doesNotMatch(text, /19121212|Tolvan/, `${format} without personal data`);
    }
  });

  it('never writes the visit reason or the invitation text', () => {
    const c = change({ kind: 'created', after: booked() });
    for (const format of ['standard', 'healthengine'] as const) {
      const text = renderWebhookBody(webhookEventOf(c)!, { format, includePersonalData: true });
      assert.doesNotMatch(text, /ont i halsen|Årlig kontroll|reason|purpose/);
    }
  });

  it('writes the Healthengine envelope with Unix seconds and string ids', () => {
    const body = parse(change({ kind: 'created', after: booked() }), 'healthengine', true);
    assert.deepEqual(body, {
      version: 1,
      type: 'booking-submitted',
      data: {
        booking_id: 'bk-1',
        booking_type: 'booking',
        appointment: {
          datetime: WINTER / 1000,
          end_datetime: (WINTER + QUARTER) / 1000,
          time_type_id: 'TT1',
          care_type_id: 'CT1',
          practitioner_id: 'SE2321000016-P001',
        },
        practice: { id: 'SE2321000016-1hz5', timezone: 'Europe/Stockholm' },
        patient: { firstname: 'Tolvan', lastname: 'Tolvansson', subject_of_care: PATIENT },
      },
    });
  });

  it('sends a reschedule to Healthengine receivers as booking-updated with the new time', () => {
    const before = booked();
    const after = nextVersion(before, { start: at(SUMMER), end: at(SUMMER + QUARTER) });
    const body = parse(change({ kind: 'changed', before, after }), 'healthengine');
    assert.equal(body.type, 'booking-updated');
    assert.deepEqual(body.data['previous_appointment'], {
      datetime: WINTER / 1000,
      end_datetime: (WINTER + QUARTER) / 1000,
    });
    assert.equal((body.data['appointment'] as { datetime: number }).datetime, SUMMER / 1000);
  });

  it('cancels with cancelled_time in Unix seconds', () => {
    const before = booked();
    const after = nextVersion(before, { status: 'cancelled' });
    const std = parse(change({ kind: 'cancelled', before, after }), 'standard');
    assert.equal(std.type, 'booking.cancelled');
    assert.equal(std.data['start'], '2026-03-27T10:00:00+01:00');
    const he = parse(change({ kind: 'cancelled', before, after }), 'healthengine');
    assert.equal(he.type, 'booking-cancelled');
    assert.equal(he.data['cancelled_time'], Math.floor(MADE / 1000));
  });

  it('names invitations apart from bookings; an open one has no time', () => {
    const open = anOpenInvitation({ id: 'inv-1' });
    const created = change({ kind: 'created', after: open });
    const std = parse(created, 'standard');
    assert.equal(std.type, 'invitation.created');
    assert.equal('start' in std.data, false);
    const he = parse(created, 'healthengine');
    assert.equal(he.type, 'booking-submitted');
    assert.equal(he.data['booking_type'], 'invitation');
    assert.equal(he.data['appointment'], null);
    const withdrawn = nextVersion(open, { status: 'cancelled' });
    const gone = change({ kind: 'cancelled', before: open, after: withdrawn });
    assert.equal(parse(gone, 'standard').type, 'invitation.withdrawn');
    assert.equal(parse(gone, 'healthengine').type, 'booking-cancelled');
  });

  it('calls the booking of an invitation booking.created', () => {
    const open = anOpenInvitation({ id: 'inv-2' });
    const after = nextVersion(open, {
      isInvitation: false,
      start: at(WINTER),
      end: at(WINTER + QUARTER),
    });
    assert.equal(
      webhookEventOf(change({ kind: 'created', before: open, after }))?.type,
      'booking.created',
    );
    const timed = booked({ isInvitation: true });
    const moved = nextVersion(timed, { isInvitation: false, start: at(SUMMER) });
    assert.equal(
      webhookEventOf(change({ kind: 'changed', before: timed, after: moved }))?.type,
      'booking.created',
    );
  });

  it('sends nothing for a passed booking or a change of contact details only', () => {
    const b = booked();
    assert.equal(webhookEventOf(change({ kind: 'expired', after: b })), undefined);
    const details = nextVersion(b, { patient: { ...b.patient, phone: '0709999999' } });
    assert.equal(webhookEventOf(change({ kind: 'changed', before: b, after: details })), undefined);
  });

  it('writes the autumn repeated hour apart by its offset', () => {
    // 2026-10-25 02:30 happens twice in Stockholm: first +02:00, then +01:00.
    assert.equal(isoStockholm(Date.UTC(2026, 9, 25, 0, 30)), '2026-10-25T02:30:00+02:00');
    assert.equal(isoStockholm(Date.UTC(2026, 9, 25, 1, 30)), '2026-10-25T02:30:00+01:00');
  });
});
