/**
 * The admin API as staff use it: JSON over HTTP against the real app, every
 * change checked at the far end, in the Update the EI simulator received
 * (validated against the national XSD).
 */
import assert from 'node:assert/strict';
import { MakeBooking } from '../../src/contracts/scheduling.ts';
import { after, before, describe, it } from 'node:test';
import { instantToTs } from '../../src/domain/local-time.ts';
import { refusal } from '../../src/domain/refusals.ts';
import type { BookingView } from '../../src/staff/booking-view.ts';
import { expected, receivedSince } from '../support/ei-received.ts';
import { skipWithoutNationalContracts } from '../support/national-schemas.ts';
import { startEiTestApp, startTestApp, type EiTestApp } from '../support/test-app.ts';
import {
  addLateCancelFeeSlot,
  FACILITY,
  HIDDEN,
  LATE_CANCEL_FEE,
  OTHER_PATIENT,
  PATIENT,
  PATIENT_INFO,
} from '../support/test-calendar.ts';

const TOKEN = 'test-admin-token-0123456789';

async function admin(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  token: string | null = TOKEN,
): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token !== null ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON (the plain 404 of the server when the API is off)
  }
  return { status: res.status, json, text };
}

const view = (json: Record<string, unknown>) => json as unknown as BookingView;

