import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  GetAvailableDates,
  GetAvailableTimeslots,
  GetBookingDetails,
  GetSubjectOfCareSchedule,
  MakeBooking,
  UpdateBooking,
} from '../../src/contracts/scheduling.ts';
import { PingForConfiguration } from '../../src/contracts/monitoring.ts';
import {
  addDays,
  instantToDt,
  instantToTs,
  isInDstGap,
  tsToInstant,
  tsToInstants,
} from '../../src/domain/local-time.ts';
import type { Timeslot } from '../../src/domain/types.ts';
import { assertFault, callSoap } from '../support/soap-client.ts';
import { DOCTOR, FACILITY, PATIENT } from '../support/test-calendar.ts';
import { PRODUCER_HSA_ID, startTestApp, type TestApp } from '../support/test-app.ts';
import {
  asPatient,
  availabilityRequest,
  book,
  bookOk,
  elementTexts,
  makeBookingRequest,
  moveBooking,
  personnummer,
  searchDates,
  searchTimeslots,
} from './consumer.ts';

const at = (ts: string) => {
  const utcMs = tsToInstant(ts);
  assert.ok(utcMs !== undefined, `${ts} exists`);
  return utcMs;
};

/** rivta-spec §6 must-have 9 and §2.1: TS/DT are Stockholm local time, real dates, never past. */
describe('times on the wire', () => {
  let t: TestApp;
  let clock = Date.now();
  before(async () => {
    t = await startTestApp({ now: () => clock });
  });
  after(() => t.close());

  it('refuses impossible dates and times with a Client fault naming the field', async () => {
    const [day1, , day3] = t.calendar.days as [string, string, string];
    for (const [field, value] of [
      ['startDateInclusive', '20260230'],
      ['startDateInclusive', '20261301'],
      ['startDateInclusive', '20261200'],
      ['endDateInclusive', '2026121'],
      ['endDateInclusive', '2026-12-01'],
    ] as const) {
      const answer = await callSoap(
        t.url,
        GetAvailableDates,
        availabilityRequest([day1, day3], PATIENT, { [field]: value }),
        asPatient(),
      );
      assertFault(answer, 'Client', new RegExp(field));
    }
    const slot = t.calendar.doctorSlots[0]!;
    for (const value of [
      '20261301000000',
      '20260230090000',
      '20261201240000',
      '20261201096000',
      '2026120109000',
      '202612010900000',
    ]) {
      const answer = await callSoap(
        t.url,
        MakeBooking,
        makeBookingRequest(slot, PATIENT, { startTimeInclusive: value }),
        asPatient(),
      );
      assertFault(answer, 'Client', /startTimeInclusive/);
    }
    assert.equal(await t.app.store.findActiveBookingOnSlot(slot.id), undefined);
  });

  it('refuses a range or a timeslot that ends before it starts with a Client fault', async () => {
    const [day1, day2] = t.calendar.days as [string, string];
    assertFault(
      await callSoap(
        t.url,
        GetAvailableTimeslots,
        availabilityRequest([day2, day1], PATIENT),
        asPatient(),
      ),
      'Client',
      /endDateInclusive is before startDateInclusive/,
    );
    assertFault(
      await callSoap(
        t.url,
        GetAvailableDates,
        availabilityRequest([day2, day1], PATIENT),
        asPatient(),
      ),
      'Client',
      /endDateInclusive is before startDateInclusive/,
    );
    const slot = t.calendar.doctorSlots[0]!;
    const backwards = {
      startTimeInclusive: slot.end.ts,
      endTimeExclusive: slot.start.ts,
    };
    assertFault(
      await callSoap(t.url, MakeBooking, makeBookingRequest(slot, PATIENT, backwards), asPatient()),
      'Client',
      /ends before it starts/,
    );
    assertFault(
      await callSoap(
        t.url,
        UpdateBooking,
        {
          requestedTimeslot: {
            ...backwards,
            healthcare_facility: FACILITY,
            bookingId: 'any',
            subject_of_care: PATIENT,
          },
        },
        asPatient(),
      ),
      'Client',
      /ends before it starts/,
    );
  });

  it('writes every time as 14-digit local yyyyMMddHHmmss and every date as 8-digit yyyyMMdd', async () => {
    const patient = personnummer(3);
    const slot = t.calendar.doctorSlots[17]!;
    const bookingId = await bookOk(t.url, slot, patient);
    const texts = [
      (
        await callSoap(
          t.url,
          GetAvailableTimeslots,
          availabilityRequest(t.calendar.days, patient),
          asPatient(patient),
        )
      ).text,
      (
        await callSoap(
          t.url,
          GetSubjectOfCareSchedule,
          { healthcare_facility: FACILITY, subject_of_care: patient },
          asPatient(patient),
        )
      ).text,
      (
        await callSoap(
          t.url,
          GetBookingDetails,
          { healthcare_facility: FACILITY, bookingId },
          asPatient(patient),
        )
      ).text,
    ];
    let times = 0;
    for (const text of texts)
      for (const local of ['startTimeInclusive', 'endTimeExclusive'])
        for (const value of elementTexts(text, local)) {
          times += 1;
          assert.match(value, /^\d{14}$/);
          assert.equal(instantToTs(at(value)), value, 'a real local time');
        }
    assert.ok(times > 10, 'the answers carry times');
    const dates = elementTexts(
      (
        await callSoap(
          t.url,
          GetAvailableDates,
          availabilityRequest(t.calendar.days, patient),
          asPatient(patient),
        )
      ).text,
      'date',
    );
    assert.deepEqual([...new Set(dates)], t.calendar.days);
    const booked = elementTexts(texts[2]!, 'startTimeInclusive');
    assert.deepEqual(booked, [slot.start.ts], 'the booked time as the calendar holds it');
    assert.equal(instantToTs(slot.start.utcMs), slot.start.ts, 'Stockholm local, not UTC');

    const ping = await callSoap(
      t.url,
      PingForConfiguration,
      {
        serviceContractNamespace:
          'urn:riv:itintegration:monitoring:PingForConfigurationResponder:1',
        logicalAddress: PRODUCER_HSA_ID,
      },
      { logicalAddress: PRODUCER_HSA_ID },
    );
    assert.equal(ping.response!.pingDateTime, instantToTs(clock));
  });

  describe('as the clock moves on', () => {
    const saved = clock;
    after(() => {
      clock = saved;
    });

    it('never offers a slot that has started, nor a date with only such slots', async () => {
      const [day1, day2, day3] = t.calendar.days as [string, string, string];
      const yesterday = addDays(instantToDt(clock), -1);
      clock = at(`${day1}085000`);
      const slots = await searchTimeslots(
        t.url,
        availabilityRequest([yesterday, day3], PATIENT, { timeTypeID: 'TT-LAK' }),
      );
      assert.ok(slots.length > 0);
      for (const s of slots) assert.ok(at(s.startTimeInclusive!) >= clock, s.startTimeInclusive);
      assert.deepEqual(
        slots.filter((s) => s.startTimeInclusive!.startsWith(day1)).map((s) => s.bookingId),
        t.calendar.doctorSlots
          .filter((s) => s.start.ts.startsWith(day1) && s.start.ts >= `${day1}090000`)
          .map((s) => s.id),
        'on the first day only the slots from 09:00 on are offered',
      );
      const dates = await searchDates(
        t.url,
        availabilityRequest([yesterday, day3], PATIENT, { timeTypeID: 'TT-LAK' }),
      );
      assert.deepEqual([...new Set(dates.map((d) => d.date))], [day1, day2, day3]);

      clock = at(`${day1}235900`);
      const later = await searchDates(t.url, availabilityRequest([yesterday, day3], PATIENT));
      assert.deepEqual([...new Set(later.map((d) => d.date))], [day2, day3]);
      assert.deepEqual(
        await searchTimeslots(t.url, availabilityRequest([yesterday, day1], PATIENT)),
        [],
        'a range wholly in the past has nothing',
      );
    });

    it('refuses to book a slot that has started with ERROR and books nothing', async () => {
      const slot = t.calendar.doctorSlots[1]!;
      clock = slot.start.utcMs + 60_000;
      const answer = await book(t.url, slot, personnummer(4));
      assert.equal(answer.status, 200);
      assert.equal(answer.response!.resultCode, 'ERROR');
      assert.match(answer.response!.resultText ?? '', /passerat/);
      assert.doesNotMatch(answer.text, /bookingId/);
      assert.equal(await t.app.store.findActiveBookingOnSlot(slot.id), undefined);
    });
  });
});

