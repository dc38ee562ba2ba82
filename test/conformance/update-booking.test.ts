import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CancelBooking,
  GetBookingDetails,
  GetSubjectOfCareSchedule,
} from '../../src/contracts/scheduling.ts';
import { refusal } from '../../src/domain/refusals.ts';
import type { Timeslot } from '../../src/domain/types.ts';
import { assertFault, callSoap } from '../support/soap-client.ts';
import { FACILITY, HIDDEN, PARTNER, PATIENT_INFO } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import {
  asPatient,
  availabilityRequest,
  bookOk,
  countElements,
  elementTexts,
  moveBooking,
  personnummer,
  searchTimeslots,
} from './consumer.ts';

/** rivta-spec §6 must-have 14 and §2.2 UpdateBooking / §2.2b identity. */
describe('UpdateBooking', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const slots = () => t.calendar.doctorSlots;

  async function invite(subject: string, slot?: Timeslot) {
    const outcome = await t.app.service.createInvitation({
      facility: FACILITY,
      subjectOfCare: subject,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-LAK',
      purpose: 'Dags för årskontroll.',
      ...(slot ? { slotId: slot.id } : {}),
    });
    assert.ok(outcome.ok);
    return outcome.value.booking.id;
  }

  function assertRefused(answer: Awaited<ReturnType<typeof moveBooking>>, text: string) {
    assert.equal(answer.status, 200, answer.fault?.message);
    assert.equal(answer.response!.resultCode, 'ERROR');
    assert.equal(answer.response!.resultText, text);
  }

  /** Runs `send` and asserts the booking is exactly as before. */
  async function unchanged(bookingId: string, send: () => Promise<void>) {
    const before = await t.app.store.getBooking(bookingId);
    await send();
    assert.deepEqual(await t.app.store.getBooking(bookingId), before, 'the booking is unchanged');
  }

  it('refuses an open invitation: it must be booked with MakeBooking', async () => {
    const patient = personnummer(40);
    const invitationId = await invite(patient);
    await unchanged(invitationId, async () =>
      assertRefused(
        await moveBooking(t.url, invitationId, slots()[0]!, patient),
        refusal.openInvitationNeedsBooking,
      ),
    );
    assert.equal(await t.app.store.findActiveBookingOnSlot(slots()[0]!.id), undefined);
  });

  it('moves a timed invitation, keeps its id, and afterwards it is no longer an invitation', async () => {
    const patient = personnummer(41);
    const invitationId = await invite(patient, slots()[1]!);
    const beforeDetails = await callSoap(
      t.url,
      GetBookingDetails,
      { healthcare_facility: FACILITY, bookingId: invitationId },
      asPatient(patient),
    );
    assert.equal(beforeDetails.response!.timeslotDetail.isInvitation, true);

    const options = await searchTimeslots(
      t.url,
      availabilityRequest(t.calendar.days, patient, { bookingId: invitationId }),
    );
    assert.ok(options.length > 0 && options.every((o) => o.bookingId === invitationId));
    const target = slots().find((s) => s.start.ts === options[1]!.startTimeInclusive)!;
    const moved = await moveBooking(t.url, invitationId, target, patient);
    assert.equal(moved.response!.resultCode, 'OK', moved.response!.resultText);
    assert.equal(countElements(moved.text, 'bookingId'), 0, 'UpdateBooking cannot return an id');

    const details = await callSoap(
      t.url,
      GetBookingDetails,
      { healthcare_facility: FACILITY, bookingId: invitationId },
      asPatient(patient),
    );
    assert.notEqual(details.response!.timeslotDetail.isInvitation, true);
    assert.ok(!elementTexts(details.text, 'isInvitation').includes('true'));
    assert.equal(details.response!.timeslotDetail.startTimeInclusive, target.start.ts);
    assert.equal(await t.app.store.findActiveBookingOnSlot(slots()[1]!.id), undefined);
    assert.equal((await t.app.store.findActiveBookingOnSlot(target.id))?.id, invitationId);
  });

  it('refuses a booking whose time type may not be rebooked online', async () => {
    const patient = personnummer(42);
    const bookingId = await bookOk(t.url, t.calendar.nurseSlots[0]!, patient);
    await unchanged(bookingId, async () =>
      assertRefused(
        await moveBooking(t.url, bookingId, t.calendar.nurseSlots[1]!, patient),
        refusal.rebookNotAllowed,
      ),
    );
  });

  it('refuses a move to a taken slot and leaves the booking where it was', async () => {
    const patient = personnummer(43);
    const bookingId = await bookOk(t.url, slots()[3]!, patient);
    const taken = slots()[4]!;
    await bookOk(t.url, taken, personnummer(44));
    await unchanged(bookingId, async () =>
      assertRefused(await moveBooking(t.url, bookingId, taken, patient), refusal.slotTaken),
    );
    assert.equal((await t.app.store.findActiveBookingOnSlot(slots()[3]!.id))?.id, bookingId);
  });

  it("refuses to move another patient's booking", async () => {
    const owner = personnummer(45);
    const bookingId = await bookOk(t.url, slots()[5]!, owner);
    const stranger = personnummer(46);
    await unchanged(bookingId, async () =>
      assertRefused(
        await moveBooking(t.url, bookingId, slots()[6]!, stranger),
        refusal.bookingNotYours,
      ),
    );
  });

  it('refuses to move a cancelled booking', async () => {
    const patient = personnummer(47);
    const bookingId = await bookOk(t.url, slots()[7]!, patient);
    const cancelled = await callSoap(
      t.url,
      CancelBooking,
      { healthcare_facility: FACILITY, bookingId },
      asPatient(patient),
    );
    assert.equal(cancelled.response!.resultCode, 'OK');
    await unchanged(bookingId, async () =>
      assertRefused(
        await moveBooking(t.url, bookingId, slots()[8]!, patient),
        refusal.bookingCancelled,
      ),
    );
  });

  it('answers a repeated move (the platform retrying) OK without changing anything again', async () => {
    const patient = personnummer(48);
    const bookingId = await bookOk(t.url, slots()[9]!, patient);
    const target = slots()[10]!;
    assert.equal((await moveBooking(t.url, bookingId, target, patient)).response!.resultCode, 'OK');
    await unchanged(bookingId, async () => {
      const again = await moveBooking(t.url, bookingId, target, patient);
      assert.equal(again.response!.resultCode, 'OK');
    });
  });

  it('moves a booking to the partner facility, addressed to the partner, and it lives there afterwards', async () => {
    // Addressed to the booking's own facility it is accepted too (issue 12 item 9, mvk-guide.test.ts).
    const patient = personnummer(49);
    const bookingId = await bookOk(t.url, slots()[11]!, patient);
    const target = t.calendar.partnerSlots[0]!;

    await unchanged(bookingId, async () =>
      assertFault(
        await moveBooking(t.url, bookingId, target, patient, asPatient(patient, HIDDEN)),
        'Client',
        /does not match/,
      ),
    );
    const moved = await moveBooking(t.url, bookingId, target, patient, asPatient(patient, PARTNER));
    assert.equal(moved.response!.resultCode, 'OK', moved.response!.resultText);

    const stored = await t.app.store.getBooking(bookingId);
    assert.deepEqual([stored?.facility, stored?.slotId], [PARTNER, target.id]);
    assert.equal(await t.app.store.findActiveBookingOnSlot(slots()[11]!.id), undefined);

    const atPartner = await callSoap(
      t.url,
      GetBookingDetails,
      { healthcare_facility: PARTNER, bookingId },
      asPatient(patient, PARTNER),
    );
    assert.equal(atPartner.response!.timeslotDetail.healthcare_facility, PARTNER);
    assert.equal(atPartner.response!.timeslotDetail.startTimeInclusive, target.start.ts);
    assertFault(
      await callSoap(
        t.url,
        GetBookingDetails,
        { healthcare_facility: FACILITY, bookingId },
        asPatient(patient),
      ),
      'Client',
    );
    const schedules = await Promise.all(
      [FACILITY, PARTNER].map((facility) =>
        callSoap(
          t.url,
          GetSubjectOfCareSchedule,
          { healthcare_facility: facility, subject_of_care: patient },
          asPatient(patient, facility),
        ),
      ),
    );
    assert.deepEqual(
      schedules.map((s) => s.response!.timeslotDetail.map((d) => d.bookingId)),
      [[], [bookingId]],
    );
  });

  it('refuses a move to a facility outside GetAllHealthcareFacilities(bookingId)', async () => {
    const patient = personnummer(50);
    const bookingId = await bookOk(t.url, slots()[12]!, patient);
    const model = t.calendar.partnerSlots[1]!;
    const hidden: Timeslot = {
      id: 'hidden-update-1',
      facility: HIDDEN,
      start: model.start,
      end: model.end,
      timeTypeId: 'TT-LAK',
    };
    await t.app.store.transaction(async (tx) => {
      await tx.upsertTimeslot(hidden);
    });
    await unchanged(bookingId, async () =>
      assertRefused(
        await moveBooking(t.url, bookingId, hidden, patient, asPatient(patient, HIDDEN)),
        refusal.facilityNotAllowed,
      ),
    );
    assert.equal(await t.app.store.findActiveBookingOnSlot(hidden.id), undefined);
  });
});
