/**
 * `TIDBOK_WORKERS=2` (issue 18): the real start command forks two worker
 * processes that share one port, on a SQLite file and on PostgreSQL. The
 * guarantees of one process must hold across the two: one booking per slot
 * whichever worker answers, one EI Update per booking, no worker offering a
 * slot another has just booked, a dead worker replaced, and SIGTERM draining
 * them all to exit 0.
 *
 * Which worker answered is read from the request log lines (each carries
 * its worker's index); requests go many at once, each on a new connection,
 * so the primary's round-robin hands them to both workers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { startEiSimulator, type EiSimulator } from '../../src/dev/ei-simulator.ts';
import type { CalendarStore } from '../../src/store/calendar-store.ts';
import { createOutboxStore, createStore } from '../../src/store/create-store.ts';
import { EI_CHANNEL } from '../../src/channels/engagement-index/engagement-mapping.ts';
import { GetAvailableTimeslots, MakeBooking } from '../../src/contracts/scheduling.ts';
import type { Timeslot } from '../../src/domain/types.ts';
import {
  asPatient,
  availabilityRequest,
  makeBookingRequest,
  moveBooking,
  personnummer,
} from '../conformance/consumer.ts';
import { callSoap, postSoapOnNewConnection } from './soap-client.ts';
import { acceptedTransactions, assertEveryCallConforms, waitFor } from './ei-checks.ts';
import { killProducer, startProducer, type Producer } from './producer-process.ts';
import { PRODUCER_HSA_ID, TEST_EI_CONFIG } from './test-app.ts';
import { seedTestCalendar, type SeededCalendar } from './test-calendar.ts';

const SEARCHER = personnummer(90);
/** Requests sent at once: enough connections that round-robin reaches both workers. */
const PARALLEL = 12;

interface LogLine {
  readonly msg?: string;
  readonly worker?: number;
  readonly operation?: string;
  readonly pid?: number;
}

/** The JSON log lines written so far (the banner and other text skipped). */
function logLines(producer: Producer): LogLine[] {
  return producer
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

/** The workers that logged a request of `operation`, among the log lines from `from` on. */
function workersAnswering(producer: Producer, operation: string, from: number): number[] {
  const workers = logLines(producer)
    .slice(from)
    .filter((l) => l.msg === 'soap request' && l.operation === operation)
    .map((l) => l.worker!);
  return [...new Set(workers)].sort();
}

/**
 * Where the lines of requests made from now on begin: after the lines of
 * earlier requests, which reach the log up to a second late.
 */
async function logMark(producer: Producer): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  return logLines(producer).length;
}

/** Waits for both workers' log lines of `operation` (a line reaches the log up to a second late). */
async function assertBothAnswered(producer: Producer, operation: string, from: number) {
  await waitFor(
    `both workers log ${operation}: ${workersAnswering(producer, operation, from).join(',')}`,
    () => workersAnswering(producer, operation, from).length === 2,
    10_000,
  );
}

/** MakeBooking over a connection of its own, so round-robin spreads the calls. */
const book = (url: string, slot: Timeslot, subject: string) =>
  callSoap(
    url,
    MakeBooking,
    makeBookingRequest(slot, subject),
    asPatient(subject, slot.facility),
    postSoapOnNewConnection,
  );

