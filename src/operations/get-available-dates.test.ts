import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetAvailableDates } from '../contracts/scheduling.ts';
import { addDays, instantToDt, tsToInstant } from '../domain/local-time.ts';
import { MAX_TIMESLOTS_PER_ANSWER } from '../domain/scheduling-service.ts';
import { callSoap } from '../../test/support/soap-client.ts';
import { FACILITY, PATIENT } from '../../test/support/test-calendar.ts';
import { startTestApp, type TestApp } from '../../test/support/test-app.ts';

describe('GetAvailableDates over a wide range', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('finds a date beyond the first timeslot answer cap of free slots', async () => {
    // Fill the next days with more slots than one timeslot answer carries, then one far-off slot.
    const today = instantToDt(Date.now());
    await t.app.store.transaction(async (tx) => {
      let n = 0;
      for (let day = 10; n <= MAX_TIMESLOTS_PER_ANSWER; day++)
        for (let minute = 0; minute < 600 && n <= MAX_TIMESLOTS_PER_ANSWER; minute += 5, n++) {
          const date = addDays(today, day);
          const hh = String(8 + Math.floor(minute / 60)).padStart(2, '0');
          const mm = String(minute % 60).padStart(2, '0');
          const start = `${date}${hh}${mm}00`;
          const utcMs = tsToInstant(start)!;
          await tx.upsertTimeslot({
            id: `bulk-${n}`,
            facility: FACILITY,
            start: { ts: start, utcMs },
            end: { ts: start.slice(0, 12) + '59', utcMs: utcMs + 59_000 },
            timeTypeId: 'TT-LAK',
          });
        }
      const far = addDays(today, 200);
      await tx.upsertTimeslot({
        id: 'far',
        facility: FACILITY,
        start: { ts: `${far}100000`, utcMs: tsToInstant(`${far}100000`)! },
        end: { ts: `${far}102000`, utcMs: tsToInstant(`${far}102000`)! },
        timeTypeId: 'TT-LAK',
      });
    });
    const answer = await callSoap(
      t.url,
      GetAvailableDates,
      {
        healthcare_facility: FACILITY,
        startDateInclusive: addDays(today, 1),
        endDateInclusive: addDays(today, 300),
        performer: [],
        timeTypeID: 'TT-LAK',
        subject_of_care: PATIENT,
      },
      { logicalAddress: FACILITY },
    );
    const dates = answer.response!.performerAvailabilityByDate.map((d) => d.date);
    assert.ok(dates.includes(addDays(today, 200)), 'the far-off date is listed');
  });
});
