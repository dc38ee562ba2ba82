import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CancelBooking } from '../../src/contracts/scheduling.ts';
import { refusal } from '../../src/domain/refusals.ts';
import { callSoap } from '../support/soap-client.ts';
import { FACILITY, PARTNER } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import {
  asPatient,
  availabilityRequest,
  bookOk,
  countElements,
  personnummer,
  searchTimeslots,
} from './consumer.ts';

/** rivta-spec §2.2 CancelBooking and §6 must-haves 10 and 13 (a retried cancel). */
describe('CancelBooking', () => {
  let t: TestApp;
  let clock = Date.now();
  before(async () => {
    t = await startTestApp({ now: () => clock });
  });
  after(() => t.close());

  const cancel = (bookingId: string, subject: string, message?: string, facility = FACILITY) =>
    callSoap(
      t.url,
      CancelBooking,
      { healthcare_facility: facility, bookingId, ...(message ? { message } : {}) },
      asPatient(subject, facility),
    );

  it('cancels, frees the slot, and answers a repeated cancel OK without cancelling again', async () => {
    const patient = personnummer(100);
    const slot = t.calendar.doctorSlots[0]!;
    const bookingId = await bookOk(t.url, slot, patient);
    const first = await cancel(bookingId, patient);
    assert.equal(first.status, 200);
    assert.equal(first.response!.resultCode, 'OK');
    assert.equal(countElements(first.text, 'resultText'), 0);
    const afterFirst = await t.app.store.getBooking(bookingId);
    assert.equal(afterFirst?.status, 'cancelled');

    const second = await cancel(bookingId, patient);
    assert.equal(second.response!.resultCode, 'OK');
    assert.deepEqual(await t.app.store.getBooking(bookingId), afterFirst, 'one cancellation only');

    const free = await searchTimeslots(
      t.url,
      availabilityRequest([slot.start.ts.slice(0, 8)], personnummer(101)),
    );
    assert.ok(
      free.some((s) => s.bookingId === slot.id),
      'the slot is offered again',
    );
  });

  it('refuses a booking whose time type may not be cancelled online, and keeps it', async () => {
    const patient = personnummer(102);
    const bookingId = await bookOk(t.url, t.calendar.nurseSlots[0]!, patient);
    const answer = await cancel(bookingId, patient);
    assert.equal(answer.status, 200);
    assert.equal(answer.response!.resultCode, 'ERROR');
    assert.equal(answer.response!.resultText, refusal.cancelNotAllowed);
    assert.equal((await t.app.store.getBooking(bookingId))?.status, 'active');
  });

  it('keeps the message only where the time type allows one', async () => {
    const patient = personnummer(103);
    const withMessage = await bookOk(t.url, t.calendar.doctorSlots[1]!, patient);
    // The patient now has a history, so the returning-patients type is open to them.
    const followUp = await bookOk(t.url, t.calendar.followUpSlots[0]!, patient);
    for (const id of [withMessage, followUp])
      assert.equal((await cancel(id, patient, 'Jag är sjuk.')).response!.resultCode, 'OK');
    assert.equal((await t.app.store.getBooking(withMessage))?.cancelMessage, 'Jag är sjuk.');
    const dropped = await t.app.store.getBooking(followUp);
    assert.equal(dropped?.status, 'cancelled');
    assert.equal(dropped?.cancelMessage, undefined, 'TT-UPP has message_allowed=false');
  });

  it('refuses an unknown booking and a booking asked for at another facility', async () => {
    const patient = personnummer(104);
    const bookingId = await bookOk(t.url, t.calendar.doctorSlots[2]!, patient);
    for (const answer of [
      await cancel('no-such-booking', patient),
      await cancel(bookingId, patient, undefined, PARTNER),
    ]) {
      assert.equal(answer.status, 200);
      assert.equal(answer.response!.resultCode, 'ERROR');
      assert.equal(answer.response!.resultText, refusal.bookingNotFound);
    }
    assert.equal((await t.app.store.getBooking(bookingId))?.status, 'active');
  });

  it('refuses a booking whose time has passed', async () => {
    const patient = personnummer(105);
    const slot = t.calendar.doctorSlots[3]!;
    const bookingId = await bookOk(t.url, slot, patient);
    const saved = clock;
    clock = slot.end.utcMs + 60_000;
    try {
      const answer = await cancel(bookingId, patient);
      assert.equal(answer.response!.resultCode, 'ERROR');
      assert.equal(answer.response!.resultText, refusal.bookingPassed);
    } finally {
      clock = saved;
    }
    assert.equal((await t.app.store.getBooking(bookingId))?.status, 'active');
  });
});