/** @param storeUrl - the store to run on, given a fresh directory */
export function describeWorkers(kind: string, storeUrl: (dir: string) => Promise<string>): void {
  let dir: string;
  let url: string;
  let store: CalendarStore;
  let calendar: SeededCalendar;
  let ei: EiSimulator;
  let producer: Producer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-workers-'));
    url = await storeUrl(dir);
    store = createStore(url);
    calendar = await seedTestCalendar(store);
    ei = await startEiSimulator({ hsaId: TEST_EI_CONFIG.logicalAddress });
    producer = await startProducer(
      url,
      {
        TIDBOK_WORKERS: '2',
        TIDBOK_PLAIN_HTTP: 'true',
        LOG_LEVEL: 'info',
        EI_URL: ei.url,
        EI_SOURCE_SYSTEM: PRODUCER_HSA_ID,
        EI_DATA_CONTROLLER: TEST_EI_CONFIG.dataController,
        EI_LOGICAL_ADDRESS: TEST_EI_CONFIG.logicalAddress,
      },
      120_000,
    );
  });
  after(async () => {
    if (producer) await killProducer(producer, 'SIGKILL');
    await ei?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** For each of many searches at once, each on a new connection: whether it offers the slot. */
  const offers = async (slotId: string) => {
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        callSoap(
          producer.url,
          GetAvailableTimeslots,
          availabilityRequest(calendar.days, SEARCHER),
          asPatient(SEARCHER),
          postSoapOnNewConnection,
        ),
      ),
    );
    return answers.map((answer) => {
      assert.equal(answer.status, 200, answer.text.slice(0, 300));
      return answer.response!.timeslotDetail.some((s) => s.bookingId === slotId);
    });
  };

  void it(`${kind}: gives one of many concurrent MakeBooking calls for one slot, through both workers, and EI one Update`, async () => {
    const from = await logMark(producer);
    const slot = calendar.doctorSlots[0]!;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => book(producer.url, slot, personnummer(200 + i))),
    );
    for (const answer of answers) assert.equal(answer.status, 200, answer.text.slice(0, 300));
    const ok = answers.filter((a) => a.response!.resultCode === 'OK');
    assert.equal(ok.length, 1, 'exactly one OK');
    const refused = answers.filter((a) => a.response!.resultCode === 'ERROR');
    assert.equal(refused.length, 19, 'every other call refused');
    for (const answer of refused) assert.match(answer.response!.resultText ?? '', /bokad/i);
    await assertBothAnswered(producer, 'MakeBooking', from);

    const bookingId = ok[0]!.response!.bookingId;
    const holder = await store.findActiveBookingOnSlot(slot.id);
    assert.equal(holder?.id, bookingId, 'the confirmed booking holds the slot');
    assert.equal((await store.stats()).activeBookings, 1, 'one active booking in the database');

    await waitFor('the Update at EI', () =>
      acceptedTransactions(ei).some(
        (t) => t.engagement.businessObjectInstanceIdentifier === bookingId,
      ),
    );
    const outbox = createOutboxStore(store);
    await waitFor('the outbox settled', async () => {
      const status = await outbox.status(EI_CHANNEL);
      return status.pending === 0 && status.inFlight === 0;
    });
    const sent = acceptedTransactions(ei).filter(
      (t) => t.engagement.businessObjectInstanceIdentifier === bookingId,
    );
    assert.equal(sent.length, 1, 'one Update for the booking, by one worker');
    assert.deepEqual(ei.overlappingKeys, [], 'no two calls for one key at once');
    assertEveryCallConforms(ei);
  });

  void it(`${kind}: no worker offers a slot once its booking was answered OK, and every worker offers it once moved away`, async () => {
    const taken = calendar.doctorSlots[1]!;
    const moveTo = calendar.doctorSlots[2]!;
    // Every worker has the answer cached that offers the slot.
    let from = await logMark(producer);
    assert.ok((await offers(taken.id)).every(Boolean), 'offered before');
    await assertBothAnswered(producer, 'GetAvailableTimeslots', from);

    const patient = personnummer(300);
    const booked = await book(producer.url, taken, patient);
    assert.equal(booked.response?.resultCode, 'OK', booked.response?.resultText);
    from = await logMark(producer);
    assert.ok(!(await offers(taken.id)).some(Boolean), 'no worker offers the taken slot');
    await assertBothAnswered(producer, 'GetAvailableTimeslots', from);

    const moved = await moveBooking(producer.url, booked.response!.bookingId!, moveTo, patient);
    assert.equal(moved.response?.resultCode, 'OK', moved.response?.resultText);
    from = await logMark(producer);
    assert.ok((await offers(taken.id)).every(Boolean), 'every worker offers the freed slot');
    assert.ok(!(await offers(moveTo.id)).some(Boolean), 'no worker offers the new slot');
    await assertBothAnswered(producer, 'GetAvailableTimeslots', from);
  });

  void it(`${kind}: replaces a worker that dies, which then serves again`, async () => {
    const banner = /pids (\d+), (\d+)\)/.exec(producer.output());
    assert.ok(banner, 'the banner names the workers');
    const victim = Number(banner[1]);
    process.kill(victim, 'SIGKILL');
    await waitFor(
      'a replacement worker',
      () => logLines(producer).some((l) => l.msg === 'worker replaced'),
      90_000,
    );
    const replacement = logLines(producer).find((l) => l.msg === 'worker replaced')!;
    assert.notEqual(replacement.pid, victim);
    const from = await logMark(producer);
    assert.ok((await offers(calendar.doctorSlots[3]!.id)).every(Boolean));
    await assertBothAnswered(producer, 'GetAvailableTimeslots', from);
  });

  void it(`${kind}: stops every worker on SIGTERM and exits 0`, async () => {
    producer.child.kill('SIGTERM');
    await producer.exited;
    assert.equal(producer.child.exitCode, 0, producer.output().slice(-2000));
    const stopped = new Set(
      logLines(producer)
        .filter((l) => l.msg === 'shut down')
        .map((l) => l.worker),
    );
    assert.deepEqual([...stopped].sort(), [0, 1], 'both workers drained and closed their stores');
  });
}
