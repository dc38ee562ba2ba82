/**
 * What a 1177 user or an MVK integrator would notice (issue 12): the MVK
 * connection guide's flows, played over SOAP with the test client (every
 * answer XSD-validated), each checked at the consumer's end and in the store.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  CancelBooking,
  GetAllPerformers,
  GetAvailableDates,
  GetAvailableTimeslots,
  GetBookingDetails,
  GetSubjectOfCareSchedule,
  MakeBooking,
  UpdateBooking,
} from '../../src/contracts/scheduling.ts';
import { addDays } from '../../src/domain/local-time.ts';
import { refusal } from '../../src/domain/refusals.ts';
import type { Booking } from '../../src/domain/types.ts';
import { expected, receivedSince } from '../support/ei-received.ts';
import { skipWithoutNationalContracts } from '../support/national-schemas.ts';
import { assertFault, callSoap } from '../support/soap-client.ts';
import { startEiTestApp, startTestApp, type TestApp } from '../support/test-app.ts';
import {
  addLateCancelFeeSlot,
  DOCTOR,
  FACILITY,
  HIDDEN,
  LATE_CANCEL_FEE,
  PARTNER,
  PATIENT_INFO,
} from '../support/test-calendar.ts';
import {
  asPatient,
  availabilityRequest,
  book,
  bookOk,
  makeBookingRequest,
  personnummer,
  searchTimeslots,
} from './consumer.ts';

const TOKEN = 'test-admin-token-mvk-guide-0123';
const FASTING = 'Kom fastande. Ät eller drick inget efter midnatt.';

/** Staff invite `subject` to a time type, openly (no time), with this text. */
async function invite(
  t: TestApp,
  subject: string,
  options: { timeTypeId?: string; expiresOn?: string; purpose?: string } = {},
): Promise<Booking> {
  const outcome = await t.app.service.createInvitation({
    facility: FACILITY,
    subjectOfCare: subject,
    patient: PATIENT_INFO,
    timeTypeId: options.timeTypeId ?? 'TT-LAK',
    purpose: options.purpose ?? 'Du är kallad till vaccination. Boka en tid som passar dig.',
    ...(options.expiresOn !== undefined ? { expiresOn: options.expiresOn } : {}),
  });
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.text);
  return outcome.value.booking;
}

const details = (t: TestApp, bookingId: string, subject: string, facility = FACILITY) =>
  callSoap(
    t.url,
    GetBookingDetails,
    { healthcare_facility: facility, bookingId },
    asPatient(subject, facility),
  );

async function detailOk(t: TestApp, bookingId: string, subject: string) {
  const answer = await details(t, bookingId, subject);
  assert.equal(answer.status, 200, answer.text.slice(0, 400));
  return answer.response!.timeslotDetail;
}

const activeOf = async (t: TestApp, subject: string) =>
  t.app.store.listActiveBookingsOfSubject(FACILITY, subject);

