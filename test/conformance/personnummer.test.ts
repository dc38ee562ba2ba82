import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  GetAllHealthcareFacilities,
  GetAvailableTimeslots,
  GetSubjectOfCareSchedule,
  MakeBooking,
} from '../../src/contracts/scheduling.ts';
import { assertFault, callSoap } from '../support/soap-client.ts';
import { FACILITY } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { asPatient, availabilityRequest, makeBookingRequest } from './consumer.ts';

/**
 * rivta-spec §6 must-have 7 and §2.3 item 1: subject_of_care must match
 * `[0-9]{8}[0-9pPtTfF][0-9]{3}` (the national pattern without its literal
 * ^ and $) and begin with a real date; a samordningsnummer adds 60 to the
 * day. A refusal never repeats the value (it is personal data).
 */
describe('subject_of_care, the 12-character person id', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const accepted = {
    personnummer: '191212121212',
    samordningsnummer: '191212721219',
    'reserve number, upper-case letter': '19121212T212',
    'reserve number, lower-case letter': '19121212p213',
  };

  const rejected = {
    '11 digits': '19121212121',
    '13 digits': '1912121212123',
    '10 digits': '1212121212',
    'with hyphen': '19121212-1212',
    'with hyphen and month 13': '19121312-1212',
    'month 13': '191213321212',
    'February 30': '191202301212',
    'samordningsnummer of February 30': '191202901212',
    'day 92 (32 after taking off 60)': '191212921212',
    'reserve number with an impossible date': '19121232T212',
    'letter outside pPtTfF': '19121212X212',
    'letter in the tenth place': '191212121T12',
    'padded with spaces': ' 191212121212 ',
    // The value the unpatched national XSD would demand, because XSD reads ^ and $ literally.
    'with literal anchors': '^191212121212$',
  };

  it('accepts personnummer, samordningsnummer and reserve numbers on every kind of request', async () => {
    for (const [kind, id] of Object.entries(accepted)) {
      const schedule = await callSoap(
        t.url,
        GetSubjectOfCareSchedule,
        { healthcare_facility: FACILITY, subject_of_care: id },
        asPatient(id),
      );
      assert.equal(schedule.status, 200, `${kind}: ${schedule.fault?.message}`);
      const slots = await callSoap(
        t.url,
        GetAvailableTimeslots,
        availabilityRequest(t.calendar.days, id),
        asPatient(id),
      );
      assert.equal(slots.status, 200, `${kind}: ${slots.fault?.message}`);
      const facilities = await callSoap(
        t.url,
        GetAllHealthcareFacilities,
        { healthcare_facility: FACILITY, subject_of_care: id },
        asPatient(id),
      );
      assert.equal(facilities.status, 200, `${kind}: ${facilities.fault?.message}`);
    }
  });

  it('books for each accepted kind and keeps the id exactly as sent', async () => {
    const ids = Object.values(accepted);
    for (const [i, id] of ids.entries()) {
      const slot = t.calendar.doctorSlots[i]!;
      const made = await callSoap(t.url, MakeBooking, makeBookingRequest(slot, id), asPatient(id));
      assert.equal(made.response?.resultCode, 'OK', id);
      assert.equal((await t.app.store.getBooking(made.response!.bookingId!))?.subjectOfCare, id);
      const schedule = await callSoap(
        t.url,
        GetSubjectOfCareSchedule,
        { healthcare_facility: FACILITY, subject_of_care: id },
        asPatient(id),
      );
      assert.deepEqual(
        schedule.response!.timeslotDetail.map((d) => [d.bookingId, d.subject_of_care]),
        [[made.response!.bookingId, id]],
      );
    }
  });

  it('refuses every malformed id with a Client fault that names the field but never the value', async () => {
    const slot = t.calendar.doctorSlots[10]!;
    const before = await t.app.store.stats();
    for (const [kind, id] of Object.entries(rejected)) {
      const answers = {
        GetSubjectOfCareSchedule: await callSoap(
          t.url,
          GetSubjectOfCareSchedule,
          { healthcare_facility: FACILITY, subject_of_care: id },
          asPatient(),
        ),
        GetAvailableTimeslots: await callSoap(
          t.url,
          GetAvailableTimeslots,
          availabilityRequest(t.calendar.days, id),
          asPatient(),
        ),
        GetAllHealthcareFacilities: await callSoap(
          t.url,
          GetAllHealthcareFacilities,
          { healthcare_facility: FACILITY, subject_of_care: id },
          asPatient(),
        ),
        MakeBooking: await callSoap(t.url, MakeBooking, makeBookingRequest(slot, id), asPatient()),
      };
      for (const [operation, answer] of Object.entries(answers)) {
        assertFault(answer, 'Client', /subject_of_care/);
        assert.ok(
          !answer.text.includes(id.trim()),
          `${operation}, ${kind}: the answer does not repeat the value`,
        );
        assert.ok(
          !answer.text.includes(id.replace('-', '').slice(0, 8) + '-'),
          `${operation}, ${kind}: not even masked`,
        );
      }
    }
    assert.deepEqual(await t.app.store.stats(), before, 'nothing was booked');
  });
});
