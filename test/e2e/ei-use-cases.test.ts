/**
 * Each use case of rivta-spec §3.3, end to end: a SOAP call or a staff action
 * goes into the running app, and the test checks the exact EI Update
 * transactions the simulator received, every call of them conforming
 * (national XSD, LogicalAddress, correlation id, §3.2 fields).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { instantToTs, tsToInstant } from '../../src/domain/local-time.ts';
import type { Booking, Timeslot } from '../../src/domain/types.ts';
import {
  acceptedTransactions,
  assertEveryCallConforms,
  expectedEngagement,
  type WireTransaction,
} from '../support/ei-checks.ts';
import { soapCancelBooking, soapMakeBooking, soapUpdateBooking } from '../support/booking-calls.ts';
import {
  bookingOfSlot,
  FACILITY,
  HIDDEN,
  PARTNER,
  PATIENT,
  PATIENT_INFO,
} from '../support/test-calendar.ts';
import { startEiTestApp, type EiTestApp } from '../support/test-app.ts';

const upsert = (
  categorization: 'Booking' | 'Invitation',
  facility: string,
  bookingId: string,
  mostRecentContent: string,
): WireTransaction => ({
  deleteFlag: false,
  engagement: expectedEngagement({
    subjectOfCare: PATIENT,
    categorization,
    facility,
    bookingId,
    mostRecentContent,
  }),
});

const remove = (
  categorization: 'Booking' | 'Invitation',
  facility: string,
  bookingId: string,
): WireTransaction => ({
  deleteFlag: true,
  engagement: expectedEngagement({ subjectOfCare: PATIENT, categorization, facility, bookingId }),
});

/** The key fields of an engagement as sent: everything but deleteFlag and mostRecentContent. */
const keyFieldsOf = (t: WireTransaction) =>
  Object.fromEntries(Object.entries(t.engagement).filter(([name]) => name !== 'mostRecentContent'));

