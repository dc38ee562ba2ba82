import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CancelBooking,
  GetAllCareTypes,
  GetAllHealthcareFacilities,
  GetAllPerformers,
  GetAllTimeTypes,
} from '../../src/contracts/scheduling.ts';
import { callSoap } from '../support/soap-client.ts';
import { DOCTOR, FACILITY, NURSE, PARTNER, PARTNER_DOCTOR } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import {
  asPatient,
  availabilityRequest,
  bookOk,
  countElements,
  emptyElements,
  personnummer,
  searchTimeslots,
} from './consumer.ts';

/**
 * rivta-spec §6 must-haves 18 and 19 and §2.2: the facility, performer, time
 * type and care type lists a consumer builds its booking pages from.
 */
describe('the catalogue operations', () => {
  let t: TestApp;
  const patient = personnummer(90);
  let lakId: string;
  let provId: string;
  before(async () => {
    t = await startTestApp();
    lakId = await bookOk(t.url, t.calendar.doctorSlots[0]!, patient);
    provId = await bookOk(t.url, t.calendar.nurseSlots[0]!, patient);
  });
  after(() => t.close());

  const facilities = async (facility: string, bookingId?: string, subject = patient) => {
    const answer = await callSoap(
      t.url,
      GetAllHealthcareFacilities,
      {
        healthcare_facility: facility,
        subject_of_care: subject,
        ...(bookingId ? { bookingId } : {}),
      },
      asPatient(subject, facility),
    );
    assert.equal(answer.status, 200, answer.fault?.message);
    return answer;
  };
  const listed = (answer: Awaited<ReturnType<typeof facilities>>) =>
    answer.response!.healthcareFacilityInfos.map((f) => [
      f.healthcare_facility,
      f.healthcare_facility_name,
    ]);

  describe('GetAllHealthcareFacilities', () => {
    it('lists the facility itself and its partner, with names, when asked without a bookingId', async () => {
      assert.deepEqual(listed(await facilities(FACILITY)), [
        [FACILITY, 'Vårdcentralen Kungsholmen'],
        [PARTNER, 'Vårdcentralen Södermalm'],
      ]);
      assert.deepEqual(listed(await facilities(PARTNER)), [[PARTNER, 'Vårdcentralen Södermalm']]);
    });

    it('answers an unknown bookingId with an empty list, not a fault', async () => {
      const answer = await facilities(FACILITY, 'no-such-booking');
      assert.deepEqual(answer.response!.healthcareFacilityInfos, []);
      assert.equal(countElements(answer.text, 'healthcareFacilityInfos'), 0);
    });

    it("lists, for a booking, only the facilities that offer its time type, and nothing for someone else's", async () => {
      assert.deepEqual(
        listed(await facilities(FACILITY, lakId)).map(([id]) => id),
        [FACILITY, PARTNER],
      );
      assert.deepEqual(
        listed(await facilities(FACILITY, provId)).map(([id]) => id),
        [FACILITY],
        'only FACILITY offers TT-PROV',
      );
      assert.deepEqual(listed(await facilities(FACILITY, lakId, personnummer(91))), []);
    });

    it('answers a cancelled booking with an empty list', async () => {
      const cancelledId = await bookOk(t.url, t.calendar.doctorSlots[1]!, patient);
      const cancelled = await callSoap(
        t.url,
        CancelBooking,
        { healthcare_facility: FACILITY, bookingId: cancelledId },
        asPatient(patient),
      );
      assert.equal(cancelled.response!.resultCode, 'OK');
      assert.deepEqual(listed(await facilities(FACILITY, cancelledId)), []);
    });
  });

  describe('GetAllPerformers', () => {
    const performers = (facility: string, timeTypeIDs: string[] = [], careTypeIDs: string[] = []) =>
      callSoap(
        t.url,
        GetAllPerformers,
        { healthcare_facility: facility, timeTypeIDs, careTypeIDs, subject_of_care: patient },
        asPatient(patient, facility),
      );

    it("writes the HSA-id in the contract's own misspelt element perfomer", async () => {
      const answer = await performers(FACILITY);
      assert.equal(countElements(answer.text, 'perfomer'), 2);
      assert.equal(countElements(answer.text, 'performer'), 0);
      assert.deepEqual(
        answer.response!.performerInfos.map((p) => [p.perfomer, p.firstName, p.lastName, p.title]),
        [
          [DOCTOR, 'Anna', 'Lind', 'Leg. läkare'],
          [NURSE, 'Bertil', 'Berg', 'Distriktssköterska'],
        ],
      );
    });

    it('leaves title out when a performer has none', async () => {
      const answer = await performers(PARTNER);
      assert.deepEqual(
        answer.response!.performerInfos.map((p) => p.perfomer),
        [PARTNER_DOCTOR],
      );
      assert.equal(countElements(answer.text, 'title'), 0);
      assert.deepEqual(emptyElements(answer.text), []);
    });

    it('narrows to performers with free slots of the time or care types asked for', async () => {
      const byTimeType = await performers(FACILITY, ['TT-PROV']);
      assert.deepEqual(
        byTimeType.response!.performerInfos.map((p) => p.perfomer),
        [NURSE],
      );
      const byCareType = await performers(FACILITY, [], ['CT-ALLM']);
      assert.deepEqual(
        byCareType.response!.performerInfos.map((p) => p.perfomer),
        [DOCTOR],
      );
    });
  });

  describe('GetAllTimeTypes and GetAllCareTypes', () => {
    it('lists the time types bookable online, and every code it returns works as a search filter', async () => {
      const answer = await callSoap(
        t.url,
        GetAllTimeTypes,
        { healthcare_facility: FACILITY, careTypeIDs: [], subject_of_care: personnummer(92) },
        asPatient(personnummer(92)),
      );
      const types = answer.response!.ListOfTimeTypes;
      assert.deepEqual(
        types.map((x) => [x.timeTypeId, x.timeTypeName]),
        [
          ['TT-LAK', 'Läkarbesök 20 min'],
          ['TT-PROV', 'Provtagning'],
        ],
      );
      for (const type of types) {
        const slots = await searchTimeslots(
          t.url,
          availabilityRequest(t.calendar.days, personnummer(92), { timeTypeID: type.timeTypeId }),
        );
        assert.ok(slots.length > 0, `${type.timeTypeId} finds slots`);
        assert.ok(slots.every((s) => s.timeTypeName === type.timeTypeName));
      }
    });

    it('narrows time types by care type', async () => {
      const answer = await callSoap(
        t.url,
        GetAllTimeTypes,
        { healthcare_facility: FACILITY, careTypeIDs: ['CT-LAB'], subject_of_care: patient },
        asPatient(patient),
      );
      assert.deepEqual(
        answer.response!.ListOfTimeTypes.map((x) => x.timeTypeId),
        ['TT-PROV'],
      );
    });

    it('lists care types, narrowed by time type or performer', async () => {
      const careTypes = async (timeTypeIDs: string[], performer: string[]) =>
        (
          await callSoap(
            t.url,
            GetAllCareTypes,
            { healthcare_facility: FACILITY, timeTypeIDs, performer, subject_of_care: patient },
            asPatient(patient),
          )
        ).response!.careTypes.map((c) => [c.careTypeId, c.careTypeName]);
      assert.deepEqual(await careTypes([], []), [
        ['CT-ALLM', 'Allmänmedicin'],
        ['CT-LAB', 'Laboratorium'],
      ]);
      assert.deepEqual(await careTypes(['TT-PROV'], []), [['CT-LAB', 'Laboratorium']]);
      assert.deepEqual(await careTypes([], [NURSE]), [['CT-LAB', 'Laboratorium']]);
    });
  });
});
