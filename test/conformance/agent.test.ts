import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  GetAllCareTypes,
  GetAllHealthcareFacilities,
  GetAllPerformers,
  GetAllTimeTypes,
  GetAvailableDates,
  GetAvailableTimeslots,
} from '../../src/contracts/scheduling.ts';
import { callSoap, type EnvelopeOptions } from '../support/soap-client.ts';
import { DOCTOR, FACILITY, PATIENT } from '../support/test-calendar.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { asAgent, asPatient, availabilityRequest, bookOk, personnummer } from './consumer.ts';

/**
 * rivta-spec §6 must-have 4 (TKB-F §5.6): for an agent (ombud) the six search
 * operations must not base their selection on subject_of_care. The test
 * calendar's TT-UPP is offered only to returning patients, so a patient with
 * booking history is exactly where a leak would show.
 */
describe('searches made by an agent do not depend on the patient', () => {
  let t: TestApp;
  const returning = PATIENT;
  const newcomer = personnummer(2);
  before(async () => {
    t = await startTestApp();
    await bookOk(t.url, t.calendar.doctorSlots[0]!, returning);
  });
  after(() => t.close());

  /** Every answer of the six search operations for one subject_of_care, some with filters. */
  async function searches(subject: string, headers: EnvelopeOptions) {
    const call = async <T>(answer: Promise<{ status: number; response?: T; text: string }>) => {
      const a = await answer;
      assert.equal(a.status, 200, a.text.slice(0, 300));
      return a.response!;
    };
    const search = availabilityRequest(t.calendar.days, subject);
    // Each free slot echoes the subject_of_care asked about (the guide marks it mandatory):
    // that names the patient, it selects nothing, so it is left out of the comparison.
    const slotsOnly = <S extends { subject_of_care?: string }>(answer: { timeslotDetail: S[] }) => {
      assert.ok(answer.timeslotDetail.every((s) => s.subject_of_care === subject));
      return answer.timeslotDetail.map((s) => ({ ...s, subject_of_care: undefined }));
    };
    return {
      timeTypes: await call(
        callSoap(
          t.url,
          GetAllTimeTypes,
          { healthcare_facility: FACILITY, careTypeIDs: [], subject_of_care: subject },
          headers,
        ),
      ),
      timeTypesForCareType: await call(
        callSoap(
          t.url,
          GetAllTimeTypes,
          { healthcare_facility: FACILITY, careTypeIDs: ['CT-ALLM'], subject_of_care: subject },
          headers,
        ),
      ),
      dates: await call(callSoap(t.url, GetAvailableDates, search, headers)),
      timeslots: slotsOnly(await call(callSoap(t.url, GetAvailableTimeslots, search, headers))),
      followUpSlots: slotsOnly(
        await call(
          callSoap(t.url, GetAvailableTimeslots, { ...search, timeTypeID: 'TT-UPP' }, headers),
        ),
      ),
      performers: await call(
        callSoap(
          t.url,
          GetAllPerformers,
          {
            healthcare_facility: FACILITY,
            timeTypeIDs: [],
            careTypeIDs: [],
            subject_of_care: subject,
          },
          headers,
        ),
      ),
      followUpPerformers: await call(
        callSoap(
          t.url,
          GetAllPerformers,
          {
            healthcare_facility: FACILITY,
            timeTypeIDs: ['TT-UPP'],
            careTypeIDs: [],
            subject_of_care: subject,
          },
          headers,
        ),
      ),
      followUpCareTypes: await call(
        callSoap(
          t.url,
          GetAllCareTypes,
          {
            healthcare_facility: FACILITY,
            timeTypeIDs: ['TT-UPP'],
            performer: [],
            subject_of_care: subject,
          },
          headers,
        ),
      ),
      doctorCareTypes: await call(
        callSoap(
          t.url,
          GetAllCareTypes,
          {
            healthcare_facility: FACILITY,
            timeTypeIDs: [],
            performer: [DOCTOR],
            subject_of_care: subject,
          },
          headers,
        ),
      ),
      facilities: await call(
        callSoap(
          t.url,
          GetAllHealthcareFacilities,
          { healthcare_facility: FACILITY, subject_of_care: subject },
          headers,
        ),
      ),
    };
  }

  const hasFollowUp = (answers: Awaited<ReturnType<typeof searches>>) => ({
    timeType: answers.timeTypes.ListOfTimeTypes.some((x) => x.timeTypeId === 'TT-UPP'),
    slots: answers.timeslots.some((x) => x.timeTypeID === 'TT-UPP'),
    dates: answers.dates.performerAvailabilityByDate.some((x) => x.timeTypeID === 'TT-UPP'),
    performers: answers.followUpPerformers.performerInfos.map((p) => p.perfomer),
    careTypes: answers.followUpCareTypes.careTypes.map((c) => c.careTypeId),
  });

  it('lets booking history unlock the returning-patients time type for the patient acting for themself', async () => {
    assert.deepEqual(hasFollowUp(await searches(returning, asPatient(returning))), {
      timeType: true,
      slots: true,
      dates: true,
      performers: [DOCTOR],
      careTypes: ['CT-ALLM'],
    });
    assert.deepEqual(hasFollowUp(await searches(newcomer, asPatient(newcomer))), {
      timeType: false,
      slots: false,
      dates: false,
      performers: [],
      careTypes: [],
    });
  });

  it('does the same when the Actor header is absent', async () => {
    const { logicalAddress } = asPatient();
    assert.equal(hasFollowUp(await searches(returning, { logicalAddress })).timeType, true);
    assert.equal(hasFollowUp(await searches(newcomer, { logicalAddress })).timeType, false);
  });

  it('gives an agent identical answers on all six search operations for a returning patient and a newcomer', async () => {
    const forReturning = await searches(returning, asAgent());
    const forNewcomer = await searches(newcomer, asAgent());
    assert.deepEqual(forReturning, forNewcomer);
    assert.ok(forReturning.timeslots.length > 0, 'the agent does find slots');
    assert.ok(forReturning.facilities.healthcareFacilityInfos.length > 0);
    assert.deepEqual(
      hasFollowUp(forReturning),
      { timeType: false, slots: false, dates: false, performers: [], careTypes: [] },
      'an agent sees only what every patient may book',
    );
  });

  it("gives an agent the answers that do not depend on anyone's history", async () => {
    assert.deepEqual(
      await searches(returning, asAgent()),
      await searches(newcomer, asPatient(newcomer)),
    );
  });
});
