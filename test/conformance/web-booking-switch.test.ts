/**
 * The per-unit web booking switch and partner units (policy §3.1 item 2,
 * GetAllHealthcareFacilities): a unit not enabled for web booking takes no
 * online bookings, since they would never reach EI and 1177 could not show
 * them; partnership works both ways, so a moved booking can move back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetAllHealthcareFacilities, GetAllTimeTypes } from '../../src/contracts/scheduling.ts';
import { tsToInstant } from '../../src/domain/local-time.ts';
import type { Timeslot } from '../../src/domain/types.ts';
import { callSoap } from '../support/soap-client.ts';
import { FACILITY, HIDDEN, PARTNER } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import {
  asPatient,
  availabilityRequest,
  book,
  bookOk,
  moveBooking,
  personnummer,
  searchTimeslots,
} from './consumer.ts';

describe('the web booking switch and partner units', () => {
  let t: TestApp;
  let hiddenSlot: Timeslot;
  before(async () => {
    t = await startTestApp();
    const start = `${t.calendar.days[0]}110000`;
    const end = `${t.calendar.days[0]}112000`;
    hiddenSlot = {
      id: 'hidden-slot',
      facility: HIDDEN,
      start: { ts: start, utcMs: tsToInstant(start)! },
      end: { ts: end, utcMs: tsToInstant(end)! },
      timeTypeId: 'TT-LAK',
    };
    await t.app.store.transaction((tx) => tx.upsertTimeslot(hiddenSlot).then(() => undefined));
  });
  after(() => t.close());

  it('offers no time types and no slots online at a unit not enabled for web booking', async () => {
    const subject = personnummer(1);
    const types = await callSoap(
      t.url,
      GetAllTimeTypes,
      { healthcare_facility: HIDDEN, careTypeIDs: [], subject_of_care: subject },
      asPatient(subject, HIDDEN),
    );
    assert.deepEqual(types.response!.ListOfTimeTypes, []);
    const slots = await searchTimeslots(
      t.url,
      { ...availabilityRequest(t.calendar.days, subject), healthcare_facility: HIDDEN },
      asPatient(subject, HIDDEN),
    );
    assert.deepEqual(slots, []);
  });

  it('refuses MakeBooking there with a readable ERROR and books nothing', async () => {
    const subject = personnummer(2);
    const answer = await book(t.url, hiddenSlot, subject);
    assert.equal(answer.response!.resultCode, 'ERROR');
    assert.match(answer.response!.resultText!, /kan inte bokas via webben/);
    assert.equal(await t.app.store.findActiveBookingOnSlot(hiddenSlot.id), undefined);
  });

  it('lists the unit that names this one as its partner, and lets a moved booking move back', async () => {
    const subject = personnummer(3);
    const fromPartner = await callSoap(
      t.url,
      GetAllHealthcareFacilities,
      { healthcare_facility: PARTNER, subject_of_care: subject },
      asPatient(subject, PARTNER),
    );
    assert.deepEqual(
      fromPartner.response!.healthcareFacilityInfos.map((f) => f.healthcare_facility).sort(),
      [FACILITY, PARTNER].sort(),
      'only the home unit lists the partner, yet the partner reaches the home unit too',
    );

    const bookingId = await bookOk(t.url, t.calendar.doctorSlots[10]!, subject);
    const away = await moveBooking(t.url, bookingId, t.calendar.partnerSlots[1]!, subject);
    assert.equal(away.response!.resultCode, 'OK');
    const back = await moveBooking(t.url, bookingId, t.calendar.doctorSlots[11]!, subject);
    assert.equal(back.response!.resultCode, 'OK', back.response!.resultText);
    assert.equal((await t.app.store.getBooking(bookingId))?.facility, FACILITY);
  });
});
