/**
 * With Actor actorType=subject_of_care the caller is the patient, who may act
 * only on their own bookings. The platform already authenticates the citizen;
 * this is defence in depth, and an agent or an absent Actor is not limited.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CancelBooking,
  GetBookingDetails,
  GetSubjectOfCareSchedule,
  MakeBooking,
} from '../../src/contracts/scheduling.ts';
import { assertFault, callSoap } from '../support/soap-client.ts';
import { FACILITY } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import {
  asAgent,
  asPatient,
  bookOk,
  makeBookingRequest,
  moveBooking,
  personnummer,
} from './consumer.ts';

describe('a patient Actor acts only on their own bookings', () => {
  let t: TestApp;
  let owner: string;
  let intruder: string;
  let bookingId: string;
  before(async () => {
    t = await startTestApp();
    owner = personnummer(201);
    intruder = personnummer(202);
    bookingId = await bookOk(t.url, t.calendar.doctorSlots[12]!, owner);
  });
  after(() => t.close());

  it("answers GetBookingDetails for someone else's booking exactly as for an unknown id", async () => {
    const foreign = await callSoap(
      t.url,
      GetBookingDetails,
      { healthcare_facility: FACILITY, bookingId },
      asPatient(intruder),
    );
    assertFault(foreign, 'Client', /no booking with bookingId/);
    const own = await callSoap(
      t.url,
      GetBookingDetails,
      { healthcare_facility: FACILITY, bookingId },
      asPatient(owner),
    );
    assert.equal(own.response!.timeslotDetail.subject_of_care, owner);
    const agent = await callSoap(
      t.url,
      GetBookingDetails,
      { healthcare_facility: FACILITY, bookingId },
      asAgent(),
    );
    assert.equal(agent.response!.timeslotDetail.bookingId, bookingId, 'an agent is not limited');
  });

  it("refuses to cancel someone else's booking and leaves it active", async () => {
    const answer = await callSoap(
      t.url,
      CancelBooking,
      { healthcare_facility: FACILITY, bookingId },
      asPatient(intruder),
    );
    assert.equal(answer.response!.resultCode, 'ERROR');
    assert.equal((await t.app.store.getBooking(bookingId))?.status, 'active');
  });

  it("faults a schedule request, a booking or a move made in someone else's name, changing nothing", async () => {
    assertFault(
      await callSoap(
        t.url,
        GetSubjectOfCareSchedule,
        { healthcare_facility: FACILITY, subject_of_care: owner },
        asPatient(intruder),
      ),
      'Client',
      /Actor/,
    );
    const slot = t.calendar.doctorSlots[13]!;
    assertFault(
      await callSoap(t.url, MakeBooking, makeBookingRequest(slot, owner), asPatient(intruder)),
      'Client',
      /Actor/,
    );
    assert.equal(await t.app.store.findActiveBookingOnSlot(slot.id), undefined, 'not booked');
    assertFault(
      await moveBooking(t.url, bookingId, t.calendar.doctorSlots[15]!, owner, asPatient(intruder)),
      'Client',
      /Actor/,
    );
    assert.equal(
      (await t.app.store.getBooking(bookingId))?.slotId,
      t.calendar.doctorSlots[12]!.id,
      'not moved',
    );
  });
});