describe('MVK connection guide (issue 12)', () => {
  let t: TestApp;
  let clock = Date.now();
  before(async () => {
    t = await startTestApp({ now: () => clock, adminToken: TOKEN });
  });
  after(() => t.close());

  describe('1. an open invitation booked through the new-booking flow', () => {
    it('books the invitation when MakeBooking names the free slot, not the invitation', async () => {
      const patient = personnummer(1200);
      const invitation = await invite(t, patient);
      const slot = t.calendar.doctorSlots[0]!;
      const answer = await book(t.url, slot, patient);
      assert.equal(answer.response!.resultCode, 'OK', answer.response!.resultText);
      assert.equal(answer.response!.bookingId, invitation.id, 'the invitation became the booking');
      const active = await activeOf(t, patient);
      assert.equal(active.length, 1, 'one booking, no open invitation left beside it');
      assert.equal(active[0]!.isInvitation, false);
      assert.equal(active[0]!.slotId, slot.id);
      assert.equal(active[0]!.purpose, invitation.purpose);
    });

    it('books the invitation when MakeBooking carries no bookingId at all', async () => {
      const patient = personnummer(1201);
      const invitation = await invite(t, patient);
      const answer = await book(t.url, t.calendar.doctorSlots[1]!, patient, {
        bookingId: undefined,
      });
      assert.equal(answer.response!.resultCode, 'OK', answer.response!.resultText);
      assert.equal(answer.response!.bookingId, invitation.id);
      assert.equal((await activeOf(t, patient)).length, 1);
    });

    it('with several matching invitations books the one that expires first', async () => {
      const patient = personnummer(1202);
      const today = t.calendar.days[0]!;
      const later = await invite(t, patient, { expiresOn: addDays(today, 40) });
      const sooner = await invite(t, patient, { expiresOn: addDays(today, 10) });
      const answer = await book(t.url, t.calendar.doctorSlots[2]!, patient);
      assert.equal(answer.response!.bookingId, sooner.id);
      const stillOpen = await t.app.store.getBooking(later.id);
      assert.equal(stillOpen?.isInvitation, true);
      assert.equal(stillOpen?.slotId, undefined);
    });

    it('leaves an invitation for another time type open and makes a separate booking', async () => {
      const patient = personnummer(1203);
      const invitation = await invite(t, patient, { timeTypeId: 'TT-UPP' });
      const answer = await book(t.url, t.calendar.nurseSlots[3]!, patient);
      assert.equal(answer.response!.resultCode, 'INFO');
      assert.notEqual(answer.response!.bookingId, invitation.id);
      assert.equal((await t.app.store.getBooking(invitation.id))?.isInvitation, true);
    });

    it('answers a repeated MakeBooking with the same booking', async () => {
      const patient = personnummer(1204);
      const invitation = await invite(t, patient);
      const slot = t.calendar.doctorSlots[3]!;
      const first = await book(t.url, slot, patient);
      const second = await book(t.url, slot, patient);
      assert.equal(first.response!.bookingId, invitation.id);
      assert.equal(second.response!.resultCode, 'OK');
      assert.equal(second.response!.bookingId, invitation.id);
      assert.equal((await activeOf(t, patient)).length, 1);
    });
  });

  describe('2. reason', () => {
    it('UpdateBooking stores a new reason where the time type allows a message', async () => {
      const patient = personnummer(1210);
      const from = t.calendar.doctorSlots[4]!;
      const to = t.calendar.doctorSlots[5]!;
      const booked = await book(t.url, from, patient, { reason: 'Ont i halsen' });
      const bookingId = booked.response!.bookingId!;
      const moved = await callSoap(
        t.url,
        UpdateBooking,
        {
          requestedTimeslot: {
            startTimeInclusive: to.start.ts,
            endTimeExclusive: to.end.ts,
            healthcare_facility: FACILITY,
            performer: to.performer,
            bookingId,
            subject_of_care: patient,
            timeTypeID: to.timeTypeId,
            reason: 'Feber sedan tre dagar',
          },
        },
        asPatient(patient),
      );
      assert.equal(moved.response!.resultCode, 'OK', moved.response!.resultText);
      assert.equal((await detailOk(t, bookingId, patient)).reason, 'Feber sedan tre dagar');
    });

    it('MakeBooking keeps no reason where the time type allows no message', async () => {
      const patient = personnummer(1211);
      const answer = await book(t.url, t.calendar.nurseSlots[4]!, patient, {
        reason: 'Vill ta blodprov',
      });
      assert.equal(answer.response!.resultCode, 'INFO');
      const bookingId = answer.response!.bookingId!;
      assert.equal((await t.app.store.getBooking(bookingId))?.reason, undefined);
      assert.equal((await detailOk(t, bookingId, patient)).reason, undefined);
    });
  });

  describe('3. the flags describe this booking', () => {
    it('a booking whose start has passed may be neither cancelled nor rebooked', async () => {
      const patient = personnummer(1220);
      const slot = t.calendar.doctorSlots[6]!;
      const bookingId = await bookOk(t.url, slot, patient);
      const saved = clock;
      clock = slot.start.utcMs + 60_000;
      try {
        const detail = await detailOk(t, bookingId, patient);
        assert.equal(detail.cancel_booking_allowed, false);
        assert.equal(detail.rebooking_allowed, false);
      } finally {
        clock = saved;
      }
      assert.equal((await detailOk(t, bookingId, patient)).cancel_booking_allowed, true);
    });

    it('an open invitation shows both flags false, and CancelBooking on it is refused', async () => {
      const patient = personnummer(1221);
      const invitation = await invite(t, patient, { timeTypeId: 'TT-UPP' });
      const detail = await detailOk(t, invitation.id, patient);
      assert.equal(detail.isInvitation, true);
      assert.equal(detail.cancel_booking_allowed, false);
      assert.equal(detail.rebooking_allowed, false);
      const cancel = await callSoap(
        t.url,
        CancelBooking,
        { healthcare_facility: FACILITY, bookingId: invitation.id },
        asPatient(patient),
      );
      assert.equal(cancel.status, 200);
      assert.equal(cancel.response!.resultCode, 'ERROR');
      assert.equal(cancel.response!.resultText, refusal.invitationNotCancellable);
      assert.equal((await t.app.store.getBooking(invitation.id))?.status, 'active');
    });
  });

  describe("4. the time type's patient information as purpose", () => {
    it('is on every offered slot of that time type, and on no other', async () => {
      const patient = personnummer(1230);
      const slots = await searchTimeslots(t.url, availabilityRequest(t.calendar.days, patient));
      const nurse = slots.filter((s) => s.timeTypeID === 'TT-PROV');
      const doctor = slots.filter((s) => s.timeTypeID === 'TT-LAK');
      assert.ok(nurse.length > 0 && doctor.length > 0);
      assert.ok(nurse.every((s) => s.purpose === FASTING));
      assert.ok(doctor.every((s) => s.purpose === undefined));
    });

    it('is on the booking in GetBookingDetails and GetSubjectOfCareSchedule', async () => {
      const patient = personnummer(1231);
      const bookingId = (await book(t.url, t.calendar.nurseSlots[5]!, patient)).response!
        .bookingId!;
      assert.equal((await detailOk(t, bookingId, patient)).purpose, FASTING);
      const schedule = await callSoap(
        t.url,
        GetSubjectOfCareSchedule,
        { healthcare_facility: FACILITY, subject_of_care: patient },
        asPatient(patient),
      );
      assert.deepEqual(
        schedule.response!.timeslotDetail.map((d) => [d.bookingId, d.purpose]),
        [[bookingId, FASTING]],
      );
    });

    it("gives way to the booking's own purpose", async () => {
      const patient = personnummer(1232);
      const invitation = await invite(t, patient, {
        timeTypeId: 'TT-PROV',
        purpose: 'Provtagning inför årskontrollen.',
      });
      const answer = await book(t.url, t.calendar.nurseSlots[6]!, patient);
      assert.equal(answer.response!.bookingId, invitation.id);
      assert.equal(
        (await detailOk(t, invitation.id, patient)).purpose,
        'Provtagning inför årskontrollen.',
      );
    });
  });

  describe('5 and 6. invitation texts', () => {
    const adminPost = async (body: unknown) => {
      const res = await fetch(`${t.url}/admin/invitations`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as { id?: string } };
    };
    const demoPurpose = (
      JSON.parse(readFileSync('fixtures/demo-calendar.json', 'utf8')) as {
        facilities: { invitations?: { purpose: string }[] }[];
      }
    ).facilities
      .flatMap((f) => f.invitations ?? [])
      .map((i) => i.purpose)
      .find((p) => p.startsWith('<article'))!;

    it("accepts the demo calendar's DocBook invitation text, longer than 200 characters", async () => {
      assert.ok(demoPurpose.length > 200);
      const patient = personnummer(1240);
      const res = await adminPost({
        facility: FACILITY,
        subjectOfCare: patient,
        patient: PATIENT_INFO,
        timeTypeId: 'TT-LAK',
        purpose: demoPurpose,
      });
      assert.equal(res.status, 201, JSON.stringify(res.json));
      assert.ok((await detailOk(t, res.json.id!, patient)).purpose?.includes('vaccination'));
    });

    it("accepts the guide's DocBook without a namespace and sends both forms alike", async () => {
      const guide =
        '<?xml version="1.0"?><article><info><title>Kallelse</title></info><para>Välkommen.</para></article>';
      const docbook5 =
        '<article xmlns="http://docbook.org/ns/docbook" version="5.0"><info><title>Kallelse</title></info><para>Välkommen.</para></article>';
      const sent: string[] = [];
      for (const [i, purpose] of [guide, docbook5].entries()) {
        const patient = personnummer(1241 + i);
        const res = await adminPost({
          facility: FACILITY,
          subjectOfCare: patient,
          patient: PATIENT_INFO,
          timeTypeId: 'TT-LAK',
          purpose,
        });
        assert.equal(res.status, 201, JSON.stringify(res.json));
        sent.push((await detailOk(t, res.json.id!, patient)).purpose!);
      }
      assert.equal(sent[0], guide, "the guide's own form goes out as it is");
      assert.equal(sent[1], sent[0], 'DocBook 5 goes out in the same form');
    });

    it('still refuses an element outside the subset, in either form', async () => {
      for (const purpose of [
        '<article><para><emphasis>Viktigt</emphasis></para></article>',
        '<article xmlns="http://docbook.org/ns/docbook"><table/></article>',
      ]) {
        const res = await adminPost({
          facility: FACILITY,
          subjectOfCare: personnummer(1243),
          patient: PATIENT_INFO,
          timeTypeId: 'TT-LAK',
          purpose,
        });
        assert.equal(res.status, 400, purpose);
      }
    });
  });

  describe('9. a move to a partner unit', () => {
    const moveTo = (bookingId: string, patient: string, logicalAddress: string) => {
      const slot = t.calendar.partnerSlots[0]!;
      return callSoap(
        t.url,
        UpdateBooking,
        {
          requestedTimeslot: {
            startTimeInclusive: slot.start.ts,
            endTimeExclusive: slot.end.ts,
            healthcare_facility: PARTNER,
            performer: slot.performer,
            bookingId,
            subject_of_care: patient,
            timeTypeID: slot.timeTypeId,
          },
        },
        asPatient(patient, logicalAddress),
      );
    };

    it("is refused with any other unit's LogicalAddress, and accepted with the booking's own", async () => {
      const patient = personnummer(1250);
      const bookingId = await bookOk(t.url, t.calendar.doctorSlots[7]!, patient);
      assertFault(await moveTo(bookingId, patient, HIDDEN), 'Client', /LogicalAddress/);
      assert.equal((await t.app.store.getBooking(bookingId))?.facility, FACILITY);
      const moved = await moveTo(bookingId, patient, FACILITY);
      assert.equal(moved.status, 200, moved.text.slice(0, 400));
      assert.equal(moved.response!.resultCode, 'OK', moved.response!.resultText);
      assert.equal((await t.app.store.getBooking(bookingId))?.facility, PARTNER);
    });
  });

  describe('10. smaller ones', () => {
    it('GetAvailableTimeslots echoes subject_of_care on every slot', async () => {
      for (const patient of [personnummer(1260), personnummer(1261)]) {
        const slots = await searchTimeslots(t.url, availabilityRequest(t.calendar.days, patient));
        assert.ok(slots.length > 0);
        assert.ok(slots.every((s) => s.subject_of_care === patient));
      }
    });

    it("accepts a date range spanning MVK's 12-month dropdown (13 calendar months)", async () => {
      const patient = personnummer(1262);
      // From the first of this month to the last day of the same month next year.
      const first = `${t.calendar.days[0]!.slice(0, 6)}01`;
      const afterThirteen = new Date(Date.UTC(+first.slice(0, 4), +first.slice(4, 6) - 1 + 13, 1));
      const last = addDays(afterThirteen.toISOString().slice(0, 10).replaceAll('-', ''), -1);
      const request = availabilityRequest([first, last], patient);
      for (const interaction of [GetAvailableDates, GetAvailableTimeslots]) {
        const answer = await callSoap(t.url, interaction, request, asPatient(patient));
        assert.equal(answer.status, 200, answer.text.slice(0, 400));
      }
    });

    it('GetAllPerformers lists only performers with something bookable online', async () => {
      const idle = 'SE2321000016-P009';
      await t.app.store.transaction(async (tx) => {
        await tx.upsertPerformer({
          hsaId: idle,
          facility: FACILITY,
          firstName: 'Doris',
          lastName: 'Dahl',
        });
        const internal = t.calendar.doctorSlots[8]!;
        await tx.upsertTimeslot({
          ...internal,
          id: `${internal.id}-internal`,
          timeTypeId: 'TT-INT',
          performer: idle,
        });
      });
      const patient = personnummer(1263);
      const answer = await callSoap(
        t.url,
        GetAllPerformers,
        {
          healthcare_facility: FACILITY,
          timeTypeIDs: [],
          careTypeIDs: [],
          subject_of_care: patient,
        },
        asPatient(patient),
      );
      const listed = answer.response!.performerInfos.map((p) => p.perfomer);
      assert.ok(listed.includes(DOCTOR));
      assert.ok(!listed.includes(idle), 'a performer with internal times only is not offered');
    });

    it("CancelBooking answers INFO with the time type's cancellation text, OK without one", async () => {
      const fee = LATE_CANCEL_FEE;
      const feeSlot = await addLateCancelFeeSlot(t.app.store, t.calendar.doctorSlots[9]!);
      const patient = personnummer(1264);
      const cancel = (bookingId: string) =>
        callSoap(
          t.url,
          CancelBooking,
          { healthcare_facility: FACILITY, bookingId },
          asPatient(patient),
        );

      const withFee = await bookOk(t.url, feeSlot, patient);
      const first = await cancel(withFee);
      assert.equal(first.status, 200, first.text.slice(0, 400));
      assert.deepEqual(
        [first.response!.resultCode, first.response!.resultText],
        ['INFO', fee],
        'done, and the text is shown to the citizen',
      );
      assert.equal((await t.app.store.getBooking(withFee))?.status, 'cancelled');
      const repeated = await cancel(withFee);
      assert.deepEqual(
        [repeated.response!.resultCode, repeated.response!.resultText],
        ['INFO', fee],
        'a retried cancel (VP retries once) gets the same answer',
      );

      const plain = await bookOk(t.url, t.calendar.doctorSlots[10]!, patient);
      const ok = await cancel(plain);
      assert.equal(ok.response!.resultCode, 'OK');
      assert.equal(ok.response!.resultText, undefined);
    });
  });
});

describe(
  '1. the engagement index when an invitation is booked through the new-booking flow',
  {
    skip: skipWithoutNationalContracts,
  },
  () => {
    it('deletes the Invitation and creates the Booking under the same id', async () => {
      const t = await startEiTestApp();
      try {
        const patient = personnummer(1270);
        const invitation = await invite(t, patient);
        await t.drained();
        const mark = t.ei.calls.length;
        const slot = t.calendar.doctorSlots[0]!;
        const answer = await callSoap(
          t.url,
          MakeBooking,
          makeBookingRequest(slot, patient),
          asPatient(patient),
        );
        assert.equal(answer.response!.bookingId, invitation.id);
        await t.drained();
        assert.deepEqual(receivedSince(t.ei, mark), [
          expected(true, {
            person: patient,
            categorization: 'Invitation',
            facility: FACILITY,
            id: invitation.id,
          }),
          expected(false, {
            person: patient,
            categorization: 'Booking',
            facility: FACILITY,
            id: invitation.id,
            mostRecentContent: slot.start.ts,
          }),
        ]);
      } finally {
        await t.close();
      }
    });
  },
);
