import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CancelBooking,
  GetAllTimeTypes,
  GetAvailableDates,
  GetAvailableTimeslots,
  GetBookingDetails,
  GetSubjectOfCareSchedule,
  MakeBooking,
  UpdateBooking,
} from '../../src/contracts/scheduling.ts';
import { callSoap } from '../support/soap-client.ts';
import { DOCTOR, FACILITY, PATIENT, PATIENT_INFO } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

const address = {
  logicalAddress: FACILITY,
  actor: { actorId: PATIENT, actorType: 'subject_of_care' },
};

describe('a booking lifecycle over HTTP, as MVK drives it', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const freeDoctorSlots = async (day: string, bookingId?: string) => {
    const answer = await callSoap(
      t.url,
      GetAvailableTimeslots,
      {
        healthcare_facility: FACILITY,
        ...(bookingId ? { bookingId } : {}),
        startDateInclusive: day,
        endDateInclusive: day,
        performer: [],
        timeTypeID: 'TT-LAK',
        subject_of_care: PATIENT,
      },
      address,
    );
    assert.equal(answer.status, 200);
    return answer.response!.timeslotDetail;
  };

  it('lists time types, dates and slots, books, shows, moves and cancels, and frees the slot again', async () => {
    const [day1, day2] = t.calendar.days;

    const timeTypes = await callSoap(
      t.url,
      GetAllTimeTypes,
      { healthcare_facility: FACILITY, careTypeIDs: [], subject_of_care: PATIENT },
      address,
    );
    assert.deepEqual(
      timeTypes.response!.ListOfTimeTypes.map((x) => x.timeTypeId).sort(),
      ['TT-LAK', 'TT-PROV'],
      'online time types only; the follow-up type needs an earlier visit and the internal one is not web bookable',
    );

    const dates = await callSoap(
      t.url,
      GetAvailableDates,
      {
        healthcare_facility: FACILITY,
        startDateInclusive: day1!,
        endDateInclusive: t.calendar.days[2]!,
        performer: [],
        timeTypeID: 'TT-LAK',
        subject_of_care: PATIENT,
      },
      address,
    );
    assert.deepEqual(
      dates.response!.performerAvailabilityByDate.map((d) => d.date),
      t.calendar.days,
    );
    assert.ok(
      dates.response!.performerAvailabilityByDate.every(
        (d) => d.performer === DOCTOR && d.timeTypeID === 'TT-LAK',
      ),
    );

    const slots = await freeDoctorSlots(day1!);
    assert.equal(slots.length, 6);
    const chosen = slots[0]!;
    assert.equal(chosen.bookingId, t.calendar.doctorSlots[0]!.id, 'a free slot carries its own id');
    assert.equal(chosen.performerName, 'Leg. läkare Anna Lind');
    assert.equal(chosen.rebooking_allowed, true);

    const made = await callSoap(
      t.url,
      MakeBooking,
      {
        healthcare_facility_med: FACILITY,
        requestedTimeslot: {
          startTimeInclusive: chosen.startTimeInclusive!,
          endTimeExclusive: chosen.endTimeExclusive!,
          healthcare_facility: FACILITY,
          performer: chosen.performer!,
          bookingId: chosen.bookingId!,
          subject_of_care: PATIENT,
          reason: 'Ont i halsen',
          timeTypeID: 'TT-LAK',
        },
        subject_of_care_info: { ...PATIENT_INFO, phone: '0701234567' },
      },
      address,
    );
    assert.equal(made.response!.resultCode, 'OK');
    const bookingId = made.response!.bookingId!;
    assert.ok(bookingId && bookingId !== chosen.bookingId, 'the booking has an id of its own');

    const details = await callSoap(
      t.url,
      GetBookingDetails,
      { healthcare_facility: FACILITY, bookingId },
      address,
    );
    const detail = details.response!.timeslotDetail;
    assert.equal(detail.bookingId, bookingId);
    assert.equal(detail.healthcare_facility, FACILITY);
    assert.equal(detail.subject_of_care, PATIENT);
    assert.equal(detail.startTimeInclusive, chosen.startTimeInclusive);
    assert.equal(detail.timeTypeID, 'TT-LAK');
    assert.equal(detail.reason, 'Ont i halsen');
    assert.deepEqual(
      [detail.cancel_booking_allowed, detail.rebooking_allowed, detail.message_allowed],
      [true, true, true],
    );
    assert.equal(detail.isInvitation, undefined);

    const schedule = await callSoap(
      t.url,
      GetSubjectOfCareSchedule,
      { healthcare_facility: FACILITY, subject_of_care: PATIENT },
      address,
    );
    assert.deepEqual(
      schedule.response!.timeslotDetail.map((d) => d.bookingId),
      [bookingId],
    );
    assert.equal((await freeDoctorSlots(day1!)).length, 5, 'the booked slot is no longer offered');

    const options = await freeDoctorSlots(day2!, bookingId);
    assert.ok(
      options.length === 6 && options.every((o) => o.bookingId === bookingId),
      'rebooking options carry the booking id',
    );
    const target = options[2]!;
    const moved = await callSoap(
      t.url,
      UpdateBooking,
      {
        requestedTimeslot: {
          startTimeInclusive: target.startTimeInclusive!,
          endTimeExclusive: target.endTimeExclusive!,
          healthcare_facility: FACILITY,
          performer: target.performer!,
          bookingId,
          subject_of_care: PATIENT,
          resourceID: target.resourceID!,
          timeTypeID: 'TT-LAK',
        },
      },
      address,
    );
    assert.equal(moved.response!.resultCode, 'OK');
    assert.equal((await freeDoctorSlots(day1!)).length, 6, 'the old slot is free again');
    assert.equal((await freeDoctorSlots(day2!)).length, 5);
    const afterMove = await callSoap(
      t.url,
      GetBookingDetails,
      { healthcare_facility: FACILITY, bookingId },
      address,
    );
    assert.equal(afterMove.response!.timeslotDetail.startTimeInclusive, target.startTimeInclusive);

    const cancelled = await callSoap(
      t.url,
      CancelBooking,
      { healthcare_facility: FACILITY, bookingId, message: 'Kan inte komma' },
      address,
    );
    assert.equal(cancelled.response!.resultCode, 'OK');
    const emptied = await callSoap(
      t.url,
      GetSubjectOfCareSchedule,
      { healthcare_facility: FACILITY, subject_of_care: PATIENT },
      address,
    );
    assert.equal(emptied.response!.timeslotDetail.length, 0);
    assert.equal((await freeDoctorSlots(day2!)).length, 6, 'the cancelled slot is free again');
    const stored = await t.app.store.getBooking(bookingId);
    assert.equal(stored?.status, 'cancelled');
    assert.equal(
      stored?.cancelMessage,
      'Kan inte komma',
      'the message is kept where the time type allows one',
    );
  });
});
