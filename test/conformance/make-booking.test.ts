import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetAllHealthcareFacilities, MakeBooking } from '../../src/contracts/scheduling.ts';
import { addDays, instantToDt } from '../../src/domain/local-time.ts';
import { refusal } from '../../src/domain/refusals.ts';
import type { Timeslot } from '../../src/domain/types.ts';
import { callSoap } from '../support/soap-client.ts';
import { FACILITY, HIDDEN, NURSE, PARTNER, PATIENT_INFO } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import {
  asPatient,
  availabilityRequest,
  book,
  bookOk,
  countElements,
  makeBookingRequest,
  personnummer,
  searchTimeslots,
} from './consumer.ts';

/** rivta-spec §6 must-haves 11-13 and §2.2 MakeBooking. */
describe('MakeBooking', () => {
  let t: TestApp;
  let clock = Date.now();
  let internalSlot: Timeslot;
  let hiddenSlot: Timeslot;
  before(async () => {
    t = await startTestApp({ now: () => clock });
    const day1 = t.calendar.days[0]!;
    [internalSlot] = (await t.app.store.findTimeslotsAt(
      FACILITY,
      `${day1}150000`,
      `${day1}152000`,
    )) as [Timeslot];
    assert.equal(internalSlot.timeTypeId, 'TT-INT');
    // A time type every unit has, at a unit that is no partner of FACILITY.
    const model = t.calendar.partnerSlots[0]!;
    hiddenSlot = {
      id: 'hidden-1',
      facility: HIDDEN,
      start: model.start,
      end: model.end,
      timeTypeId: 'TT-LAK',
      careTypeId: 'CT-ALLM',
    };
    await t.app.store.transaction(async (tx) => {
      await tx.upsertTimeslot(hiddenSlot);
    });
  });
  after(() => t.close());

  /** Asserts a refusal on the wire: HTTP 200, ERROR, the text, and no bookingId element at all. */
  function assertRefused(answer: Awaited<ReturnType<typeof book>>, text: string) {
    assert.equal(answer.status, 200, answer.fault?.message);
    assert.equal(answer.response!.resultCode, 'ERROR');
    assert.equal(answer.response!.resultText, text);
    assert.equal(countElements(answer.text, 'bookingId'), 0, 'no bookingId element in the XML');
    assert.doesNotMatch(answer.text, /bookingId/);
  }

  it('refuses a taken slot with ERROR, a text and no bookingId, and changes nothing', async () => {
    const slot = t.calendar.doctorSlots[0]!;
    const holderId = await bookOk(t.url, slot, personnummer(20));
    const before = await t.app.store.stats();
    const answer = await book(t.url, slot, personnummer(21));
    assertRefused(answer, refusal.slotTaken);
    assert.deepEqual(await t.app.store.stats(), before);
    assert.equal((await t.app.store.findActiveBookingOnSlot(slot.id))?.id, holderId);
    assert.equal(
      (await t.app.store.listActiveBookingsOfSubject(FACILITY, personnummer(21))).length,
      0,
    );
  });

  it('answers INFO with the time type text and a bookingId when the booking was made and there is something to tell', async () => {
    const slot = t.calendar.nurseSlots[0]!;
    const answer = await book(t.url, slot, personnummer(22));
    assert.equal(answer.response!.resultCode, 'INFO');
    assert.equal(answer.response!.resultText, 'Kom fastande. Ät eller drick inget efter midnatt.');
    const bookingId = answer.response!.bookingId;
    assert.ok(bookingId);
    assert.equal(countElements(answer.text, 'bookingId'), 1);
    assert.equal((await t.app.store.findActiveBookingOnSlot(slot.id))?.id, bookingId);

    const taken = await book(t.url, slot, personnummer(23));
    assertRefused(taken, refusal.slotTaken);
  });

  it('answers a repeated MakeBooking (the platform retrying) with the same bookingId and one booking', async () => {
    const patient = personnummer(24);
    const slot = t.calendar.doctorSlots[1]!;
    const before = await t.app.store.stats();
    const first = await book(t.url, slot, patient);
    const second = await book(t.url, slot, patient);
    assert.equal(first.response!.resultCode, 'OK');
    assert.equal(second.response!.resultCode, 'OK');
    assert.equal(second.response!.bookingId, first.response!.bookingId);
    assert.equal((await t.app.store.stats()).activeBookings, before.activeBookings + 1);
    assert.equal((await t.app.store.listActiveBookingsOfSubject(FACILITY, patient)).length, 1);

    // The retry can also overlap the original when the first answer was lost in transit.
    const racer = personnummer(25);
    const [a, b] = await Promise.all([
      book(t.url, t.calendar.doctorSlots[2]!, racer),
      book(t.url, t.calendar.doctorSlots[2]!, racer),
    ]);
    assert.deepEqual(
      [a!.response!.resultCode, b!.response!.resultCode],
      ['OK', 'OK'],
      'both copies are answered OK',
    );
    assert.equal(a!.response!.bookingId, b!.response!.bookingId);
    assert.equal((await t.app.store.listActiveBookingsOfSubject(FACILITY, racer)).length, 1);

    const info = t.calendar.nurseSlots[0]!;
    const repeatInfo = await book(t.url, info, personnummer(22));
    assert.equal(
      repeatInfo.response!.resultCode,
      'INFO',
      'a repeated INFO booking says INFO again',
    );
    assert.equal(
      repeatInfo.response!.bookingId,
      (await t.app.store.findActiveBookingOnSlot(info.id))?.id,
    );
  });

  it('refuses a slot id whose start, end, performer, time type or facility does not match', async () => {
    const slot = t.calendar.doctorSlots[3]!;
    const other = t.calendar.doctorSlots[4]!;
    const patient = personnummer(26);
    const before = await t.app.store.stats();
    for (const [what, overrides] of Object.entries({
      start: { startTimeInclusive: other.start.ts, endTimeExclusive: other.end.ts },
      end: { endTimeExclusive: other.end.ts },
      performer: { performer: NURSE },
      'time type': { timeTypeID: 'TT-PROV' },
      'unknown slot id': { bookingId: 'no-such-slot' },
    })) {
      const answer = await book(t.url, slot, patient, overrides);
      assertRefused(answer, refusal.slotNotFound);
      assert.ok(answer.response, what);
    }
    const atPartner = await callSoap(
      t.url,
      MakeBooking,
      makeBookingRequest(slot, patient, { healthcare_facility: PARTNER }),
      asPatient(patient, PARTNER),
    );
    assertRefused(atPartner, refusal.slotNotFound);
    assert.deepEqual(await t.app.store.stats(), before);
  });

  it('refuses a slot that is not bookable online', async () => {
    const answer = await book(t.url, internalSlot, personnummer(27));
    assertRefused(answer, refusal.notBookableOnline);
    assert.equal(await t.app.store.findActiveBookingOnSlot(internalSlot.id), undefined);
  });

  it('refuses a returning-patients slot to a newcomer and books it once the patient has a history', async () => {
    const patient = personnummer(28);
    const followUp = t.calendar.followUpSlots[0]!;
    assertRefused(await book(t.url, followUp, patient), refusal.notBookableOnline);
    assert.equal(await t.app.store.findActiveBookingOnSlot(followUp.id), undefined);

    await bookOk(t.url, t.calendar.doctorSlots[6]!, patient);
    const answer = await book(t.url, followUp, patient);
    assert.equal(answer.response!.resultCode, 'OK');
    assert.equal(
      (await t.app.store.findActiveBookingOnSlot(followUp.id))?.id,
      answer.response!.bookingId,
    );
  });

  it('refuses a slot that has already started', async () => {
    const slot = t.calendar.doctorSlots[5]!;
    const saved = clock;
    clock = slot.start.utcMs + 60_000;
    try {
      assertRefused(await book(t.url, slot, personnummer(29)), refusal.slotInPast);
    } finally {
      clock = saved;
    }
    assert.equal(await t.app.store.findActiveBookingOnSlot(slot.id), undefined);
  });

  describe('an open invitation', () => {
    async function invite(subject: string, timeTypeId = 'TT-LAK') {
      const outcome = await t.app.service.createInvitation({
        facility: FACILITY,
        subjectOfCare: subject,
        patient: PATIENT_INFO,
        timeTypeId,
        purpose: 'Välkommen på hälsokontroll.',
      });
      assert.ok(outcome.ok);
      return outcome.value.booking.id;
    }

    /** A slot the rebooking search offers for the invitation, as MVK picks it. */
    async function offered(invitationId: string, subject: string, facility = FACILITY) {
      const slots = await searchTimeslots(
        t.url,
        availabilityRequest(t.calendar.days.slice(1), subject, {
          healthcare_facility: facility,
          bookingId: invitationId,
        }),
      );
      assert.ok(slots.length > 0, 'the invitation can be booked here');
      assert.ok(slots.every((s) => s.bookingId === invitationId));
      return slots;
    }

    it('is booked by its own id, keeps that id, and cannot be booked a second time', async () => {
      const patient = personnummer(30);
      const invitationId = await invite(patient);
      const [chosen, another] = await offered(invitationId, patient);
      const request = {
        startTimeInclusive: chosen!.startTimeInclusive!,
        endTimeExclusive: chosen!.endTimeExclusive!,
        healthcare_facility: FACILITY,
        performer: chosen!.performer!,
        bookingId: invitationId,
        subject_of_care: patient,
        timeTypeID: 'TT-LAK',
      };
      const made = await callSoap(
        t.url,
        MakeBooking,
        {
          healthcare_facility_med: FACILITY,
          requestedTimeslot: request,
          subject_of_care_info: PATIENT_INFO,
        },
        asPatient(patient),
      );
      assert.equal(made.response!.resultCode, 'OK');
      assert.equal(made.response!.bookingId, invitationId, 'the booking keeps the invitation id');
      const stored = await t.app.store.getBooking(invitationId);
      assert.equal(stored?.isInvitation, false);
      assert.equal(stored?.start?.ts, chosen!.startTimeInclusive);

      const retry = await callSoap(
        t.url,
        MakeBooking,
        {
          healthcare_facility_med: FACILITY,
          requestedTimeslot: request,
          subject_of_care_info: PATIENT_INFO,
        },
        asPatient(patient),
      );
      assert.equal(retry.response!.resultCode, 'OK', 'the same request again is a retry');
      assert.equal(retry.response!.bookingId, invitationId);

      const before = await t.app.store.stats();
      const second = await callSoap(
        t.url,
        MakeBooking,
        {
          healthcare_facility_med: FACILITY,
          requestedTimeslot: {
            ...request,
            startTimeInclusive: another!.startTimeInclusive!,
            endTimeExclusive: another!.endTimeExclusive!,
            performer: another!.performer!,
          },
          subject_of_care_info: PATIENT_INFO,
        },
        asPatient(patient),
      );
      assertRefused(second, refusal.invitationAlreadyBooked);
      assert.deepEqual(await t.app.store.stats(), before);
      assert.equal(
        (await t.app.store.getBooking(invitationId))?.start?.ts,
        chosen!.startTimeInclusive,
      );
    });

    it('cannot be booked by anyone but the invited patient', async () => {
      const patient = personnummer(31);
      const invitationId = await invite(patient);
      const [chosen] = await offered(invitationId, patient);
      const stranger = personnummer(32);
      const answer = await callSoap(
        t.url,
        MakeBooking,
        {
          healthcare_facility_med: FACILITY,
          requestedTimeslot: {
            startTimeInclusive: chosen!.startTimeInclusive!,
            endTimeExclusive: chosen!.endTimeExclusive!,
            healthcare_facility: FACILITY,
            bookingId: invitationId,
            subject_of_care: stranger,
          },
          subject_of_care_info: PATIENT_INFO,
        },
        asPatient(stranger),
      );
      assertRefused(answer, refusal.bookingNotYours);
      assert.equal((await t.app.store.getBooking(invitationId))?.slotId, undefined);
    });

    it('is refused at a facility outside GetAllHealthcareFacilities(bookingId) and booked at one inside it', async () => {
      const patient = personnummer(33);
      const invitationId = await invite(patient);
      const facilities = await callSoap(
        t.url,
        GetAllHealthcareFacilities,
        { healthcare_facility: FACILITY, subject_of_care: patient, bookingId: invitationId },
        asPatient(patient),
      );
      const allowed = facilities.response!.healthcareFacilityInfos.map(
        (f) => f.healthcare_facility,
      );
      assert.deepEqual(allowed.sort(), [FACILITY, PARTNER].sort());
      assert.ok(!allowed.includes(HIDDEN));

      const outside = await callSoap(
        t.url,
        MakeBooking,
        {
          healthcare_facility_med: HIDDEN,
          requestedTimeslot: {
            startTimeInclusive: hiddenSlot.start.ts,
            endTimeExclusive: hiddenSlot.end.ts,
            healthcare_facility: HIDDEN,
            bookingId: invitationId,
            subject_of_care: patient,
          },
          subject_of_care_info: PATIENT_INFO,
        },
        asPatient(patient, HIDDEN),
      );
      assertRefused(outside, refusal.facilityNotAllowed);
      assert.equal(await t.app.store.findActiveBookingOnSlot(hiddenSlot.id), undefined);
      const still = await t.app.store.getBooking(invitationId);
      assert.deepEqual([still?.isInvitation, still?.slotId], [true, undefined]);

      const [atPartner] = await offered(invitationId, patient, PARTNER);
      const inside = await callSoap(
        t.url,
        MakeBooking,
        {
          healthcare_facility_med: PARTNER,
          requestedTimeslot: {
            startTimeInclusive: atPartner!.startTimeInclusive!,
            endTimeExclusive: atPartner!.endTimeExclusive!,
            healthcare_facility: PARTNER,
            performer: atPartner!.performer!,
            bookingId: invitationId,
            subject_of_care: patient,
          },
          subject_of_care_info: PATIENT_INFO,
        },
        asPatient(patient, PARTNER),
      );
      assert.equal(inside.response!.resultCode, 'OK', inside.response!.resultText);
      assert.equal(inside.response!.bookingId, invitationId);
      assert.equal((await t.app.store.getBooking(invitationId))?.facility, PARTNER);
    });

    it('cannot be booked after its last day', async () => {
      const patient = personnummer(35);
      const outcome = await t.app.service.createInvitation({
        facility: FACILITY,
        subjectOfCare: patient,
        patient: PATIENT_INFO,
        timeTypeId: 'TT-LAK',
        purpose: 'Välkommen på hälsokontroll.',
        expiresOn: addDays(instantToDt(clock), -1),
      });
      assert.ok(outcome.ok);
      const slot = t.calendar.doctorSlots[15]!;
      const answer = await book(t.url, slot, patient, { bookingId: outcome.value.booking.id });
      assertRefused(answer, refusal.invitationExpired);
      assert.equal(await t.app.store.findActiveBookingOnSlot(slot.id), undefined);
    });

    it('of a time type only its own unit offers cannot be booked at the partner', async () => {
      const patient = personnummer(34);
      const invitationId = await invite(patient, 'TT-PROV');
      const facilities = await callSoap(
        t.url,
        GetAllHealthcareFacilities,
        { healthcare_facility: FACILITY, subject_of_care: patient, bookingId: invitationId },
        asPatient(patient),
      );
      assert.deepEqual(
        facilities.response!.healthcareFacilityInfos.map((f) => f.healthcare_facility),
        [FACILITY],
      );
      const partnerSlot = t.calendar.partnerSlots[2]!;
      assert.equal(await t.app.store.findActiveBookingOnSlot(partnerSlot.id), undefined);
      const answer = await callSoap(
        t.url,
        MakeBooking,
        {
          healthcare_facility_med: PARTNER,
          requestedTimeslot: {
            startTimeInclusive: partnerSlot.start.ts,
            endTimeExclusive: partnerSlot.end.ts,
            healthcare_facility: PARTNER,
            bookingId: invitationId,
            subject_of_care: patient,
          },
          subject_of_care_info: PATIENT_INFO,
        },
        asPatient(patient, PARTNER),
      );
      assertRefused(answer, refusal.facilityNotAllowed);
      assert.equal(await t.app.store.findActiveBookingOnSlot(partnerSlot.id), undefined);
    });
  });
});
