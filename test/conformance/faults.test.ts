import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NS } from '../../src/contracts/namespaces.ts';
import {
  CancelBooking,
  GetAllTimeTypes,
  GetAvailableTimeslots,
  GetBookingDetails,
  GetSubjectOfCareSchedule,
  MakeBooking,
  UpdateBooking,
} from '../../src/contracts/scheduling.ts';
import { refusal } from '../../src/domain/refusals.ts';
import type { CalendarView } from '../../src/store/calendar-store.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-calendar-store.ts';
import {
  assertFault,
  callSoap,
  postSoap,
  requestEnvelope,
  wrapRequest,
  type RawAnswer,
} from '../support/soap-client.ts';
import { FACILITY, PATIENT } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import {
  asPatient,
  availabilityRequest,
  book,
  bookOk,
  countElements,
  makeBookingRequest,
  moveBooking,
  personnummer,
  searchTimeslots,
} from './consumer.ts';

/** What must never leak into a fault: stack frames, source paths, driver names. */
const INTERNALS = /\bat .+:\d+:\d+|\.ts\b|node_modules|sqlite|Error:/i;

function assertCleanFault(answer: RawAnswer, code: 'Client' | 'Server', what: string) {
  assertFault(answer, code);
  assert.ok(answer.fault!.message.trim().length > 0, `${what}: faultstring says what is wrong`);
  assert.doesNotMatch(answer.text, INTERNALS, `${what}: no internals in the answer`);
  assert.equal(countElements(answer.text, 'detail'), 0, `${what}: no detail element`);
  assert.equal(answer.body.ns, NS.soapEnv);
}

