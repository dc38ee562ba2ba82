/**
 * Reference data kept per calendar version (issue 18): an instance answers
 * GetBookingDetails and GetSubjectOfCareSchedule with the names of time
 * types and performers from its cache, and a change made by another process
 * on the same database (an import renaming a time type and a performer)
 * must show in that instance's very next answer. On PostgreSQL and on a
 * shared SQLite file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetBookingDetails, GetSubjectOfCareSchedule } from '../../src/contracts/scheduling.ts';
import type { CalendarStore } from '../../src/store/calendar-store.ts';
import { openPostgresStore } from '../../src/store/postgres/postgres-calendar-store.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-calendar-store.ts';
import { asPatient, bookOk, personnummer } from '../conformance/consumer.ts';
import { startChild, type RunningChild } from '../support/child-process.ts';
import { describePostgres, freshSchemaUrl } from '../support/postgres.ts';
import { callSoap } from '../support/soap-client.ts';
import { DOCTOR, FACILITY, seedTestCalendar } from '../support/test-calendar.ts';

const PATIENT = personnummer(77);

/** Instance A in a process of its own on `storeUrl`; the test's own store plays the importing process B. */
function referenceDataFreshness(open: () => Promise<{ url: string; store: CalendarStore }>) {
  let store: CalendarStore;
  let instance: RunningChild;
  let url: string;
  let bookingId: string;

  before(async () => {
    const opened = await open();
    store = opened.store;
    const calendar = await seedTestCalendar(store);
    instance = await startChild('../support/app-process.ts', {
      TIDBOK_TEST_STORE_URL: opened.url,
    });
    url = instance.firstLine.replace(/^listening /, '');
    bookingId = await bookOk(url, calendar.doctorSlots[0]!, PATIENT);
  });
  after(async () => {
    await instance?.stop();
    await store?.close();
  });

  const details = async () => {
    const answer = await callSoap(
      url,
      GetBookingDetails,
      { healthcare_facility: FACILITY, bookingId },
      asPatient(PATIENT, FACILITY),
    );
    assert.equal(answer.status, 200);
    return answer.response!.timeslotDetail;
  };
  const schedule = async () => {
    const answer = await callSoap(
      url,
      GetSubjectOfCareSchedule,
      { healthcare_facility: FACILITY, subject_of_care: PATIENT },
      asPatient(PATIENT, FACILITY),
    );
    assert.equal(answer.status, 200);
    return answer.response!.timeslotDetail;
  };

  it("shows a time type and performer renamed by another process in the instance's next answer", async () => {
    const timeType = (await store.listTimeTypes(FACILITY)).find((t) => t.id === 'TT-LAK')!;
    const doctor = (await store.listPerformers(FACILITY)).find((p) => p.hsaId === DOCTOR)!;
    // Twice, so that the second answer comes from the instance's cache.
    for (let i = 0; i < 2; i++) {
      assert.equal((await details()).timeTypeName, timeType.name);
      assert.equal((await schedule())[0]!.timeTypeName, timeType.name);
    }
    const before = (await details()).performerName;

    await store.transaction(async (tx) => {
      await tx.upsertTimeType({ ...timeType, name: 'Läkarbesök (nytt namn)' });
      await tx.upsertPerformer({ ...doctor, lastName: 'Nyberg' });
    });

    const shown = await details();
    assert.equal(shown.timeTypeName, 'Läkarbesök (nytt namn)');
    assert.notEqual(shown.performerName, before);
    assert.match(shown.performerName ?? '', /Nyberg$/);
    const [first] = await schedule();
    assert.equal(first!.timeTypeName, 'Läkarbesök (nytt namn)');
    assert.match(first!.performerName ?? '', /Nyberg$/);
  });
}

describePostgres('reference data across instances on one PostgreSQL database', (serverUrl) => {
  referenceDataFreshness(async () => {
    const url = await freshSchemaUrl(serverUrl);
    return { url, store: openPostgresStore(url) };
  });
});

describe('reference data across processes on one SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidbok-reference-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  referenceDataFreshness(async () => {
    const file = join(dir, 'calendar.db');
    return { url: file, store: openSqliteStore(file) };
  });
});
