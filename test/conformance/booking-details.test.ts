import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NS } from '../../src/contracts/namespaces.ts';
import { CancelBooking, GetBookingDetails, MakeBooking } from '../../src/contracts/scheduling.ts';
import { decodeComplex } from '../../src/xml/decode.ts';
import { assertFault, callSoap, postSoap, requestEnvelope } from '../support/soap-client.ts';
import { FACILITY, PARTNER, PATIENT_INFO } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import {
  asPatient,
  bookOk,
  countElements,
  elementTexts,
  emptyElements,
  makeBookingRequest,
  personnummer,
} from './consumer.ts';

/** An invitation text in DocBook 5, using only the elements TKB §2.1 allows. */
const DOCBOOK =
  '<article xmlns="http://docbook.org/ns/docbook" version="5.0">' +
  '<info><title>Kallelse till hälsokontroll</title></info>' +
  '<para>Välkommen! Ta med &amp; fyll i blanketten.</para>' +
  '<section><title>Inför besöket</title><para>Kom fastande.</para></section>' +
  '</article>';

/** rivta-spec §6 must-haves 15 and 19 and §2.2 GetBookingDetails. */
describe('GetBookingDetails', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const details = (bookingId: string, subject: string, facility = FACILITY) =>
    callSoap(
      t.url,
      GetBookingDetails,
      { healthcare_facility: facility, bookingId },
      asPatient(subject, facility),
    );

  /** The mandatory parts every answer has on the wire, exactly once. */
  function assertMandatory(text: string) {
    assert.equal(countElements(text, 'timeslotDetail'), 1, 'exactly one timeslotDetail');
    for (const element of [
      'healthcare_facility',
      'subject_of_care',
      'bookingId',
      'timeTypeID',
      'cancel_booking_allowed',
      'rebooking_allowed',
      'message_allowed',
    ])
      assert.equal(countElements(text, element), 1, `${element} exactly once`);
    assert.equal(
      countElements(text, 'startTimeInclusive'),
      countElements(text, 'endTimeExclusive'),
      'start and end both present or both absent',
    );
  }

  it('describes a booking with exactly one timeslotDetail holding everything 1177 needs', async () => {
    const patient = personnummer(60);
    const slot = t.calendar.doctorSlots[0]!;
    const bookingId = await bookOk(t.url, slot, patient);
    const answer = await details(bookingId, patient);
    assert.equal(answer.status, 200);
    assertMandatory(answer.text);
    const d = answer.response!.timeslotDetail;
    assert.deepEqual(
      {
        start: d.startTimeInclusive,
        end: d.endTimeExclusive,
        facility: d.healthcare_facility,
        subject: d.subject_of_care,
        bookingId: d.bookingId,
        timeType: d.timeTypeID,
        flags: [d.cancel_booking_allowed, d.rebooking_allowed, d.message_allowed],
        performer: d.performer,
        isInvitation: d.isInvitation,
      },
      {
        start: slot.start.ts,
        end: slot.end.ts,
        facility: FACILITY,
        subject: patient,
        bookingId,
        timeType: 'TT-LAK',
        flags: [true, true, true],
        performer: slot.performer,
        isInvitation: undefined,
      },
    );
    assert.equal(
      countElements(answer.text, 'isInvitation'),
      0,
      'a booking leaves isInvitation out',
    );
    assert.equal(countElements(answer.text, 'purpose'), 0, 'no empty purpose');
  });

  it('writes flags that are false as false rather than leaving them out', async () => {
    const patient = personnummer(61);
    const bookingId = await bookOk(t.url, t.calendar.nurseSlots[0]!, patient);
    const answer = await details(bookingId, patient);
    assertMandatory(answer.text);
    for (const flag of ['cancel_booking_allowed', 'rebooking_allowed', 'message_allowed'])
      assert.deepEqual(elementTexts(answer.text, flag), ['false'], flag);
  });

  it('echoes healthcare_facility and bookingId as they were asked for', async () => {
    const patient = personnummer(62);
    const bookingId = await bookOk(t.url, t.calendar.doctorSlots[1]!, patient);
    const asked = FACILITY.toUpperCase();
    const answer = await details(bookingId, patient, asked);
    assert.equal(answer.status, 200, answer.fault?.message);
    assert.equal(answer.response!.timeslotDetail.healthcare_facility, asked);
    assert.equal(answer.response!.timeslotDetail.bookingId, bookingId);
  });

  it('describes an open invitation without times, as an invitation, with its DocBook purpose as escaped text', async () => {
    const patient = personnummer(63);
    const outcome = await t.app.service.createInvitation({
      facility: FACILITY,
      subjectOfCare: patient,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-LAK',
      purpose: DOCBOOK,
    });
    assert.ok(outcome.ok);
    const invitationId = outcome.value.booking.id;
    const answer = await details(invitationId, patient);
    assert.equal(answer.status, 200);
    assertMandatory(answer.text);
    assert.equal(countElements(answer.text, 'startTimeInclusive'), 0);
    assert.equal(countElements(answer.text, 'endTimeExclusive'), 0);
    const d = answer.response!.timeslotDetail;
    assert.equal(d.isInvitation, true);
    assert.deepEqual(elementTexts(answer.text, 'isInvitation'), ['true']);
    assert.equal(
      d.purpose,
      DOCBOOK.replace(' xmlns="http://docbook.org/ns/docbook" version="5.0"', '').replace(
        /^/,
        '<?xml version="1.0"?>',
      ),
      "the purpose arrives as written, in the MVK guide's form (no namespace)",
    );
    assert.ok(answer.text.includes('&lt;article'), 'DocBook is sent entity-escaped');
    assert.ok(answer.text.includes('&amp;amp;'), 'an escaped entity in DocBook is escaped again');
    assert.equal(countElements(answer.text, 'article'), 0, 'no DocBook element in the XML');
    assert.equal(countElements(answer.text, 'para'), 0);
  });

  it('describes a timed invitation with its times and purpose', async () => {
    const patient = personnummer(64);
    const slot = t.calendar.doctorSlots[2]!;
    const outcome = await t.app.service.createInvitation({
      facility: FACILITY,
      subjectOfCare: patient,
      patient: PATIENT_INFO,
      timeTypeId: 'TT-LAK',
      purpose: 'Välkommen på återbesök.',
      slotId: slot.id,
    });
    assert.ok(outcome.ok);
    const answer = await details(outcome.value.booking.id, patient);
    assertMandatory(answer.text);
    const d = answer.response!.timeslotDetail;
    assert.deepEqual(
      [d.startTimeInclusive, d.endTimeExclusive, d.isInvitation, d.purpose],
      [slot.start.ts, slot.end.ts, true, 'Välkommen på återbesök.'],
    );
  });

  it('leaves out every optional element it has no value for, even when the booking request sent it empty', async () => {
    const patient = personnummer(68);
    const slot = t.calendar.nurseSlots[1]!;
    const request = requestEnvelope(
      MakeBooking,
      makeBookingRequest(slot, patient),
      asPatient(patient),
    ).replace(
      /(<[\w]+:subject_of_care>\d+<\/[\w]+:subject_of_care>)/,
      `$1<c:reason xmlns:c="${NS.schedulingCore}"/>`,
    );
    assert.match(request, /<c:reason [^>]*\/>/);
    const made = await postSoap(t.url + MakeBooking.path, request);
    const bookingId = decodeComplex(MakeBooking.response, made.body).bookingId!;
    assert.ok(bookingId);
    const answer = await details(bookingId, patient);
    assert.deepEqual(emptyElements(answer.text), []);
    // purpose is not among them: the time type's patient information fills it (issue 12 item 4).
    for (const absent of ['reason', 'resourceID', 'resourceName', 'isInvitation'])
      assert.equal(countElements(answer.text, absent), 0, `${absent} is left out`);
    assert.deepEqual(emptyElements(made.text), []);
  });

  it('answers an unknown bookingId with a Client fault (the answer cannot be empty)', async () => {
    assertFault(await details('no-such-booking', personnummer(65)), 'Client', /no booking/);
  });

  it('answers a cancelled booking with a Client fault', async () => {
    const patient = personnummer(66);
    const bookingId = await bookOk(t.url, t.calendar.doctorSlots[3]!, patient);
    const cancelled = await callSoap(
      t.url,
      CancelBooking,
      { healthcare_facility: FACILITY, bookingId },
      asPatient(patient),
    );
    assert.equal(cancelled.response!.resultCode, 'OK');
    assertFault(await details(bookingId, patient), 'Client', /no booking/);
  });

  it('answers a booking asked for at another facility with a Client fault', async () => {
    const patient = personnummer(67);
    const bookingId = await bookOk(t.url, t.calendar.doctorSlots[4]!, patient);
    assertFault(await details(bookingId, patient, PARTNER), 'Client', /no booking/);
  });
});
