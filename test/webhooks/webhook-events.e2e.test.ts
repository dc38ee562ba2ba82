/**
 * Every webhook event end to end, in both formats: a SOAP call or a staff
 * action on the real app, and the exact request the receiver got, verified
 * with the `standardwebhooks` library (and refused with a wrong secret).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret } from '../../src/channels/webhooks/webhook-signature.ts';
import type { ReceivedWebhook } from '../../src/dev/webhook-receiver-simulator.ts';
import { soapCancelBooking, soapMakeBooking, soapUpdateBooking } from '../support/booking-calls.ts';
import { waitFor } from '../support/ei-checks.ts';
import { skipWithoutNationalContracts } from '../support/national-schemas.ts';
import { FACILITY, PATIENT, PATIENT_INFO } from '../support/test-calendar.ts';
import { startWebhookTestApp, type WebhookTestApp } from './webhook-test-app.ts';

type Body = { type: string; timestamp?: string; version?: number; data: Record<string, unknown> };

function verified(secret: string, got: ReceivedWebhook): Body {
  return new Webhook(secret).verify(got.body, got.headers as Record<string, string>) as Body;
}

const iso = (utcMs: number) => new Date(utcMs).toISOString().slice(0, 19);

describe('webhook events end to end', { skip: skipWithoutNationalContracts }, () => {
  let t: WebhookTestApp;
  let standard: Awaited<ReturnType<WebhookTestApp['subscribe']>>;
  let healthengine: Awaited<ReturnType<WebhookTestApp['subscribe']>>;
  let personal: Awaited<ReturnType<WebhookTestApp['subscribe']>>;

  before(async () => {
    t = await startWebhookTestApp();
    standard = await t.subscribe({});
    healthengine = await t.subscribe({ format: 'healthengine' });
    personal = await t.subscribe({ includePersonalData: true });
  });
  after(() => t.close());

  /** Runs `action` and returns the next request each receiver got, verified with its secret. */
  async function next(action: () => Promise<unknown>) {
    const marks = [standard, healthengine, personal].map((s) => s.receiver.received.length);
    await action();
    await waitFor('every receiver got the event', () =>
      [standard, healthengine, personal].every((s, i) => s.receiver.received.length > marks[i]!),
    );
    const [std, he, pd] = [standard, healthengine, personal].map((s, i) => {
      const got = s.receiver.received[marks[i]!]!;
      assert.equal(got.verified, true, 'the receiver verified it');
      assert.throws(
        () => verified(newWebhookSecret(), got),
        /No matching signature/,
        'a wrong secret fails',
      );
      return { got, body: verified(s.secret, got) };
    });
    for (const { got } of [std!, he!])
      assert.doesNotMatch(got.body, /19121212|Tolvan/, 'no personal data unless asked for');
    return { std: std!, he: he!, personal: pd! };
  }

  it('booking.created / booking-submitted on MakeBooking', async () => {
    const slot = t.calendar.doctorSlots[0]!;
    let bookingId = '';
    const {
      std,
      he,
      personal: pd,
    } = await next(async () => {
      bookingId = await soapMakeBooking(t.url, slot);
    });
    assert.equal(std.body.type, 'booking.created');
    assert.deepEqual(Object.keys(std.body), ['type', 'timestamp', 'data']);
    assert.match(std.body.timestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+]0[12]:00$/);
    assert.deepEqual(std.body.data, {
      bookingId,
      facility: FACILITY,
      start: std.body.data['start'],
      end: std.body.data['end'],
      timeTypeId: slot.timeTypeId,
      ...(slot.careTypeId ? { careTypeId: slot.careTypeId } : {}),
      ...(slot.performer ? { performerId: slot.performer } : {}),
    });
    assert.equal(iso(Date.parse(std.body.data['start'] as string)), iso(slot.start.utcMs));
    assert.equal(iso(Date.parse(std.body.data['end'] as string)), iso(slot.end.utcMs));
    assert.equal(he.body.version, 1);
    assert.equal(he.body.type, 'booking-submitted');
    assert.equal(he.body.data['booking_id'], bookingId);
    assert.deepEqual(he.body.data['practice'], { id: FACILITY, timezone: 'Europe/Stockholm' });
    assert.equal(
      (he.body.data['appointment'] as { datetime: number }).datetime,
      slot.start.utcMs / 1000,
    );
    assert.equal(pd.body.data['subjectOfCare'], PATIENT);
    assert.deepEqual(pd.body.data['patient'], PATIENT_INFO);
    for (const r of [std, he, pd])
      assert.match(r.got.headers['webhook-id'] as string, /^msg_[0-9a-f-]{36}$/);
  });

  it('booking.rescheduled / booking-updated on UpdateBooking, with the previous time', async () => {
    const [from, to] = [t.calendar.doctorSlots[1]!, t.calendar.doctorSlots[2]!];
    const bookingId = await soapMakeBooking(t.url, from);
    await t.drained();
    const { std, he } = await next(() => soapUpdateBooking(t.url, bookingId, to));
    assert.equal(std.body.type, 'booking.rescheduled');
    assert.equal(Date.parse(std.body.data['start'] as string), to.start.utcMs);
    assert.equal(Date.parse(std.body.data['previousStart'] as string), from.start.utcMs);
    assert.equal(Date.parse(std.body.data['previousEnd'] as string), from.end.utcMs);
    assert.equal(he.body.type, 'booking-updated');
    assert.deepEqual(he.body.data['previous_appointment'], {
      datetime: from.start.utcMs / 1000,
      end_datetime: from.end.utcMs / 1000,
    });
  });

  it('booking.cancelled / booking-cancelled on CancelBooking', async () => {
    const slot = t.calendar.doctorSlots[3]!;
    const bookingId = await soapMakeBooking(t.url, slot);
    await t.drained();
    const before = Math.floor(Date.now() / 1000);
    const { std, he } = await next(() => soapCancelBooking(t.url, slot.facility, bookingId));
    assert.equal(std.body.type, 'booking.cancelled');
    assert.equal(std.body.data['bookingId'], bookingId);
    assert.equal(he.body.type, 'booking-cancelled');
    const cancelledTime = he.body.data['cancelled_time'] as number;
    assert.ok(cancelledTime >= before && cancelledTime <= Math.ceil(Date.now() / 1000));
  });

  it('invitation.created and invitation.withdrawn on the staff actions', async () => {
    let invitationId = '';
    const created = await next(async () => {
      const res = await t.admin('POST', '/admin/invitations', {
        facility: FACILITY,
        subjectOfCare: PATIENT,
        patient: PATIENT_INFO,
        timeTypeId: 'TT-UPP',
        purpose: 'Uppföljning av blodtryck',
      });
      assert.equal(res.status, 201, res.text);
      invitationId = res.json['id'] as string;
    });
    assert.equal(created.std.body.type, 'invitation.created');
    assert.equal(created.std.body.data['bookingId'], invitationId);
    assert.equal('start' in created.std.body.data, false, 'an open invitation has no time');
    assert.equal(created.he.body.type, 'booking-submitted');
    assert.equal(created.he.body.data['booking_type'], 'invitation');
    assert.equal(created.he.body.data['appointment'], null);
    for (const r of [created.std, created.he, created.personal])
      assert.doesNotMatch(r.got.body, /Uppföljning|blodtryck/, 'never the invitation text');

    const withdrawn = await next(async () => {
      const res = await t.admin('POST', `/admin/invitations/${invitationId}/withdraw`, {});
      assert.equal(res.status, 200, res.text);
    });
    assert.equal(withdrawn.std.body.type, 'invitation.withdrawn');
    assert.equal(withdrawn.he.body.type, 'booking-cancelled');
    assert.equal(withdrawn.he.body.data['booking_type'], 'invitation');
  });
});
