/**
 * The outbox dispatcher delivering to the EI simulator through the real
 * channel, on the SQLite outbox: at-least-once delivery, per-key order, one
 * call in flight per key, dead letters, batching.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { EiSimulator } from '../../src/dev/ei-simulator.ts';
import { startEiSimulator } from '../../src/dev/ei-simulator.ts';
import { EngagementIndexChannel } from '../../src/channels/engagement-index/engagement-index-channel.ts';
import type {
  EiConfig,
  Engagement,
  EngagementTransaction,
} from '../../src/channels/engagement-index/engagement-mapping.ts';
import { engagementKey } from '../../src/channels/engagement-index/engagement-mapping.ts';
import type { DispatchLogger } from '../../src/outbox/outbox-dispatcher.ts';
import { OutboxDispatcher } from '../../src/outbox/outbox-dispatcher.ts';
import { RetrySchedule } from '../../src/outbox/retry-schedule.ts';
import type { NewOutboxMessage } from '../../src/store/calendar-store.ts';
import type { SqliteCalendarStore } from '../../src/store/sqlite/sqlite-calendar-store.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-calendar-store.ts';
import { SqliteOutboxStore } from '../../src/store/sqlite/sqlite-outbox-store.ts';
import {
  assertValidAgainstNational,
  skipWithoutNationalContracts,
} from '../support/national-schemas.ts';
import { collapseRepeats } from '../support/ei-checks.ts';

function engagement(bookingId: string, mostRecentContent?: string): Engagement {
  return {
    registeredResidentIdentification: '191212121212',
    serviceDomain: 'riv:crm:scheduling',
    categorization: 'Booking',
    logicalAddress: 'SE2321000016-1hz5',
    businessObjectInstanceIdentifier: bookingId,
    clinicalProcessInterestId: 'NA',
    ...(mostRecentContent ? { mostRecentContent } : {}),
    sourceSystem: 'SE2321000016-TIDB',
    dataController: 'SE2321000016',
  };
}

function message(transaction: EngagementTransaction): NewOutboxMessage {
  return {
    channel: 'engagement-index',
    key: engagementKey(transaction.engagement),
    payload: transaction,
  };
}
const create = (id: string, ts = '20260619090000') =>
  message({ deleteFlag: false, engagement: engagement(id, ts) });
const remove = (id: string) => message({ deleteFlag: true, engagement: engagement(id) });

/** The life of one booking: created, moved twice, cancelled. */
function lifeOf(id: string): NewOutboxMessage[] {
  return [
    create(id, '20260619090000'),
    create(id, '20260620100000'),
    create(id, '20260618080000'),
    remove(id),
  ];
}

