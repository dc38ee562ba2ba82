/**
 * Two producer processes on one PostgreSQL database, as behind a load
 * balancer: the double-booking guard must hold between them exactly as it
 * does inside one.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { openPostgresStore } from '../../src/store/postgres/postgres-calendar-store.ts';
import type { PostgresCalendarStore } from '../../src/store/postgres/postgres-calendar-store.ts';
import { startChild, type RunningChild } from '../support/child-process.ts';
import { describePostgres, freshSchemaUrl } from '../support/postgres.ts';
import { callMakeBooking } from '../support/booking-calls.ts';
import { seedTestCalendar } from '../support/test-calendar.ts';
import type { SeededCalendar } from '../support/test-calendar.ts';

/** 200 distinct patients: valid 12-digit ids with real birth dates (the check digit is not verified). */
const patients = Array.from(
  { length: 200 },
  (_, i) =>
    `19${String(50 + (i % 40))}${String((i % 12) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}${String(1000 + i)}`,
);

describePostgres('two producer processes on one PostgreSQL database', (serverUrl) => {
  let store: PostgresCalendarStore;
  let calendar: SeededCalendar;
  const instances: RunningChild[] = [];

  before(async () => {
    const url = await freshSchemaUrl(serverUrl);
    store = openPostgresStore(url);
    calendar = await seedTestCalendar(store);
    for (let i = 0; i < 2; i++)
      instances.push(await startChild('./app-process.ts', { TIDBOK_TEST_STORE_URL: url }));
  });
  after(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await store.close();
  });

  void it('gives exactly one of 200 parallel MakeBooking calls spread over both the slot, and stores one booking', async () => {
    const urls = instances.map((instance) => instance.firstLine.replace(/^listening /, ''));
    assert.equal(new Set(urls).size, 2, 'two instances on two ports');
    const slot = calendar.doctorSlots[2]!;
    const answers = await Promise.all(
      patients.map((patient, i) => callMakeBooking(urls[i % 2]!, slot, patient)),
    );
    assert.ok(
      answers.every((a) => a.status === 200),
      `every call is answered without a fault: ${answers.find((a) => a.status !== 200)?.text ?? ''}`,
    );
    const ok = answers.filter((a) => a.response!.resultCode === 'OK');
    assert.equal(ok.length, 1, 'exactly one OK');
    assert.equal(answers.filter((a) => a.response!.resultCode === 'ERROR').length, 199);
    const holder = await store.findActiveBookingOnSlot(slot.id);
    assert.equal(holder?.id, ok[0]!.response!.bookingId, 'the confirmed booking holds the slot');
    assert.equal((await store.stats()).activeBookings, 1, 'one active booking row in the database');
  });
});