describe('every scheduling change reaches EI as the use cases of rivta-spec §3.3 say', () => {
  let t: EiTestApp;
  beforeEach(async () => {
    t = await startEiTestApp();
  });
  afterEach(() => t.close());

  /** Waits for delivery and returns what EI accepted since `mark` (a count of calls). */
  const deliveredSince = async (mark: number) => {
    await t.drained();
    return acceptedTransactions(t.ei, mark);
  };

  const doctor = (i: number) => t.calendar.doctorSlots[i]!;

  const staffInvitation = async (slot?: Timeslot): Promise<Booking> => {
    const outcome = await t.app.service.createInvitation({
      facility: FACILITY,
      subjectOfCare: PATIENT,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-LAK',
      purpose: 'Välkommen på årskontroll',
      ...(slot ? { slotId: slot.id } : {}),
    });
    assert.ok(outcome.ok, 'the invitation was created');
    return outcome.value.booking;
  };

  it('a new booking over MakeBooking creates one Booking engagement with every field of §3.2', async () => {
    const slot = doctor(0);
    const bookingId = await soapMakeBooking(t.url, slot);

    assert.deepEqual(await deliveredSince(0), [
      upsert('Booking', FACILITY, bookingId, slot.start.ts),
    ]);
    assert.equal(t.ei.calls.length, 1, 'one Update call');
    assert.equal(PATIENT.length, 12);
    assertEveryCallConforms(t.ei);
  });

  it('a booking staff make for a patient creates one Booking engagement', async () => {
    const slot = doctor(1);
    const outcome = await t.app.service.makeBooking(bookingOfSlot(slot, 'staff'));
    assert.ok(outcome.ok);

    assert.deepEqual(await deliveredSince(0), [
      upsert('Booking', FACILITY, outcome.value.id, slot.start.ts),
    ]);
    assertEveryCallConforms(t.ei);
  });

  it('a new open invitation creates one Invitation engagement dated with its business date', async () => {
    const invitation = await staffInvitation();
    assert.equal(invitation.start, undefined, 'open: no time yet');

    assert.deepEqual(await deliveredSince(0), [
      upsert('Invitation', FACILITY, invitation.id, instantToTs(invitation.createdAt)),
    ]);
    assertEveryCallConforms(t.ei);
  });

  it('a new timed invitation creates one Invitation engagement dated with its time', async () => {
    const slot = doctor(2);
    const invitation = await staffInvitation(slot);

    assert.deepEqual(await deliveredSince(0), [
      upsert('Invitation', FACILITY, invitation.id, slot.start.ts),
    ]);
    assertEveryCallConforms(t.ei);
  });

  it('a patient booking an open invitation deletes the Invitation, then creates the Booking', async () => {
    const invitation = await staffInvitation();
    const created = await deliveredSince(0);
    const mark = t.ei.calls.length;

    const slot = doctor(3);
    const bookingId = await soapMakeBooking(t.url, slot, { bookingId: invitation.id });
    assert.equal(bookingId, invitation.id, 'the booking keeps the invitation’s id');

    const sent = await deliveredSince(mark);
    assert.deepEqual(sent, [
      remove('Invitation', FACILITY, invitation.id),
      upsert('Booking', FACILITY, invitation.id, slot.start.ts),
    ]);
    assert.deepEqual(
      keyFieldsOf(sent[0]!),
      keyFieldsOf(created[0]!),
      'the delete repeats the create’s key',
    );
    assertEveryCallConforms(t.ei);
  });

  it('a patient rebooking a timed invitation deletes the Invitation, then creates the Booking', async () => {
    const invitation = await staffInvitation(doctor(4));
    const created = await deliveredSince(0);
    const mark = t.ei.calls.length;

    const target = doctor(7);
    await soapUpdateBooking(t.url, invitation.id, target);

    const sent = await deliveredSince(mark);
    assert.deepEqual(sent, [
      remove('Invitation', FACILITY, invitation.id),
      upsert('Booking', FACILITY, invitation.id, target.start.ts),
    ]);
    assert.deepEqual(keyFieldsOf(sent[0]!), keyFieldsOf(created[0]!));
    assertEveryCallConforms(t.ei);
  });

  it('rebooking at the same unit sends one upsert of the same key with the new time', async () => {
    const bookingId = await soapMakeBooking(t.url, doctor(0));
    const created = await deliveredSince(0);
    const mark = t.ei.calls.length;

    const target = doctor(8);
    await soapUpdateBooking(t.url, bookingId, target);

    const sent = await deliveredSince(mark);
    assert.deepEqual(sent, [upsert('Booking', FACILITY, bookingId, target.start.ts)]);
    assert.deepEqual(keyFieldsOf(sent[0]!), keyFieldsOf(created[0]!), 'the same key');
    assert.notEqual(
      sent[0]!.engagement.mostRecentContent,
      created[0]!.engagement.mostRecentContent,
    );
    assertEveryCallConforms(t.ei);
  });

  it('a rebooking staff make at the same unit is one upsert too', async () => {
    const bookingId = await soapMakeBooking(t.url, doctor(0));
    await deliveredSince(0);
    const mark = t.ei.calls.length;

    const target = doctor(9);
    const outcome = await t.app.service.rebook({
      bookingId,
      facility: FACILITY,
      startTs: target.start.ts,
      endTs: target.end.ts,
      timeTypeId: 'TT-LAK',
      origin: 'staff',
    });
    assert.ok(outcome.ok);

    assert.deepEqual(await deliveredSince(mark), [
      upsert('Booking', FACILITY, bookingId, target.start.ts),
    ]);
    assertEveryCallConforms(t.ei);
  });

  it('rebooking to the partner unit deletes the old key and creates one at the partner’s address', async () => {
    const bookingId = await soapMakeBooking(t.url, doctor(0));
    const created = await deliveredSince(0);
    const mark = t.ei.calls.length;

    const target = t.calendar.partnerSlots[0]!;
    await soapUpdateBooking(t.url, bookingId, target);

    const sent = await deliveredSince(mark);
    assert.deepEqual(sent, [
      remove('Booking', FACILITY, bookingId),
      upsert('Booking', PARTNER, bookingId, target.start.ts),
    ]);
    assert.deepEqual(keyFieldsOf(sent[0]!), keyFieldsOf(created[0]!));
    assertEveryCallConforms(t.ei);
  });

  it('staff changing an invitation deletes the Invitation and creates the changed one', async () => {
    const invitation = await staffInvitation(doctor(6));
    const created = await deliveredSince(0);
    const mark = t.ei.calls.length;

    const changed = await t.app.service.changeInvitation(invitation.id, {
      slotId: doctor(7).id,
      purpose: 'Ny tid för din årskontroll',
    });
    assert.ok(changed.ok, 'the invitation was changed');
    assert.notEqual(changed.value.id, invitation.id, 'a changed invitation is a new invitation');
    assert.equal((await t.app.store.getBooking(invitation.id))?.status, 'cancelled');
    assert.equal(
      await t.app.store.findActiveBookingOnSlot(doctor(6).id),
      undefined,
      'the old slot is free',
    );

    const sent = await deliveredSince(mark);
    assert.deepEqual(sent, [
      remove('Invitation', FACILITY, invitation.id),
      upsert('Invitation', FACILITY, changed.value.id, doctor(7).start.ts),
    ]);
    assert.deepEqual(keyFieldsOf(sent[0]!), keyFieldsOf(created[0]!));
    assertEveryCallConforms(t.ei);
  });

  it('a refused invitation change leaves the old invitation as it was and sends nothing', async () => {
    const invitation = await staffInvitation(doctor(8));
    await deliveredSince(0);
    const mark = t.ei.calls.length;
    const taken = await soapMakeBooking(t.url, doctor(9));
    assert.ok(taken);
    await deliveredSince(mark);
    const afterBooking = t.ei.calls.length;

    const changed = await t.app.service.changeInvitation(invitation.id, { slotId: doctor(9).id });
    assert.equal(changed.ok, false);
    const kept = await t.app.store.getBooking(invitation.id);
    assert.equal(kept?.status, 'active');
    assert.equal(kept?.version, invitation.version, 'the withdrawal was rolled back');
    assert.deepEqual(await deliveredSince(afterBooking), []);
  });

  it('a cancellation over CancelBooking deletes with the create’s key fields byte for byte', async () => {
    const bookingId = await soapMakeBooking(t.url, doctor(5));
    const created = await deliveredSince(0);
    const mark = t.ei.calls.length;

    await soapCancelBooking(t.url, FACILITY, bookingId);

    const sent = await deliveredSince(mark);
    assert.deepEqual(sent, [remove('Booking', FACILITY, bookingId)]);
    assert.deepEqual(keyFieldsOf(sent[0]!), keyFieldsOf(created[0]!));
    assert.equal(
      'mostRecentContent' in sent[0]!.engagement,
      false,
      'no mostRecentContent on delete',
    );
    // Byte for byte on the wire too: the delete call carries the same key-field elements.
    const fieldsXml = (body: string) =>
      [
        ...body.matchAll(
          /<(?:\w+:)?(registeredResidentIdentification|serviceDomain|categorization|logicalAddress|businessObjectInstanceIdentifier|clinicalProcessInterestId|sourceSystem|dataController)>([^<]*)</g,
        ),
      ].map((m) => `${m[1]}=${m[2]}`);
    assert.deepEqual(fieldsXml(t.ei.calls[mark]!.body), fieldsXml(t.ei.calls[0]!.body));
    assert.equal(t.ei.calls[mark]!.transactions[0]!.key, t.ei.calls[0]!.transactions[0]!.key);
    assertEveryCallConforms(t.ei);
  });

  it('staff cancelling a booking, and withdrawing an invitation, delete their engagements', async () => {
    const bookingId = await soapMakeBooking(t.url, doctor(6));
    const invitation = await staffInvitation();
    await deliveredSince(0);
    const mark = t.ei.calls.length;

    for (const id of [bookingId, invitation.id]) {
      const outcome = await t.app.service.cancel({
        bookingId: id,
        facility: FACILITY,
        origin: 'staff',
      });
      assert.ok(outcome.ok);
    }

    const sent = await deliveredSince(mark);
    assert.deepEqual(
      new Set(sent.map((s) => JSON.stringify(s))),
      new Set(
        [remove('Booking', FACILITY, bookingId), remove('Invitation', FACILITY, invitation.id)].map(
          (s) => JSON.stringify(s),
        ),
      ),
    );
    assert.equal(sent.length, 2);
    assert.deepEqual(t.ei.findContent(PATIENT, 'riv:crm:scheduling'), []);
    assertEveryCallConforms(t.ei);
  });

  it('changes at a unit not enabled for web booking send nothing, while an enabled unit’s do', async () => {
    const day = t.calendar.days[0]!;
    const startTs = `${day}110000`;
    const endTs = `${day}112000`;
    const hiddenSlot: Timeslot = {
      id: 'hidden-slot-1',
      facility: HIDDEN,
      start: { ts: startTs, utcMs: tsToInstant(startTs)! },
      end: { ts: endTs, utcMs: tsToInstant(endTs)! },
      timeTypeId: 'TT-LAK',
      careTypeId: 'CT-ALLM',
    };
    await t.app.store.transaction((tx) => tx.upsertTimeslot(hiddenSlot));

    // Staff book there (the unit is not open for online booking) and invite; then both are cancelled.
    const hiddenBooking = await t.app.service.makeBooking({
      facility: HIDDEN,
      id: hiddenSlot.id,
      startTs,
      endTs,
      subjectOfCare: PATIENT,
      patient: PATIENT_INFO,
      origin: 'staff',
    });
    assert.ok(hiddenBooking.ok);
    const hiddenInvitation = await t.app.service.createInvitation({
      facility: HIDDEN,
      subjectOfCare: PATIENT,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-LAK',
      purpose: 'Kallelse',
    });
    assert.ok(hiddenInvitation.ok);
    for (const id of [hiddenBooking.value.id, hiddenInvitation.value.booking.id]) {
      const cancelled = await t.app.service.cancel({
        bookingId: id,
        facility: HIDDEN,
        origin: 'staff',
      });
      assert.ok(cancelled.ok);
    }
    // The enabled unit's change shows the pipeline is running.
    const slot = doctor(10);
    const visible = await soapMakeBooking(t.url, slot);

    assert.deepEqual(await deliveredSince(0), [
      upsert('Booking', FACILITY, visible, slot.start.ts),
    ]);
    const queued = await t.app.store.listOutbox();
    assert.equal(queued.length, 1, 'nothing was even queued for the hidden unit');
    assert.ok(!t.ei.calls.some((c) => c.body.includes(HIDDEN)));
    assertEveryCallConforms(t.ei);
  });
});