async function waitFor(what: string, condition: () => Promise<boolean> | boolean) {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const fastRetries = new RetrySchedule({ baseMs: 5, capMs: 40 });

interface LogLine {
  level: 'error' | 'warn' | 'info';
  fields: Record<string, unknown>;
  message: string;
}
function recordingLogger(lines: LogLine[]): DispatchLogger {
  return {
    error: (fields, message) => lines.push({ level: 'error', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
  };
}

describe('EI delivery through the outbox', () => {
  let dir: string;
  let sim: EiSimulator;
  const stores: SqliteCalendarStore[] = [];
  const channels: EngagementIndexChannel[] = [];
  const dispatchers: OutboxDispatcher[] = [];

  const config = (): EiConfig => ({
    url: sim.url,
    logicalAddress: '5565594230',
    sourceSystem: 'SE2321000016-TIDB',
    dataController: 'SE2321000016',
    timeoutMs: 2000,
    batchSize: 1000,
  });

  function openStore(): SqliteCalendarStore {
    const store = openSqliteStore(join(dir, 'tidbok.db'));
    stores.push(store);
    return store;
  }

  function dispatcher(
    store: SqliteCalendarStore,
    options: {
      keyGapMs?: number;
      batchSize?: number;
      logger?: DispatchLogger;
      pollIntervalMs?: number;
      timeoutMs?: number;
    } = {},
  ) {
    const channel = new EngagementIndexChannel(
      {
        ...config(),
        batchSize: options.batchSize ?? 1000,
        timeoutMs: options.timeoutMs ?? 2000,
      },
      { keyGapMs: options.keyGapMs ?? 0 },
    );
    channels.push(channel);
    const d = new OutboxDispatcher({
      store: new SqliteOutboxStore(store),
      channel,
      retrySchedule: fastRetries,
      pollIntervalMs: options.pollIntervalMs ?? 20,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    dispatchers.push(d);
    return d;
  }

  const append = (store: SqliteCalendarStore, messages: NewOutboxMessage[]) =>
    store.transaction((tx) => tx.appendOutbox(messages));

  const drained = (store: SqliteCalendarStore) => async () => {
    const s = await new SqliteOutboxStore(store).status('engagement-index');
    return s.pending === 0 && s.inFlight === 0;
  };

  /** Transactions EI accepted, per key (simulator hash), in the order it accepted them. */
  function acceptedByKey(): Map<string, string[]> {
    const byKey = new Map<string, string[]>();
    for (const call of sim.calls.filter((c) => c.outcome === 'OK'))
      for (const t of call.transactions) {
        const list = byKey.get(t.key) ?? [];
        list.push(t.deleteFlag ? 'delete' : `upsert ${t.engagement.mostRecentContent}`);
        byKey.set(t.key, list);
      }
    return byKey;
  }

  function assertEveryRequestValid() {
    if (skipWithoutNationalContracts) return;
    for (const call of sim.calls) assertValidAgainstNational(call.body);
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-ei-'));
    sim = await startEiSimulator();
  });
  afterEach(async () => {
    for (const d of dispatchers.splice(0)) await d.stop();
    for (const c of channels.splice(0)) c.close();
    for (const s of stores.splice(0)) await s.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every message at least once and in order per key, after EI has been down for a while', async () => {
    const store = openStore();
    const ids = Array.from({ length: 12 }, (_, i) => `B${i}`);
    await append(store, ids.flatMap(lifeOf));
    sim.failNext(3, 'http500-EI000');
    sim.failNext(2, 'connection-reset');
    sim.failNext(1, 'hang');
    // The hang must time out for this test; the bound leaves a loaded machine room to answer
    // the other calls in time.
    dispatcher(store, { timeoutMs: 1_500 }).start();
    await waitFor('the outbox to drain', drained(store));

    const expected = [
      'upsert 20260619090000',
      'upsert 20260620100000',
      'upsert 20260618080000',
      'delete',
    ];
    const accepted = acceptedByKey();
    assert.equal(accepted.size, ids.length);
    // Delivery is at least once: a call EI applied but whose answer came too late is sent
    // again, so a step may repeat right after itself; anything else (a lost step, a step out
    // of order, a stale repeat after a later step) fails.
    for (const sequence of accepted.values()) assert.deepEqual(collapseRepeats(sequence), expected);
    assert.deepEqual(sim.overlappingKeys, []);
    assert.equal(sim.engagements().length, 0);
    assertEveryRequestValid();
  });

  it('never has two calls in flight for one key, even with two dispatchers on one database file', async () => {
    const writer = openStore();
    const ids = Array.from({ length: 30 }, (_, i) => `K${i}`);
    await append(writer, ids.flatMap(lifeOf));
    sim.setDelay(15);
    // Small batches, so that the two dispatchers interleave many times.
    const a = dispatcher(openStore(), { batchSize: 7 });
    const b = dispatcher(openStore(), { batchSize: 7 });
    a.start();
    b.start();
    await waitFor('the outbox to drain', drained(writer));

    assert.deepEqual(sim.overlappingKeys, []);
    const accepted = acceptedByKey();
    assert.equal(accepted.size, ids.length);
    for (const sequence of accepted.values()) assert.equal(sequence.at(-1), 'delete');
    for (const sequence of accepted.values()) assert.equal(sequence.length, 4);
    assertEveryRequestValid();
  });

  it('dead-letters a message EI refuses with EI002, alerts once, does not retry it, and re-queues it on request', async () => {
    const store = openStore();
    const outbox = new SqliteOutboxStore(store);
    const lines: LogLine[] = [];
    const d = dispatcher(store, { logger: recordingLogger(lines) });
    await append(store, [create('E1'), remove('E1')]);
    sim.failNext(1, 'EI002');

    assert.equal(await d.drainOnce(), 1);
    const status = await outbox.status('engagement-index');
    assert.equal(status.dead.length, 1);
    assert.match(status.dead[0]!.error, /EI002/);
    assert.doesNotMatch(status.dead[0]!.key, /191212121212/);

    const callsBefore = sim.calls.length;
    assert.equal(await d.drainOnce(), 0, 'the dead message blocks its key; nothing is retried');
    assert.equal(sim.calls.length, callsBefore);

    const alerts = lines.filter((l) => l.level === 'error');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.fields['alert'], true);
    assert.match(String(alerts[0]!.fields['key']), /19121212-\*\*\*\*/);
    assert.doesNotMatch(JSON.stringify(lines), /191212121212/);

    assert.equal(await outbox.retryDead('all'), 1);
    assert.equal(await d.drainOnce(), 1);
    assert.equal(await d.drainOnce(), 1);
    assert.deepEqual([...acceptedByKey().values()], [['upsert 20260619090000', 'delete']]);
  });

  it('dead-letters only the refused message when EI refuses a whole batch for one of them', async () => {
    const store = openStore();
    // A local time in the spring DST gap: EI refuses the call with EI004.
    await append(store, [create('G1'), create('G2', '20260329023000'), create('G3')]);
    const d = dispatcher(store);
    await d.drainOnce();
    const status = await new SqliteOutboxStore(store).status('engagement-index');
    assert.equal(status.dead.length, 1);
    assert.deepEqual(
      sim
        .engagements()
        .map((e) => e.businessObjectInstanceIdentifier)
        .sort(),
      ['G1', 'G3'],
    );
  });

  it('sends at most 1000 engagements per call and never one key twice in a call', async () => {
    const store = openStore();
    const many = Array.from({ length: 2300 }, (_, i) => create(`M${i}`));
    await append(store, [...many, create('M0', '20260701090000'), create('M1', '20260701090000')]);
    const d = dispatcher(store);
    d.start();
    await waitFor('the outbox to drain', drained(store));
    const sizes = sim.calls.map((c) => c.transactions.length);
    assert.ok(Math.max(...sizes) <= 1000);
    assert.equal(sizes[0], 1000);
    for (const call of sim.calls)
      assert.equal(new Set(call.transactions.map((t) => t.key)).size, call.transactions.length);
    assert.ok(sim.calls.every((c) => c.outcome === 'OK'));
    assert.equal(sim.engagements().length, 2300);
  });

  it('keeps a re-create of a cancelled key out of EI’s collect window, so the delete cannot win', async () => {
    await sim.close();
    sim = await startEiSimulator({ collectWindowMs: 300 });
    const store = openStore();
    await append(store, [create('W1'), remove('W1'), create('W1', '20260622090000')]);
    const d = dispatcher(store, { keyGapMs: 400 });
    d.start();
    await waitFor('the outbox to drain', drained(store));
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual(
      sim.engagements().map((e) => e.mostRecentContent),
      ['20260622090000'],
    );
  });

  it('wakes at once when notified, without waiting for its poll', async () => {
    const store = openStore();
    const d = dispatcher(store, { pollIntervalMs: 3_600_000 });
    d.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await append(store, [create('N1')]);
    d.notify();
    await waitFor('the message to be delivered', drained(store));
    assert.equal(sim.engagements().length, 1);
  });

  it('lets the call in flight finish and settles it before stop() resolves', async () => {
    const store = openStore();
    await append(store, [create('S1')]);
    sim.setDelay(150);
    const d = dispatcher(store, { logger: pino({ level: 'silent' }) });
    d.start();
    await waitFor('the call to reach EI', () => sim.calls.length > 0);
    await d.stop();
    const status = await new SqliteOutboxStore(store).status('engagement-index');
    assert.equal(status.inFlight, 0);
    assert.equal(status.pending, 0);
  });

  it('delivers what a crashed dispatcher had claimed once its lease lapses', async () => {
    const store = openStore();
    await append(store, [create('L1')]);
    const crashed = await new SqliteOutboxStore(store).claimBatch(
      'engagement-index',
      10,
      Date.now(),
      100,
      'crashed-process',
    );
    assert.equal(crashed.length, 1);
    const d = dispatcher(store);
    d.start();
    await waitFor('the message to be delivered', drained(store));
    assert.equal(sim.engagements().length, 1);
  });
});
