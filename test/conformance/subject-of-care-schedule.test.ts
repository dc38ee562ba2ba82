import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CancelBooking,
  GetSubjectOfCareSchedule,
  MakeBooking,
} from '../../src/contracts/scheduling.ts';
import { callSoap } from '../support/soap-client.ts';
import { FACILITY, PARTNER, PATIENT_INFO } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import {
  asPatient,
  bookOk,
  countElements,
  emptyElements,
  makeBookingRequest,
  personnummer,
} from './consumer.ts';

/** rivta-spec §6 must-have 16 and §2.2 GetSubjectOfCareSchedule. */
describe('GetSubjectOfCareSchedule', () => {
  let t: TestApp;
  const patient = personnummer(70);
  const ids: Record<string, string> = {};
  before(async () => {
    t = await startTestApp();
    const { doctorSlots, nurseSlots, partnerSlots } = t.calendar;
    ids['booking'] = await bookOk(t.url, doctorSlots[4]!, patient);
    ids['info booking'] = await bookOk(t.url, nurseSlots[0]!, patient);
    ids['partner booking'] = await bookOk(t.url, partnerSlots[0]!, patient);
    ids['cancelled'] = await bookOk(t.url, doctorSlots[5]!, patient);
    ids['other patient'] = await bookOk(t.url, doctorSlots[6]!, personnummer(71));
    const invite = async (slotId?: string) => {
      const outcome = await t.app.service.createInvitation({
        facility: FACILITY,
        subjectOfCare: patient,
        patient: PATIENT_INFO,
        timeTypeId: 'TT-LAK',
        purpose: 'Dags för årskontroll.',
        ...(slotId ? { slotId } : {}),
      });
      assert.ok(outcome.ok);
      return outcome.value.booking.id;
    };
    ids['timed invitation'] = await invite(doctorSlots[1]!.id);
    ids['open invitation'] = await invite();
    const cancelled = await callSoap(
      t.url,
      CancelBooking,
      { healthcare_facility: FACILITY, bookingId: ids['cancelled'] },
      asPatient(patient),
    );
    assert.equal(cancelled.response!.resultCode, 'OK');
  });
  after(() => t.close());

  const schedule = (facility: string, subject = patient) =>
    callSoap(
      t.url,
      GetSubjectOfCareSchedule,
      { healthcare_facility: facility, subject_of_care: subject },
      asPatient(subject, facility),
    );

  it("lists the patient's active bookings and timed invitations at the facility, and nothing else", async () => {
    const answer = await schedule(FACILITY);
    assert.equal(answer.status, 200);
    assert.deepEqual(
      answer.response!.timeslotDetail.map((d) => d.bookingId).sort(),
      [ids['booking'], ids['info booking'], ids['timed invitation']].sort(),
      'no open invitation, no cancelled booking, no other facility, no other patient',
    );
  });

  it('gives every entry start, end, bookingId, facility and subject_of_care', async () => {
    const answer = await schedule(FACILITY);
    const entries = answer.response!.timeslotDetail;
    assert.deepEqual(emptyElements(answer.text), [], 'no optional element written empty');
    for (const element of [
      'startTimeInclusive',
      'endTimeExclusive',
      'bookingId',
      'subject_of_care',
    ])
      assert.equal(countElements(answer.text, element), entries.length, element);
    for (const d of entries) {
      assert.ok(d.startTimeInclusive && d.endTimeExclusive, d.bookingId);
      assert.equal(d.healthcare_facility, FACILITY);
      assert.equal(d.subject_of_care, patient);
      assert.equal(d.timeTypeID !== undefined, true);
    }
    const invitation = entries.find((d) => d.bookingId === ids['timed invitation'])!;
    assert.deepEqual(
      [invitation.isInvitation, invitation.purpose, invitation.startTimeInclusive],
      [true, 'Dags för årskontroll.', t.calendar.doctorSlots[1]!.start.ts],
    );
  });

  it("lists the partner facility's booking only when asked at the partner", async () => {
    const answer = await schedule(PARTNER);
    assert.deepEqual(
      answer.response!.timeslotDetail.map((d) => [d.bookingId, d.healthcare_facility]),
      [[ids['partner booking'], PARTNER]],
    );
  });

  it('answers a patient with nothing booked with an empty list, not a fault', async () => {
    const answer = await schedule(FACILITY, personnummer(72));
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.response!.timeslotDetail, []);
    assert.equal(countElements(answer.text, 'timeslotDetail'), 0);
  });

  it('lists an open invitation once the patient has booked it', async () => {
    const slot = t.calendar.doctorSlots[8]!;
    const made = await callSoap(
      t.url,
      MakeBooking,
      makeBookingRequest(slot, patient, { bookingId: ids['open invitation'] }),
      asPatient(patient),
    );
    assert.equal(made.response!.resultCode, 'OK', made.response!.resultText);
    const entry = (await schedule(FACILITY)).response!.timeslotDetail.find(
      (d) => d.bookingId === ids['open invitation'],
    );
    assert.deepEqual(
      [entry?.startTimeInclusive, entry?.endTimeExclusive, entry?.isInvitation],
      [slot.start.ts, slot.end.ts, undefined],
    );
  });
});
