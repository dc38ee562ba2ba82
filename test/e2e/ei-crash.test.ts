/**
 * Durability across a crash: the real producer (`src/main.ts`) runs as a
 * child process on a SQLite file, is killed with SIGKILL after a booking
 * committed but before EI confirmed its Update, and is started again on the
 * same file. The Update must still reach EI (transactional outbox, leases;
 * rivta-spec §4 "resend until the call succeeds").
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startEiSimulator, type EiSimulator } from '../../src/dev/ei-simulator.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-calendar-store.ts';
import { soapMakeBooking } from '../support/booking-calls.ts';
import { acceptedTransactions, assertEveryCallConforms, waitFor } from '../support/ei-checks.ts';
import {
  FACILITY,
  PATIENT,
  seedTestCalendar,
  type SeededCalendar,
} from '../support/test-calendar.ts';
import { PRODUCER_HSA_ID, TEST_EI_CONFIG } from '../support/test-app.ts';
import {
  killProducer,
  outboxRows as eiRows,
  startProducer,
  type Producer,
} from '../support/producer-process.ts';
import { EI_CHANNEL } from '../../src/channels/engagement-index/engagement-mapping.ts';

/** The EI settings of every producer here. */
const eiEnv = (eiUrl: string) => ({
  EI_URL: eiUrl,
  EI_SOURCE_SYSTEM: PRODUCER_HSA_ID,
  EI_DATA_CONTROLLER: TEST_EI_CONFIG.dataController,
  EI_LOGICAL_ADDRESS: TEST_EI_CONFIG.logicalAddress,
  // A stuck call is given up after 2 s by a live process; a dead one's claim lapses after 3 s.
  EI_TIMEOUT_MS: '2000',
  EI_LEASE_MS: '3000',
});

const outboxRows = (path: string) => eiRows(path, EI_CHANNEL);

describe('a producer killed between the booking commit and EI’s answer', () => {
  let dir: string;
  let databasePath: string;
  let calendar: SeededCalendar;
  const producers: Producer[] = [];
  const simulators: EiSimulator[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-crash-'));
    databasePath = join(dir, 'tidbok.db');
    const store = openSqliteStore(databasePath);
    calendar = await seedTestCalendar(store);
    await store.close();
  });

  afterEach(async () => {
    for (const p of producers.splice(0)) await killProducer(p, 'SIGKILL');
    for (const s of simulators.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const simulator = async (port?: number) => {
    const sim = await startEiSimulator({
      hsaId: TEST_EI_CONFIG.logicalAddress,
      ...(port === undefined ? {} : { port }),
    });
    simulators.push(sim);
    return sim;
  };

  const start = async (eiUrl: string) => {
    const producer = await startProducer(databasePath, eiEnv(eiUrl));
    producers.push(producer);
    return producer;
  };

  it('delivers the Update after a restart when the process died with the call in flight', async () => {
    const ei = await simulator();
    ei.failNext(1, 'hang');
    const first = await start(ei.url);

    const bookingId = await soapMakeBooking(first.url, calendar.doctorSlots[0]!);
    await waitFor('the Update in flight at EI', () => ei.calls.length === 1);
    assert.deepEqual(
      outboxRows(databasePath).map((r) => r.status),
      ['in_flight'],
      'committed with its outbox row, claimed, not yet confirmed',
    );
    await killProducer(first, 'SIGKILL');
    assert.deepEqual(ei.findContent(PATIENT), [], 'EI has nothing yet');

    const second = await start(ei.url);
    await waitFor('the booking in EI', () => ei.findContent(PATIENT).length === 1, 20_000);

    const [held] = ei.findContent(PATIENT, 'riv:crm:scheduling');
    assert.equal(held!.businessObjectInstanceIdentifier, bookingId);
    assert.equal(held!.logicalAddress, FACILITY);
    assert.equal(held!.mostRecentContent, calendar.doctorSlots[0]!.start.ts);
    assert.deepEqual(
      ei.calls.map((c) => c.outcome),
      ['injected hang', 'OK'],
      'the stuck call, then the one resend',
    );
    assert.equal(ei.calls[1]!.transactions[0]!.key, ei.calls[0]!.transactions[0]!.key);
    assert.equal(acceptedTransactions(ei).length, 1);
    assert.deepEqual(ei.overlappingKeys, [], 'the resend did not overlap the dead call');
    await waitFor('the restarted producer settled it', () =>
      outboxRows(databasePath).every((r) => r.status === 'delivered'),
    );
    assert.equal(outboxRows(databasePath)[0]!.attempts, 2);
    assertEveryCallConforms(ei);
    await killProducer(second, 'SIGTERM');
  });

  it('delivers the Update after a restart when the process died before EI could be reached', async () => {
    // EI is down: its port is known but nothing listens there.
    const gone = await simulator();
    const port = Number(new URL(gone.url).port);
    await gone.close();
    simulators.pop();
    const first = await start(gone.url);

    const bookingId = await soapMakeBooking(first.url, calendar.doctorSlots[1]!);
    assert.equal(outboxRows(databasePath).length, 1, 'the Update was queued with the booking');
    await killProducer(first, 'SIGKILL');
    assert.notEqual(outboxRows(databasePath)[0]!.status, 'delivered');

    const ei = await simulator(port);
    const second = await start(ei.url);
    await waitFor('the booking in EI', () => ei.findContent(PATIENT).length === 1, 20_000);
    assert.equal(ei.findContent(PATIENT)[0]!.businessObjectInstanceIdentifier, bookingId);
    assert.equal(acceptedTransactions(ei).length, 1);
    assertEveryCallConforms(ei);
    await killProducer(second, 'SIGTERM');
  });
});
