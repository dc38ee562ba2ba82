import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CancelBooking,
  GetSubjectOfCareSchedule,
  MakeBooking,
} from '../../src/contracts/scheduling.ts';
import { decodeComplex } from '../../src/xml/decode.ts';
import { callSoap, parseAnswer, requestEnvelope } from '../support/soap-client.ts';
import { FACILITY, PARTNER, PATIENT_INFO, bookingOfSlot } from '../support/test-calendar.ts';
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

  it('sends a long schedule whole: every booking, its text intact, Content-Length exact', async () => {
    // Long enough that the encoder cuts the answer into several chunks (see
    // encodeElementBytes); the reason carries letters outside ASCII and a
    // character outside the BMP, which a cut inside a character would break.
    const busy = personnummer(73);
    const reason = 'Ont i knät och hälen 🦶, ';
    const made: string[] = [];
    for (const slot of [...t.calendar.nurseSlots.slice(1), ...t.calendar.doctorSlots.slice(12)]) {
      const outcome = await t.app.service.makeBooking(
        bookingOfSlot(slot, 'staff', { subjectOfCare: busy, reason: reason.repeat(40) }),
      );
      if (outcome.ok) made.push(outcome.value.id);
    }
    const response = await fetch(`${t.url}${GetSubjectOfCareSchedule.path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml; charset=UTF-8' },
      body: requestEnvelope(
        GetSubjectOfCareSchedule,
        { healthcare_facility: FACILITY, subject_of_care: busy },
        { logicalAddress: FACILITY },
      ),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.equal(response.status, 200);
    assert.equal(Number(response.headers.get('content-length')), bytes.length);
    assert.ok(bytes.length > 24 * 1024, `longer than one chunk (${bytes.length} bytes)`);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    const answer = parseAnswer(response.status, response.headers.get('content-type'), text);
    const details = decodeComplex(GetSubjectOfCareSchedule.response, answer.body).timeslotDetail;
    assert.deepEqual(details.map((d) => d.bookingId).sort(), made.sort());
    let withReason = 0;
    for (const d of details) {
      const stored = await t.app.store.getBooking(d.bookingId!);
      assert.equal(d.reason, stored?.reason, d.bookingId);
      if (d.reason?.includes('🦶')) withReason += 1;
    }
    assert.ok(withReason >= 5, `reasons kept where the time type takes one (${withReason})`);
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
