/**
 * Durability across a crash, for Kivra: the real producer (`src/main.ts`)
 * with `KIVRA_*` set is killed with SIGKILL after a booking committed but
 * before Kivra answered, and started again on the same SQLite file. The
 * letter reaches Kivra once, and the resend carries the first attempt's bytes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startKivraSimulator, type KivraSimulator } from '../../src/dev/kivra-simulator.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-calendar-store.ts';
import { soapMakeBooking } from '../support/booking-calls.ts';
import { waitFor } from '../support/ei-checks.ts';
import {
  killProducer,
  outboxRows,
  startProducer,
  type Producer,
} from '../support/producer-process.ts';
import { PATIENT, seedTestCalendar, type SeededCalendar } from '../support/test-calendar.ts';

describe('a producer killed between the booking commit and Kivra’s answer', () => {
  let dir: string;
  let databasePath: string;
  let calendar: SeededCalendar;
  let kivra: KivraSimulator;
  const producers: Producer[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-kivra-crash-'));
    databasePath = join(dir, 'tidbok.db');
    const store = openSqliteStore(databasePath);
    calendar = await seedTestCalendar(store);
    await store.close();
    kivra = await startKivraSimulator();
  });

  afterEach(async () => {
    for (const p of producers.splice(0)) await killProducer(p, 'SIGKILL');
    await kivra.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const producer = await startProducer(databasePath, {
      KIVRA_URL: kivra.url,
      KIVRA_CLIENT_ID: kivra.clientId,
      KIVRA_CLIENT_SECRET: kivra.clientSecret,
      KIVRA_TENANT_KEY: kivra.tenantKey,
      // A live process gives a stuck call 3 s (the test kills it well before); a dead one's claim lapses after 9.5 s.
      KIVRA_TIMEOUT_MS: '3000',
      KIVRA_LEASE_MS: '9500',
    });
    producers.push(producer);
    return producer;
  };

  it('delivers the letter once after a restart, with the bytes of the first attempt', async () => {
    kivra.failNext(1, { kind: 'hang' });
    const first = await start();
    await soapMakeBooking(first.url, calendar.doctorSlots[0]!);
    const contentCalls = () => kivra.requests.filter((r) => r.endpoint === 'content');
    await waitFor('the letter in flight at Kivra', () => contentCalls().length === 1);
    assert.deepEqual(
      outboxRows(databasePath, 'kivra').map((r) => r.status),
      ['in_flight'],
      'committed with its outbox row, claimed, not yet answered',
    );
    await killProducer(first, 'SIGKILL');
    assert.equal(kivra.contents.length, 0, 'Kivra has nothing yet');

    const second = await start();
    await waitFor('the letter at Kivra', () => kivra.contents.length === 1, 30_000);
    const [hung, accepted, ...more] = contentCalls();
    assert.equal(more.length, 0, 'one resend, no duplicate');
    assert.equal(hung!.status, 0);
    assert.equal(accepted!.status, 201);
    assert.equal(accepted!.body, hung!.body, 'the resend is byte for byte the first attempt');
    assert.equal(kivra.contents[0]!.content['ssn'], PATIENT);
    await waitFor('the restarted producer settled it', () =>
      outboxRows(databasePath, 'kivra').every((r) => r.status === 'delivered'),
    );
    const [row] = outboxRows(databasePath, 'kivra');
    assert.equal(row!.attempts, 2);
    assert.deepEqual(JSON.parse(row!.receipt!), {
      'kivra-objkey': kivra.contents[0]!.objkey,
      'x-correlation-id': kivra.contents[0]!.correlationId,
    });
    await killProducer(second, 'SIGTERM');
  });
});
