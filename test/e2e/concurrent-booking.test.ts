import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MakeBooking } from '../../src/contracts/scheduling.ts';
import { callSoap } from '../support/soap-client.ts';
import { callMakeBooking } from '../support/booking-calls.ts';
import { FACILITY, PATIENT_INFO } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/** 100 distinct patients: valid 12-digit ids with real birth dates (the check digit is not verified). */
const patients = Array.from(
  { length: 100 },
  (_, i) =>
    `1980${String((i % 12) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}${String(1000 + i)}`,
);

describe('one slot, many patients at once', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('gives exactly one of 100 parallel MakeBooking calls the slot; the others get ERROR with a text and no bookingId', async () => {
    const slot = t.calendar.doctorSlots[3]!;
    const answers = await Promise.all(
      patients.map((patient) => callMakeBooking(t.url, slot, patient)),
    );
    assert.ok(answers.every((a) => a.status === 200));
    const ok = answers.filter((a) => a.response!.resultCode === 'OK');
    const refused = answers.filter((a) => a.response!.resultCode === 'ERROR');
    assert.equal(ok.length, 1, 'exactly one OK');
    assert.equal(refused.length, 99, 'every other call is refused');
    for (const r of refused) {
      assert.equal(r.response!.bookingId, undefined);
      assert.doesNotMatch(r.text, /bookingId/);
      assert.match(r.response!.resultText!, /redan bokad/);
    }
    const holder = await t.app.store.findActiveBookingOnSlot(slot.id);
    assert.equal(
      holder?.id,
      ok[0]!.response!.bookingId,
      'the store holds the one booking that was confirmed',
    );
    const stats = await t.app.store.stats();
    assert.equal(stats.activeBookings, 1, 'and no other booking exists');
  });

  it('answers a repeated MakeBooking (the platform retries once) with the same booking, not a second one', async () => {
    const slot = t.calendar.doctorSlots[4]!;
    const request = {
      healthcare_facility_med: FACILITY,
      requestedTimeslot: {
        startTimeInclusive: slot.start.ts,
        endTimeExclusive: slot.end.ts,
        healthcare_facility: FACILITY,
        bookingId: slot.id,
        subject_of_care: patients[7]!,
      },
      subject_of_care_info: PATIENT_INFO,
    };
    const [first, second] = await Promise.all([
      callSoap(t.url, MakeBooking, request, { logicalAddress: FACILITY }),
      callSoap(t.url, MakeBooking, request, { logicalAddress: FACILITY }),
    ]);
    const third = await callSoap(t.url, MakeBooking, request, { logicalAddress: FACILITY });
    const ids = [first, second, third].map((a) => a.response!.bookingId);
    assert.deepEqual(
      [first, second, third].map((a) => a.response!.resultCode),
      ['OK', 'OK', 'OK'],
    );
    assert.ok(
      ids[0] && ids.every((id) => id === ids[0]),
      'all three answers name the same booking',
    );
    const active = await t.app.store.listActiveBookingsOfSubject(FACILITY, patients[7]!);
    assert.equal(active.length, 1);
  });
});
