/**
 * Durability across a crash for the FHIR portal: the real producer
 * (`src/main.ts`) runs as a child process on a SQLite file, is killed with
 * SIGKILL after a booking committed but before the portal answered its PUT,
 * and is started again on the same file. The Appointment must still arrive,
 * once (transactional outbox, leases).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { startFhirSimulator } from '../../src/dev/fhir-simulator.ts';
import type { FhirSimulator } from '../../src/dev/fhir-simulator.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-calendar-store.ts';
import { soapMakeBooking } from '../support/booking-calls.ts';
import { startChildServer } from '../support/child-server.ts';
import type { ChildServer } from '../support/child-server.ts';
import { seedTestCalendar } from '../support/test-calendar.ts';
import type { SeededCalendar } from '../support/test-calendar.ts';
import { assertValidFhir } from './fhir-r4-schema.ts';

async function waitFor(what: string, condition: () => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The portal's outbox rows as the database file holds them, read without the store. */
function portalRows(path: string): { status: string; attempts: number }[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare("SELECT status, attempts FROM outbox WHERE channel = 'fhir-portal' ORDER BY id")
      .all() as { status: string; attempts: number }[];
  } finally {
    db.close();
  }
}

describe('a producer killed between the booking commit and the portal’s answer', () => {
  let dir: string;
  let databasePath: string;
  let calendar: SeededCalendar;
  let sim: FhirSimulator;
  const producers: ChildServer[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-fhir-crash-'));
    databasePath = join(dir, 'tidbok.db');
    const store = openSqliteStore(databasePath);
    calendar = await seedTestCalendar(store);
    await store.close();
    sim = await startFhirSimulator();
  });

  afterEach(async () => {
    for (const p of producers.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await p.exited;
    }
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const producer = await startChildServer({
      DATABASE_URL: databasePath,
      TIDBOK_SEED: 'none',
      LOG_LEVEL: 'warn',
      SPREEKUUR_URL: sim.baseUrl,
      SPREEKUUR_TOKEN_URL: sim.tokenUrl,
      SPREEKUUR_CLIENT_ID: sim.clientId,
      SPREEKUUR_CLIENT_SECRET: sim.clientSecret,
      SPREEKUUR_ORGANIZATION: sim.organization,
      // A stuck PUT is given up after 1 s by a live process; a dead one's claim lapses after 7 s.
      SPREEKUUR_TIMEOUT_MS: '1000',
    });
    producers.push(producer);
    return producer;
  };

  it('delivers the Appointment after a restart when the process died with the PUT in flight', async () => {
    sim.failNext(1, 'hang');
    const first = await start();
    const bookingId = await soapMakeBooking(first.url, calendar.doctorSlots[0]!);
    const path = `/Appointment/${bookingId}`;
    await waitFor('the PUT in flight at the portal', () =>
      sim.received.some((r) => r.path === path),
    );
    assert.deepEqual(
      portalRows(databasePath).map((r) => r.status),
      ['in_flight'],
      'committed with its outbox row, claimed, not yet confirmed',
    );
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal(sim.appointments().has(bookingId), false, 'the portal has nothing yet');

    await start();
    await waitFor('the Appointment at the portal', () => sim.appointments().has(bookingId));
    const puts = sim.received.filter((r) => r.path === path);
    assert.deepEqual(
      puts.map((r) => r.outcome ?? r.status),
      ['hang', 200],
      'the stuck PUT, then the one resend',
    );
    assert.equal(puts[1]!.body, puts[0]!.body, 'the resend is the same bytes');
    assertValidFhir(puts[1]!.body);
    await waitFor('the restarted producer settled it', () =>
      portalRows(databasePath).every((r) => r.status === 'delivered'),
    );
    assert.deepEqual(sim.notices, [{ kind: 'new', id: bookingId }]);
  });
});