/** rivta-spec §6 must-have 10: technical failures are SOAP faults, business refusals are answers. */
describe('faults and refusals', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('answers every kind of caller error with HTTP 500, text/xml; charset=UTF-8 and a bare soap:Client fault', async () => {
    const path = t.url + GetSubjectOfCareSchedule.path;
    const schedule = (subject: string) =>
      requestEnvelope(
        GetSubjectOfCareSchedule,
        { healthcare_facility: FACILITY, subject_of_care: subject },
        asPatient(),
      );
    const cases: Record<string, Promise<RawAnswer>> = {
      'malformed XML': postSoap(path, schedule(PATIENT).slice(0, -20)),
      'empty body': postSoap(path, ''),
      'not SOAP': postSoap(path, '<hello/>'),
      'two body elements': postSoap(
        path,
        schedule(PATIENT).replace(/(<\/soapenv:Body>)/, '<x:y xmlns:x="urn:x"/>$1'),
      ),
      'no body': postSoap(
        path,
        wrapRequest('', asPatient()).replace(/<soapenv:Body>.*$/, '</soapenv:Envelope>'),
      ),
      'unknown operation': postSoap(path, wrapRequest('<x:Nope xmlns:x="urn:x"/>', asPatient())),
      'wrong address': postSoap(t.url + GetAllTimeTypes.path, schedule(PATIENT)),
      'invalid person id': postSoap(path, schedule('1912121212')),
      'missing mandatory element': postSoap(
        path,
        schedule(PATIENT).replace(/<[\w:]*subject_of_care>.*<\/[\w:]*subject_of_care>/, ''),
      ),
      'elements out of order': postSoap(
        path,
        wrapRequest(
          `<g:GetSubjectOfCareSchedule xmlns:g="${GetSubjectOfCareSchedule.responderNs}">` +
            `<g:subject_of_care>${PATIENT}</g:subject_of_care><g:healthcare_facility>${FACILITY}</g:healthcare_facility>` +
            `</g:GetSubjectOfCareSchedule>`,
          asPatient(),
        ),
      ),
      'unsupported charset': postSoap(path, schedule(PATIENT), {
        'Content-Type': 'text/xml; charset=x-no-such-charset',
      }),
      'unknown booking': callSoap(
        t.url,
        GetBookingDetails,
        { healthcare_facility: FACILITY, bookingId: 'no-such-booking' },
        asPatient(),
      ),
      'missing LogicalAddress': postSoap(
        path,
        schedule(PATIENT).replace(/<LogicalAddress.*<\/LogicalAddress>/, ''),
      ),
    };
    for (const [what, pending] of Object.entries(cases))
      assertCleanFault(await pending, 'Client', what);
  });

  it('answers business refusals with HTTP 200, resultCode ERROR and a text from the Swedish refusal catalogue to show the citizen', async () => {
    const holder = personnummer(10);
    const slot = t.calendar.doctorSlots[0]!;
    const bookingId = await bookOk(t.url, slot, holder);
    const refusals: Record<
      string,
      RawAnswer & { response?: { resultCode: string; resultText?: string } }
    > = {
      'MakeBooking on a taken slot': await book(t.url, slot, personnummer(11)),
      'UpdateBooking of an unknown booking': await moveBooking(
        t.url,
        'no-such-booking',
        t.calendar.doctorSlots[1]!,
        holder,
      ),
      "UpdateBooking of someone else's booking": await moveBooking(
        t.url,
        bookingId,
        t.calendar.doctorSlots[1]!,
        personnummer(11),
      ),
      'CancelBooking of an unknown booking': await callSoap(
        t.url,
        CancelBooking,
        { healthcare_facility: FACILITY, bookingId: 'no-such-booking' },
        asPatient(),
      ),
    };
    const catalogue: readonly string[] = Object.values(refusal);
    for (const [what, answer] of Object.entries(refusals)) {
      assert.equal(answer.status, 200, what);
      assert.match(answer.contentType ?? '', /^text\/xml; charset=UTF-8$/i, what);
      assert.equal(answer.fault, undefined, `${what}: not a fault`);
      assert.equal(answer.response!.resultCode, 'ERROR', what);
      const text = answer.response!.resultText ?? '';
      assert.ok(text.trim().length > 0, `${what}: a text to show`);
      assert.ok(catalogue.includes(text), `${what}: one of the reviewed texts, got "${text}"`);
      assert.doesNotMatch(text, /\d{8}-?\d{4}/, `${what}: no person id in the text`);
    }
    assert.equal((await t.app.store.getBooking(bookingId))?.slotId, slot.id, 'nothing moved');
  });

  it('leaves resultText out of an OK answer instead of writing it empty', async () => {
    const answer = await book(t.url, t.calendar.doctorSlots[2]!, personnummer(12));
    assert.equal(answer.response!.resultCode, 'OK');
    assert.equal(countElements(answer.text, 'resultText'), 0);
    assert.equal(countElements(answer.text, 'bookingId'), 1);
  });

  it('answers an internal failure with a soap:Server fault that tells nothing of the cause', async () => {
    const broken = await startTestApp();
    try {
      await broken.app.store.close();
      for (const answer of [
        await callSoap(
          broken.url,
          GetSubjectOfCareSchedule,
          { healthcare_facility: FACILITY, subject_of_care: PATIENT },
          asPatient(),
        ),
        await callSoap(
          broken.url,
          MakeBooking,
          makeBookingRequest(broken.calendar.doctorSlots[0]!, PATIENT),
          asPatient(),
        ),
        await moveBooking(broken.url, 'x', broken.calendar.doctorSlots[0]!, PATIENT),
      ]) {
        assertCleanFault(answer, 'Server', 'store closed');
        assert.doesNotMatch(answer.fault!.message, /closed/);
      }
    } finally {
      await broken.close();
    }
  });

  it('answers a handler that takes too long with a soap:Server fault, and the next call as usual', async () => {
    // The store is slow inside the handler only: its booking-history read (a
    // facility with time types for returning patients) waits past the limit once.
    let delayNext = true;
    const store = openSqliteStore(':memory:');
    const slowView = (view: CalendarView): CalendarView =>
      new Proxy(view, {
        get(target, name) {
          const value: unknown = Reflect.get(target, name, target);
          if (typeof value !== 'function') return value;
          if (name !== 'hasBookingHistory' || !delayNext) return value.bind(target);
          delayNext = false;
          return async (...args: unknown[]) => {
            await new Promise((resolve) => setTimeout(resolve, 300));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    const slow = await startTestApp({
      store: new Proxy(store, {
        get(target, name) {
          const value: unknown = Reflect.get(target, name, target);
          if (name === 'view') return () => slowView(target.view());
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
      limits: { handlerTimeoutMs: 50 },
    });
    try {
      const request = availabilityRequest(slow.calendar.days, PATIENT);
      const late = await callSoap(slow.url, GetAvailableTimeslots, request, asPatient());
      assertCleanFault(late, 'Server', 'handler timeout');
      assert.match(late.fault!.message, /took too long/);
      assert.ok((await searchTimeslots(slow.url, request)).length > 0);
    } finally {
      await slow.close();
      await store.close();
    }
  });

  it('keeps answering UpdateBooking faults the same way', async () => {
    const answer = await callSoap(
      t.url,
      UpdateBooking,
      {
        requestedTimeslot: {
          startTimeInclusive: t.calendar.doctorSlots[3]!.start.ts,
          endTimeExclusive: t.calendar.doctorSlots[3]!.end.ts,
          healthcare_facility: FACILITY,
          subject_of_care: PATIENT,
        },
      },
      asPatient(),
    );
    assertCleanFault(answer, 'Client', 'UpdateBooking without bookingId');
    assert.match(answer.fault!.message, /bookingId is mandatory/);
  });
});
