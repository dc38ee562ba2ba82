/**
 * A producer instance whose PostgreSQL sessions are terminated during a
 * booking burst (what a failover, a server restart or
 * `idle_session_timeout` does): the lost connections fail only their own
 * transactions, and the instance goes on serving (issue 19, item 2).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres/postgres-calendar-store.ts';
import type { PostgresCalendarStore } from '../../src/store/postgres/postgres-calendar-store.ts';
import { startChild, type RunningChild } from '../support/child-process.ts';
import { describePostgres, freshSchemaUrl } from '../support/postgres.ts';
import { callMakeBooking } from '../support/booking-calls.ts';
import { assertFault } from '../support/soap-client.ts';
import { seedTestCalendar } from '../support/test-calendar.ts';
import type { SeededCalendar } from '../support/test-calendar.ts';

/** Distinct valid 12-digit patient ids. */
const patients = Array.from(
  { length: 120 },
  (_, i) =>
    `19${String(50 + (i % 40))}${String((i % 12) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}${String(2000 + i)}`,
);

describePostgres('a producer instance whose database sessions are terminated', (serverUrl) => {
  // The instance's sessions carry a name of their own, so that terminating
  // them leaves the other test files' sessions on the same server alone.
  const applicationName = `tidbok-terminated-${randomBytes(4).toString('hex')}`;
  let store: PostgresCalendarStore;
  let admin: pg.Client;
  let calendar: SeededCalendar;
  let instance: RunningChild;
  let url: string;

  before(async () => {
    const schemaUrl = await freshSchemaUrl(serverUrl);
    store = openPostgresStore(schemaUrl);
    calendar = await seedTestCalendar(store);
    admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    instance = await startChild('./app-process.ts', {
      TIDBOK_TEST_STORE_URL: `${schemaUrl}&application_name=${applicationName}`,
    });
    url = instance.firstLine.replace(/^listening /, '');
  });
  after(async () => {
    await instance.stop();
    await admin.end();
    await store.close();
  });

  const terminateSessions = async (): Promise<number> => {
    const result = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE application_name = $1 AND pid <> pg_backend_pid()`,
      [applicationName],
    );
    return result.rowCount ?? 0;
  };

  const book = (slotIndex: number, patient: string) => {
    const slot = calendar.doctorSlots[slotIndex % calendar.doctorSlots.length]!;
    return callMakeBooking(url, slot, patient).catch((error: unknown) => ({
      networkError: String(error),
    }));
  };

  void it('fails only the transactions whose session was lost, and keeps serving', async () => {
    let terminated = 0;
    let bursting = true;
    const burst = Promise.all(patients.map((patient, i) => book(i, patient))).finally(
      () => (bursting = false),
    );
    // Terminate the instance's sessions again and again while the burst runs.
    while (bursting) {
      terminated += await terminateSessions();
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    const answers = await burst;
    assert.ok(terminated > 0, 'sessions were terminated during the burst');

    assert.equal(instance.child.exitCode, null, `the instance is alive: ${instance.stderr()}`);
    for (const answer of answers) {
      assert.ok(!('networkError' in answer), `every call is answered: ${JSON.stringify(answer)}`);
      if (answer.status !== 200) assertFault(answer, 'Server');
    }
    // Every OK is a booking the database holds: nothing confirmed was lost.
    for (const answer of answers) {
      if (!('response' in answer) || answer.response?.resultCode !== 'OK') continue;
      const stored = await store.getBooking(answer.response.bookingId!);
      assert.equal(stored?.status, 'active', 'a confirmed booking is stored');
    }
    // One slot, one active booking: the guard held through the lost connections.
    const active = await Promise.all(
      calendar.doctorSlots.map((slot) => store.findActiveBookingOnSlot(slot.id)),
    );
    const oks = answers.filter((a) => 'response' in a && a.response?.resultCode === 'OK');
    assert.ok(
      oks.length <= active.filter((b) => b !== undefined).length,
      'no more confirmations than bookings held',
    );

    // And the instance serves as before, on fresh connections.
    const after = await book(calendar.doctorSlots.length - 1, '197001019876');
    assert.ok('status' in after && after.status === 200, JSON.stringify(after));
  });
});