void describe('the admin API', { skip: skipWithoutNationalContracts }, () => {
  let t: EiTestApp;
  before(async () => {
    t = await startEiTestApp({ adminToken: TOKEN });
  });
  after(() => t.close());

  /** Runs `action`, waits for delivery, and returns what EI received meanwhile. */
  async function sent(action: () => Promise<unknown>) {
    await t.drained();
    const mark = t.ei.calls.length;
    await action();
    await t.drained();
    return receivedSince(t.ei, mark);
  }

  void it('creates an open invitation and sends one Invitation create with its business date', async () => {
    let created!: BookingView;
    const received = await sent(async () => {
      const res = await admin(t.url, 'POST', '/admin/invitations', {
        facility: FACILITY,
        subjectOfCare: PATIENT,
        patient: PATIENT_INFO,
        timeTypeId: 'TT-LAK',
        purpose: 'Dags för årskontroll. Boka en tid som passar dig.',
      });
      assert.equal(res.status, 201, res.text);
      created = view(res.json);
    });
    assert.equal(created.kind, 'open-invitation');
    assert.equal(created.subjectOfCare, '19121212-****');
    const stored = await t.app.store.getBooking(created.id);
    assert.deepEqual(received, [
      expected(false, {
        person: PATIENT,
        categorization: 'Invitation',
        facility: FACILITY,
        id: created.id,
        mostRecentContent: instantToTs(stored!.createdAt),
      }),
    ]);
  });

  void it('creates a timed invitation with DocBook purpose on a slot named by its times', async () => {
    const slot = t.calendar.doctorSlots[1]!;
    let created!: BookingView;
    const received = await sent(async () => {
      const res = await admin(t.url, 'POST', '/admin/invitations', {
        facility: FACILITY,
        subjectOfCare: PATIENT,
        patient: PATIENT_INFO,
        start: slot.start.ts,
        end: slot.end.ts,
        performer: slot.performer,
        purpose:
          '<article xmlns="http://docbook.org/ns/docbook"><para>Välkommen på återbesök.</para></article>',
      });
      assert.equal(res.status, 201, res.text);
      created = view(res.json);
    });
    assert.equal(created.kind, 'timed-invitation');
    assert.equal(created.slotId, slot.id);
    assert.equal(created.timeTypeId, slot.timeTypeId);
    assert.deepEqual(received, [
      expected(false, {
        person: PATIENT,
        categorization: 'Invitation',
        facility: FACILITY,
        id: created.id,
        mostRecentContent: slot.start.ts,
      }),
    ]);
  });

  void it('books, rebooks and cancels for a patient, each change reaching EI', async () => {
    const [first, second] = [t.calendar.doctorSlots[2]!, t.calendar.doctorSlots[3]!];
    let booking!: BookingView;
    const made = await sent(async () => {
      const res = await admin(t.url, 'POST', '/admin/bookings', {
        slotId: first.id,
        subjectOfCare: OTHER_PATIENT,
        patient: { firstName: 'Lena', lastName: 'Handén' },
      });
      assert.equal(res.status, 201, res.text);
      booking = view(res.json);
    });
    const key = {
      person: OTHER_PATIENT,
      categorization: 'Booking',
      facility: FACILITY,
      id: booking.id,
    } as const;
    assert.deepEqual(made, [expected(false, { ...key, mostRecentContent: first.start.ts })]);

    const moved = await sent(async () => {
      const res = await admin(t.url, 'POST', `/admin/bookings/${booking.id}/rebook`, {
        slotId: second.id,
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(view(res.json).start, second.start.ts);
    });
    assert.deepEqual(moved, [expected(false, { ...key, mostRecentContent: second.start.ts })]);

    const cancelled = await sent(async () => {
      const res = await admin(t.url, 'POST', `/admin/bookings/${booking.id}/cancel`, {});
      assert.equal(res.status, 200, res.text);
      assert.equal(view(res.json).status, 'cancelled');
    });
    assert.deepEqual(cancelled, [expected(true, key)]);

    const shown = await admin(t.url, 'GET', `/admin/bookings/${booking.id}`);
    assert.equal(shown.status, 200);
    assert.equal(view(shown.json).status, 'cancelled');
    assert.doesNotMatch(shown.text, new RegExp(OTHER_PATIENT));
  });

  void it('books an open invitation for its patient: Invitation delete, then Booking create', async () => {
    const res = await admin(t.url, 'POST', '/admin/invitations', {
      facility: FACILITY,
      subjectOfCare: PATIENT,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-LAK',
      purpose: 'Vaccination',
    });
    const invitation = view(res.json);
    const slot = t.calendar.doctorSlots[4]!;
    const received = await sent(async () => {
      const booked = await admin(t.url, 'POST', '/admin/bookings', {
        invitationId: invitation.id,
        slotId: slot.id,
      });
      assert.equal(booked.status, 201, booked.text);
      assert.equal(view(booked.json).kind, 'booking');
    });
    const key = { person: PATIENT, facility: FACILITY, id: invitation.id } as const;
    assert.deepEqual(received, [
      expected(true, { ...key, categorization: 'Invitation' }),
      expected(false, { ...key, categorization: 'Booking', mostRecentContent: slot.start.ts }),
    ]);
  });

  void it('cancels a booking whose time type has a cancellation text, and shows staff that text', async () => {
    const fee = LATE_CANCEL_FEE;
    const slot = await addLateCancelFeeSlot(t.app.store, t.calendar.doctorSlots[8]!);
    const made = await admin(t.url, 'POST', '/admin/bookings', {
      slotId: slot.id,
      subjectOfCare: OTHER_PATIENT,
      patient: { firstName: 'Lena', lastName: 'Handén' },
    });
    assert.equal(made.status, 201, made.text);
    const booking = view(made.json);
    assert.equal(booking.info, undefined, 'the cancellation text is not a booking text');
    await t.drained();
    const received = await sent(async () => {
      const res = await admin(t.url, 'POST', `/admin/bookings/${booking.id}/cancel`, {});
      assert.equal(res.status, 200, res.text);
      assert.equal(view(res.json).status, 'cancelled');
      assert.equal(view(res.json).info, fee);
    });
    assert.deepEqual(received, [
      expected(true, {
        person: OTHER_PATIENT,
        categorization: 'Booking',
        facility: FACILITY,
        id: booking.id,
      }),
    ]);

    const invited = await admin(t.url, 'POST', '/admin/invitations', {
      facility: FACILITY,
      subjectOfCare: PATIENT,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-AVG',
      purpose: 'Hälsosamtal',
    });
    const withdrawn = await admin(
      t.url,
      'POST',
      `/admin/invitations/${view(invited.json).id}/withdraw`,
    );
    assert.equal(withdrawn.status, 200, withdrawn.text);
    assert.equal(view(withdrawn.json).info, undefined, 'a withdrawal is the clinic’s own doing');
  });

  void it('withdraws an invitation: one Invitation delete with the same key', async () => {
    const res = await admin(t.url, 'POST', '/admin/invitations', {
      facility: FACILITY,
      subjectOfCare: PATIENT,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-LAK',
      purpose: 'Hälsosamtal',
    });
    const invitation = view(res.json);
    await t.drained();
    const received = await sent(async () => {
      const withdrawn = await admin(t.url, 'POST', `/admin/invitations/${invitation.id}/withdraw`);
      assert.equal(withdrawn.status, 200, withdrawn.text);
    });
    assert.deepEqual(received, [
      expected(true, {
        person: PATIENT,
        categorization: 'Invitation',
        facility: FACILITY,
        id: invitation.id,
      }),
    ]);
  });

  void it('changes a timed invitation: the old Invitation deleted, a new one created at the new time', async () => {
    const [first, second] = [t.calendar.doctorSlots[6]!, t.calendar.doctorSlots[7]!];
    const res = await admin(t.url, 'POST', '/admin/invitations', {
      facility: FACILITY,
      subjectOfCare: PATIENT,
      patient: PATIENT_INFO,
      slotId: first.id,
      purpose: 'Årskontroll',
    });
    const invitation = view(res.json);
    await t.drained();
    let changedId = '';
    const received = await sent(async () => {
      const changed = await admin(t.url, 'POST', `/admin/invitations/${invitation.id}/change`, {
        slotId: second.id,
        purpose: 'Årskontroll, ny tid',
      });
      assert.equal(changed.status, 201, changed.text);
      changedId = view(changed.json).id;
    });
    assert.notEqual(changedId, invitation.id);
    assert.deepEqual(received, [
      expected(true, {
        person: PATIENT,
        categorization: 'Invitation',
        facility: FACILITY,
        id: invitation.id,
      }),
      expected(false, {
        person: PATIENT,
        categorization: 'Invitation',
        facility: FACILITY,
        id: changedId,
        mostRecentContent: second.start.ts,
      }),
    ]);
    const booking = await admin(t.url, 'POST', `/admin/invitations/${changedId}/change`, {
      slotId: 'no-such-slot',
    });
    assert.equal(booking.status, 409, 'a refused change is a conflict and changes nothing');
    assert.equal((await t.app.store.getBooking(changedId))?.status, 'active');
  });

  void it('answers 400 for a bad personnummer without echoing it, and for broken DocBook', async () => {
    const badId = '19121212121X';
    const res = await admin(t.url, 'POST', '/admin/bookings', {
      slotId: t.calendar.doctorSlots[5]!.id,
      subjectOfCare: badId,
      patient: PATIENT_INFO,
    });
    assert.equal(res.status, 400);
    assert.match(String(res.json['error']), /subjectOfCare must be 12 characters/);
    assert.doesNotMatch(res.text, /19121212/);

    const docbook = await admin(t.url, 'POST', '/admin/invitations', {
      facility: FACILITY,
      subjectOfCare: PATIENT,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-LAK',
      purpose: '<article xmlns="http://docbook.org/ns/docbook"><script/></article>',
    });
    assert.equal(docbook.status, 400);
    assert.match(String(docbook.json['error']), /purpose is not usable: DocBook element <script>/);

    const notJson = await fetch(`${t.url}/admin/bookings`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: '{',
    });
    assert.equal(notJson.status, 400);
  });

  void it('answers 404 for an unknown booking and 409 with the Swedish text when the slot is taken', async () => {
    const unknown = await admin(t.url, 'POST', '/admin/bookings/no-such-id/cancel', {});
    assert.equal(unknown.status, 404);
    assert.match(String(unknown.json['error']), /no booking or invitation with id no-such-id/);

    const slot = t.calendar.doctorSlots[6]!;
    const body = { slotId: slot.id, patient: PATIENT_INFO };
    assert.equal(
      (await admin(t.url, 'POST', '/admin/bookings', { ...body, subjectOfCare: PATIENT })).status,
      201,
    );
    const taken = await admin(t.url, 'POST', '/admin/bookings', {
      ...body,
      subjectOfCare: OTHER_PATIENT,
    });
    assert.equal(taken.status, 409);
    assert.equal(taken.json['error'], refusal.slotTaken);
  });

  void it('reloads a unit not enabled for web booking as deletes, and an enabled one as upserts', async () => {
    const hidden = await admin(t.url, 'POST', `/admin/ei/reload?facility=${HIDDEN}`);
    assert.equal(hidden.status, 200);
    assert.equal(hidden.json['queued'], 'delete');
    assert.equal((await admin(t.url, 'POST', '/admin/ei/reload')).status, 400);

    const active = (await t.app.store.listActiveBookings(FACILITY)).length;
    const received = await sent(async () => {
      const res = await admin(t.url, 'POST', `/admin/ei/reload?facility=${FACILITY}`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json['engagements'], active);
    });
    assert.equal(received.length, active);
    assert.ok(received.every((r) => !r.deleteFlag && r.engagement.logicalAddress === FACILITY));
  });

  void it('shows a dead letter in the outbox status and re-queues it on retry', async () => {
    await t.drained();
    t.ei.failNext(1, 'EI002');
    const res = await admin(t.url, 'POST', '/admin/invitations', {
      facility: FACILITY,
      subjectOfCare: PATIENT,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-LAK',
      purpose: 'Provsvar',
    });
    assert.equal(res.status, 201);
    let status!: Record<string, unknown>;
    for (let i = 0; i < 200; i++) {
      status = (await admin(t.url, 'GET', '/admin/outbox')).json;
      if ((status['deadLetters'] as unknown[]).length > 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const dead = status['deadLetters'] as { id: number; reason: string; key: string }[];
    assert.equal(dead.length, 1);
    assert.match(dead[0]!.reason, /EI002/);
    assert.doesNotMatch(dead[0]!.key, new RegExp(PATIENT));

    assert.equal((await admin(t.url, 'POST', '/admin/outbox/retry', { id: 999_999 })).status, 404);
    assert.equal((await admin(t.url, 'POST', '/admin/outbox/retry', { id: 'x' })).status, 400);
    const received = await sent(async () => {
      const retried = await admin(t.url, 'POST', '/admin/outbox/retry', { id: dead[0]!.id });
      assert.deepEqual(retried.json, { requeued: 1 });
    });
    assert.equal(received.length, 1);
    assert.equal(received[0]!.engagement.businessObjectInstanceIdentifier, view(res.json).id);
    const after = (await admin(t.url, 'GET', '/admin/outbox')).json;
    assert.deepEqual(after['deadLetters'], []);
  });
});

void describe('admin API access', () => {
  void it('answers 401 without a token and with a wrong one, changing nothing', async () => {
    const t = await startTestApp({ adminToken: TOKEN });
    try {
      const before = (await t.app.store.stats()).outbox;
      const body = {
        slotId: t.calendar.doctorSlots[0]!.id,
        subjectOfCare: PATIENT,
        patient: PATIENT_INFO,
      };
      const none = await admin(t.url, 'POST', '/admin/bookings', body, null);
      assert.equal(none.status, 401);
      const wrong = await admin(t.url, 'POST', '/admin/bookings', body, `${TOKEN}x`);
      assert.equal(wrong.status, 401);
      assert.match(String(wrong.json['error']), /not valid/);
      assert.equal((await admin(t.url, 'GET', '/admin/outbox', undefined, 'short')).status, 401);
      assert.equal((await t.app.store.stats()).outbox, before);
      assert.equal((await t.app.store.stats()).activeBookings, 0);
    } finally {
      await t.close();
    }
  });

  void it('stays off the SOAP listener by default, on a listener of its own', async () => {
    const t = await startTestApp({ adminToken: TOKEN, adminListener: 'separate' });
    try {
      const onSoap = await admin(t.url, 'GET', '/admin/outbox');
      assert.equal(onSoap.status, 404, 'the SOAP listener does not serve /admin/');
      const adminUrl = await t.app.listenAdmin(0, '127.0.0.1');
      assert.ok(adminUrl);
      const own = await admin(adminUrl, 'GET', '/admin/outbox');
      assert.equal(own.status, 200, own.text);
      assert.equal((await fetch(`${adminUrl}/admin/outbox`)).status, 401, 'still needs the token');
      assert.equal(
        (await fetch(`${adminUrl}${MakeBooking.path}`, { method: 'POST' })).status,
        404,
        'and serves nothing but the admin API',
      );
    } finally {
      await t.close();
    }
  });

  void it('answers 404 everywhere under /admin/ when no token is configured', async () => {
    const t = await startTestApp();
    try {
      const res = await admin(t.url, 'GET', '/admin/outbox');
      assert.equal(res.status, 404);
      assert.equal(res.text, 'No service at this address\n');
    } finally {
      await t.close();
    }
  });
});
