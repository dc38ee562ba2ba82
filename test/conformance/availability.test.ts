import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CancelBooking, GetAllHealthcareFacilities } from '../../src/contracts/scheduling.ts';
import { tsToInstant } from '../../src/domain/local-time.ts';
import { refusal } from '../../src/domain/refusals.ts';
import type { Timeslot } from '../../src/domain/types.ts';
import { callSoap, type EnvelopeOptions } from '../support/soap-client.ts';
import {
  DOCTOR,
  FACILITY,
  HIDDEN,
  NURSE,
  PARTNER,
  PATIENT_INFO,
} from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import {
  asAgent,
  asPatient,
  availabilityRequest,
  bookOk,
  moveBooking,
  personnummer,
  searchDates,
  searchTimeslots,
  type AvailabilityRequest,
} from './consumer.ts';

/** rivta-spec §6 must-have 17 and §2.2 GetAvailableDates / GetAvailableTimeslots. */
describe('GetAvailableDates and GetAvailableTimeslots', () => {
  let t: TestApp;
  let clock = Date.now();
  const patient = personnummer(80);
  let bookingId: string;
  let hiddenSlot: Timeslot;
  before(async () => {
    t = await startTestApp({ now: () => clock });
    bookingId = await bookOk(t.url, t.calendar.doctorSlots[0]!, patient);
    const model = t.calendar.partnerSlots[0]!;
    hiddenSlot = {
      id: 'hidden-avail-1',
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

  const search = (extra: Partial<AvailabilityRequest> = {}, subject = patient) =>
    availabilityRequest(t.calendar.days, subject, extra);

  describe('filters', () => {
    it('narrows to the performers asked for', async () => {
      const nurse = await searchTimeslots(t.url, search({ performer: [NURSE] }));
      assert.equal(nurse.length, t.calendar.nurseSlots.length);
      assert.ok(nurse.every((s) => s.performer === NURSE));
      const both = await searchTimeslots(t.url, search({ performer: [NURSE, DOCTOR] }));
      assert.deepEqual([...new Set(both.map((s) => s.performer))].sort(), [DOCTOR, NURSE].sort());
      assert.deepEqual(
        await searchTimeslots(t.url, search({ performer: ['SE2321000016-NONE'] })),
        [],
      );
    });

    it('narrows to a time type by id or by name', async () => {
      const byId = await searchTimeslots(t.url, search({ timeTypeID: 'TT-PROV' }));
      assert.ok(byId.length > 0 && byId.every((s) => s.timeTypeID === 'TT-PROV'));
      const byName = await searchTimeslots(t.url, search({ timeTypeName: 'Provtagning' }));
      assert.deepEqual(byName, byId);
      assert.deepEqual(await searchTimeslots(t.url, search({ timeTypeName: 'Ingen sådan' })), []);
      assert.deepEqual(
        await searchTimeslots(t.url, search({ timeTypeID: 'TT-INT' })),
        [],
        'a time type that is not bookable online is never offered',
      );
    });

    it('narrows to a care type by id or by name', async () => {
      const byId = await searchTimeslots(t.url, search({ careTypeID: 'CT-LAB' }));
      assert.ok(byId.length > 0 && byId.every((s) => s.careTypeID === 'CT-LAB'));
      assert.deepEqual(
        await searchTimeslots(t.url, search({ careTypeName: 'Laboratorium' })),
        byId,
      );
      assert.deepEqual(
        await searchTimeslots(
          t.url,
          search({ careTypeName: 'Laboratorium', timeTypeID: 'TT-LAK' }),
        ),
        [],
        'filters combine',
      );
      assert.deepEqual(
        await searchTimeslots(
          t.url,
          search({ careTypeName: 'Laboratorium', careTypeID: 'CT-ALLM' }),
        ),
        [],
        'a name and an id that disagree find nothing',
      );
    });
  });

  it('gives the same dates (and the same performers and types per date) from both operations for the same query', async () => {
    const queries: [string, AvailabilityRequest, EnvelopeOptions?][] = [
      ['no filter', search()],
      ['performer', search({ performer: [NURSE] })],
      ['time type id', search({ timeTypeID: 'TT-PROV' })],
      ['time type name', search({ timeTypeName: 'Läkarbesök 20 min' })],
      ['care type id', search({ careTypeID: 'CT-ALLM' })],
      ['care type name', search({ careTypeName: 'Laboratorium' })],
      ['one day', availabilityRequest([t.calendar.days[1]!], patient)],
      ['rebooking', search({ bookingId })],
      ['rebooking at the partner', search({ bookingId, healthcare_facility: PARTNER })],
      ['agent', search(), asAgent()],
      ['partner', search({ healthcare_facility: PARTNER })],
    ];
    for (const [name, request, headers] of queries) {
      const options = headers ?? asPatient(patient, request.healthcare_facility);
      const slots = await searchTimeslots(t.url, request, options);
      const dates = await searchDates(t.url, request, options);
      const fromSlots = new Set(
        slots.map((s) =>
          [
            s.startTimeInclusive!.slice(0, 8),
            s.performer,
            s.timeTypeID,
            s.careTypeID,
            s.resourceID,
          ].join('|'),
        ),
      );
      const fromDates = new Set(
        dates.map((d) => [d.date, d.performer, d.timeTypeID, d.careTypeID, d.resourceID].join('|')),
      );
      assert.deepEqual([...fromDates].sort(), [...fromSlots].sort(), name);
      assert.deepEqual(
        [...new Set(dates.map((d) => d.date))].sort(),
        [...new Set(slots.map((s) => s.startTimeInclusive!.slice(0, 8)))].sort(),
        name,
      );
      assert.equal(dates.length, fromDates.size, `${name}: no repeated entries`);
    }
  });

  describe('with a bookingId (rebooking)', () => {
    it("offers only slots of the booking's own time type, each carrying the booking's id", async () => {
      const options = await searchTimeslots(t.url, search({ bookingId }));
      assert.ok(options.length > 0);
      for (const o of options) {
        assert.equal(o.bookingId, bookingId);
        assert.equal(o.timeTypeID, 'TT-LAK');
        assert.equal(o.healthcare_facility, FACILITY);
      }
      assert.ok(
        !options.some((o) => o.startTimeInclusive === t.calendar.doctorSlots[0]!.start.ts),
        'the slot the booking holds is not free',
      );
      const dates = await searchDates(t.url, search({ bookingId }));
      assert.ok(dates.every((d) => d.timeTypeID === 'TT-LAK'));
    });

    it('offers the partner facility, which GetAllHealthcareFacilities(bookingId) lists, and nothing at a facility it does not list', async () => {
      const facilities = await callSoap(
        t.url,
        GetAllHealthcareFacilities,
        { healthcare_facility: FACILITY, subject_of_care: patient, bookingId },
        asPatient(patient),
      );
      const listed = facilities.response!.healthcareFacilityInfos.map((f) => f.healthcare_facility);
      assert.deepEqual(listed.sort(), [FACILITY, PARTNER].sort());

      const atHidden = await searchTimeslots(
        t.url,
        search({ bookingId, healthcare_facility: HIDDEN }),
        asPatient(patient, HIDDEN),
      );
      assert.deepEqual(atHidden, [], `${HIDDEN} has a free TT-LAK slot but is not listed`);
      const plainAtHidden = await searchTimeslots(
        t.url,
        search({ healthcare_facility: HIDDEN }),
        asPatient(patient, HIDDEN),
      );
      assert.ok(
        plainAtHidden.some((s) => s.bookingId === hiddenSlot.id),
        'control: the slot is free',
      );

      const atPartner = await searchTimeslots(
        t.url,
        search({ bookingId, healthcare_facility: PARTNER }),
        asPatient(patient, PARTNER),
      );
      assert.deepEqual(
        atPartner.map((s) => [s.startTimeInclusive, s.bookingId, s.healthcare_facility]),
        t.calendar.partnerSlots.map((s) => [s.start.ts, bookingId, PARTNER]),
        'the partner slots of the same time type, carrying the booking id',
      );
    });

    it("offers nothing for a booking that may not be rebooked, is cancelled, is unknown or is someone else's", async () => {
      const provId = await bookOk(t.url, t.calendar.nurseSlots[0]!, patient);
      const cancelledId = await bookOk(t.url, t.calendar.doctorSlots[1]!, patient);
      const cancelled = await callSoap(
        t.url,
        CancelBooking,
        { healthcare_facility: FACILITY, bookingId: cancelledId },
        asPatient(patient),
      );
      assert.equal(cancelled.response!.resultCode, 'OK');
      const stranger = personnummer(81);
      for (const [name, request] of Object.entries({
        'rebooking not allowed': search({ bookingId: provId }),
        cancelled: search({ bookingId: cancelledId }),
        unknown: search({ bookingId: 'no-such-booking' }),
        "someone else's": search({ bookingId }, stranger),
      })) {
        assert.deepEqual(await searchTimeslots(t.url, request), [], name);
        assert.deepEqual(await searchDates(t.url, request), [], name);
      }
    });

    it('offers nothing for a booking whose time has passed, since UpdateBooking would refuse every option', async () => {
      const saved = clock;
      const patientB = personnummer(83);
      const slot = t.calendar.doctorSlots[6]!;
      const passedId = await bookOk(t.url, slot, patientB);
      try {
        clock = slot.start.utcMs + 60_000;
        const later = t.calendar.doctorSlots[7]!;
        const move = await moveBooking(t.url, passedId, later, patientB);
        assert.equal(move.response!.resultText, refusal.bookingPassed, 'control: no move is valid');
        const request = availabilityRequest(t.calendar.days, patientB, { bookingId: passedId });
        assert.deepEqual(await searchTimeslots(t.url, request), []);
        assert.deepEqual(await searchDates(t.url, request), []);
      } finally {
        clock = saved;
      }
    });

    it('offers an open invitation the slots of its time type', async () => {
      const invited = personnummer(82);
      const outcome = await t.app.service.createInvitation({
        facility: FACILITY,
        subjectOfCare: invited,
        patient: PATIENT_INFO,
        timeTypeId: 'TT-PROV',
        purpose: 'Provtagning inför besöket.',
      });
      assert.ok(outcome.ok);
      const invitationId = outcome.value.booking.id;
      const options = await searchTimeslots(t.url, search({ bookingId: invitationId }, invited));
      assert.ok(options.length > 0);
      assert.ok(options.every((o) => o.timeTypeID === 'TT-PROV' && o.bookingId === invitationId));
    });
  });

  it('never offers a time that has passed', async () => {
    const saved = clock;
    const [day1, , day3] = t.calendar.days as [string, string, string];
    try {
      clock = tsToInstant(`${day1}091000`)!;
      const slots = await searchTimeslots(t.url, availabilityRequest([day1, day3], patient));
      assert.ok(slots.length > 0);
      for (const s of slots)
        assert.ok(tsToInstant(s.startTimeInclusive!)! >= clock, s.startTimeInclusive);
      const first = slots.filter((s) => s.startTimeInclusive!.startsWith(day1));
      assert.ok(first.every((s) => s.startTimeInclusive! >= `${day1}092000`));
      assert.ok(first.length > 0, 'later slots of the same day are still offered');
      const rebooking = await searchTimeslots(t.url, search({ bookingId }));
      for (const s of rebooking)
        assert.ok(tsToInstant(s.startTimeInclusive!)! >= clock, s.startTimeInclusive);
    } finally {
      clock = saved;
    }
  });
});