/**
 * Daylight saving time (rivta-spec §5): 2026-10-25 02:00-03:00 happens twice
 * (CEST, then CET) and 2027-03-28 02:00-03:00 does not happen at all. The
 * clock is fixed before both.
 */
describe('times around the daylight saving changes', () => {
  let t: TestApp;
  const now = Date.parse('2026-10-20T10:00:00Z');
  const [cestMs, cetMs] = tsToInstants('20261025023000') as [number, number];
  const slotAt = (id: string, startMs: number, minutes = 20): Timeslot => ({
    id,
    facility: FACILITY,
    start: { ts: instantToTs(startMs), utcMs: startMs },
    end: { ts: instantToTs(startMs + minutes * 60_000), utcMs: startMs + minutes * 60_000 },
    timeTypeId: 'TT-LAK',
    careTypeId: 'CT-ALLM',
    performer: DOCTOR,
  });
  const cest = slotAt('autumn-0230-cest', cestMs);
  const cet = slotAt('autumn-0230-cet', cetMs);
  const spanning = slotAt('autumn-0250-cest', at('20261025025000'));
  const intoTheGap = slotAt('spring-0140', at('20270328014000'));
  const autumnDay = ['20261025'];

  before(async () => {
    t = await startTestApp({ now: () => now });
    await t.app.store.transaction(async (tx) => {
      for (const s of [cest, cet, spanning, intoTheGap]) await tx.upsertTimeslot(s);
    });
  });
  after(() => t.close());

  it('has no instant for a time in the spring gap, so no slot can be seeded there', async () => {
    assert.equal(tsToInstant('20270328023000'), undefined);
    assert.ok(isInDstGap('20270328023000'));
    assert.equal(intoTheGap.end.ts, '20270328030000', '01:40 + 20 minutes is 03:00 that night');
    const answer = await book(t.url, intoTheGap, PATIENT, {
      startTimeInclusive: '20270328023000',
      endTimeExclusive: '20270328025000',
      bookingId: undefined,
    });
    assert.equal(answer.response!.resultCode, 'ERROR', 'no slot can be at that time');
    const offered = await searchTimeslots(t.url, availabilityRequest(['20270328'], PATIENT));
    assert.deepEqual(
      offered.map((s) => [s.bookingId, s.startTimeInclusive, s.endTimeExclusive]),
      [[intoTheGap.id, '20270328014000', '20270328030000']],
    );
  });

  it('offers both 02:30 slots of the repeated hour, in time order, with the same local time', async () => {
    assert.equal(cetMs - cestMs, 3_600_000);
    assert.equal(cest.start.ts, cet.start.ts);
    const offered = await searchTimeslots(t.url, availabilityRequest(autumnDay, PATIENT));
    assert.deepEqual(
      offered
        .filter((s) => s.bookingId === cest.id || s.bookingId === cet.id)
        .map((s) => [s.bookingId, s.startTimeInclusive, s.endTimeExclusive]),
      [
        [cest.id, '20261025023000', '20261025025000'],
        [cet.id, '20261025023000', '20261025025000'],
      ],
    );
    const dates = await searchDates(t.url, availabilityRequest(autumnDay, PATIENT));
    assert.deepEqual([...new Set(dates.map((d) => d.date))], autumnDay);
  });

  it('books exactly the slot a MakeBooking names by id, and then the other one too', async () => {
    const first = personnummer(5);
    const second = personnummer(6);
    const laterId = await bookOk(t.url, cet, first);
    const stored = await t.app.store.getBooking(laterId);
    assert.equal(stored?.slotId, cet.id);
    assert.equal(stored?.start?.utcMs, cetMs, 'the CET 02:30, not the CEST one');
    assert.equal(await t.app.store.findActiveBookingOnSlot(cest.id), undefined);
    const stillOffered = await searchTimeslots(t.url, availabilityRequest(autumnDay, second));
    assert.ok(stillOffered.some((s) => s.bookingId === cest.id));
    assert.ok(!stillOffered.some((s) => s.bookingId === cet.id));

    const earlierId = await bookOk(t.url, cest, second);
    assert.equal((await t.app.store.getBooking(earlierId))?.start?.utcMs, cestMs);

    for (const [patient, id] of [
      [first, laterId],
      [second, earlierId],
    ] as const) {
      const schedule = await callSoap(
        t.url,
        GetSubjectOfCareSchedule,
        { healthcare_facility: FACILITY, subject_of_care: patient },
        asPatient(patient),
      );
      assert.deepEqual(
        schedule.response!.timeslotDetail.map((d) => [
          d.bookingId,
          d.startTimeInclusive,
          d.endTimeExclusive,
        ]),
        [[id, '20261025023000', '20261025025000']],
      );
    }
  });

  it('books a slot that spans the autumn change (02:50 CEST to 02:10 CET) exactly as it was offered', async () => {
    assert.deepEqual(
      [spanning.start.ts, spanning.end.ts],
      ['20261025025000', '20261025021000'],
      'the local end is before the local start, yet the slot lasts 20 minutes',
    );
    const offered = (await searchTimeslots(t.url, availabilityRequest(autumnDay, PATIENT))).find(
      (s) => s.bookingId === spanning.id,
    );
    assert.ok(offered, 'the slot is offered');
    const answer = await callSoap(
      t.url,
      MakeBooking,
      makeBookingRequest(spanning, PATIENT, {
        startTimeInclusive: offered.startTimeInclusive!,
        endTimeExclusive: offered.endTimeExclusive!,
      }),
      asPatient(),
    );
    assert.equal(answer.status, 200, answer.fault?.message);
    assert.equal(answer.response!.resultCode, 'OK');
    assert.equal(
      (await t.app.store.findActiveBookingOnSlot(spanning.id))?.id,
      answer.response!.bookingId,
    );
  });

  it('moves a booking onto a slot of the repeated hour by its local times', async () => {
    const patient = personnummer(7);
    const extra = slotAt('autumn-0210-cet', at('20261025021000') + 3_600_000);
    assert.equal(extra.start.ts, '20261025021000');
    await t.app.store.transaction(async (tx) => {
      await tx.upsertTimeslot(extra);
    });
    const bookingId = await bookOk(t.url, t.calendar.doctorSlots[0]!, patient);
    const moved = await moveBooking(t.url, bookingId, extra, patient);
    assert.equal(moved.response!.resultCode, 'OK', moved.response!.resultText);
    const stored = await t.app.store.getBooking(bookingId);
    assert.equal(stored?.slotId, extra.id);
    assert.equal(stored?.start?.utcMs, extra.start.utcMs);
  });
});
