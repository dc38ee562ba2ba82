/**
 * Durability across a crash: the real producer (`src/main.ts`) runs as a
 * child process on a SQLite file, is killed with SIGKILL after a booking
 * committed but before EI confirmed its Update, and is started again on the
 * same file. The Update must still reach EI (transactional outbox, leases;
 * rivta-spec §4 "resend until the call succeeds").
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
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

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

interface Producer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<void>;
}

/** Starts `src/main.ts` as `npm start` would, on the given database and EI, and waits for its URL. */
async function startProducer(databasePath: string, eiUrl: string): Promise<Producer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATABASE_URL: databasePath,
      TIDBOK_SEED: 'none',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      EI_URL: eiUrl,
      EI_SOURCE_SYSTEM: PRODUCER_HSA_ID,
      EI_DATA_CONTROLLER: TEST_EI_CONFIG.dataController,
      EI_LOGICAL_ADDRESS: TEST_EI_CONFIG.logicalAddress,
      // A stuck call is given up after 2 s by a live process; a dead one's claim lapses after 3 s.
      EI_TIMEOUT_MS: '2000',
      EI_LEASE_MS: '3000',
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`producer did not start:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /serving crm:scheduling 1\.1 on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`producer exited with ${code}:\n${output}`));
    });
  });
  return { child, url, exited };
}

async function kill(producer: Producer, signal: NodeJS.Signals): Promise<void> {
  if (producer.child.exitCode === null && producer.child.signalCode === null)
    producer.child.kill(signal);
  await producer.exited;
}

/** The outbox rows as the database file holds them, read without the store (no migration, no lock). */
function outboxRows(path: string): { status: string; attempts: number }[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT status, attempts FROM outbox ORDER BY id').all() as {
      status: string;
      attempts: number;
    }[];
  } finally {
    db.close();
  }
}

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
    for (const p of producers.splice(0)) await kill(p, 'SIGKILL');
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
    const producer = await startProducer(databasePath, eiUrl);
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
    await kill(first, 'SIGKILL');
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
    await kill(second, 'SIGTERM');
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
    await kill(first, 'SIGKILL');
    assert.notEqual(outboxRows(databasePath)[0]!.status, 'delivered');

    const ei = await simulator(port);
    const second = await start(ei.url);
    await waitFor('the booking in EI', () => ei.findContent(PATIENT).length === 1, 20_000);
    assert.equal(ei.findContent(PATIENT)[0]!.businessObjectInstanceIdentifier, bookingId);
    assert.equal(acceptedTransactions(ei).length, 1);
    assertEveryCallConforms(ei);
    await kill(second, 'SIGTERM');
  });
});
