/**
 * Outbox dispatchers of several instances on one PostgreSQL outbox,
 * delivering to the EI simulator through the real channel: the work is
 * shared, every event arrives, each key in append order and never two calls
 * in flight for one key; an instance killed mid-dispatch leaves nothing
 * behind that the others do not finish.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import type { ClaimedMessage } from '../../src/outbox/outbox-store.ts';
import type { Channel } from '../../src/channels/channel.ts';
import type { EiSimulator } from '../../src/dev/ei-simulator.ts';
import { startEiSimulator } from '../../src/dev/ei-simulator.ts';
import { EngagementIndexChannel } from '../../src/channels/engagement-index/engagement-index-channel.ts';
import type { EngagementTransaction } from '../../src/channels/engagement-index/engagement-mapping.ts';
import { engagementKey } from '../../src/channels/engagement-index/engagement-mapping.ts';
import { OutboxDispatcher } from '../../src/outbox/outbox-dispatcher.ts';
import { RetrySchedule } from '../../src/outbox/retry-schedule.ts';
import type { NewOutboxMessage } from '../../src/store/calendar-store.ts';
import { openPostgresStore } from '../../src/store/postgres/postgres-calendar-store.ts';
import type { PostgresCalendarStore } from '../../src/store/postgres/postgres-calendar-store.ts';
import { PostgresOutboxStore } from '../../src/store/postgres/postgres-outbox-store.ts';
import { startChild, type RunningChild } from '../support/child-process.ts';
import { describePostgres, freshSchemaUrl } from '../support/postgres.ts';

/** Event `seq` of booking `booking`: an upsert whose mostRecentContent carries the sequence number. */
function event(booking: number, seq: number): NewOutboxMessage {
  const transaction: EngagementTransaction = {
    deleteFlag: false,
    engagement: {
      registeredResidentIdentification: '191212121212',
      serviceDomain: 'riv:crm:scheduling',
      categorization: 'Booking',
      logicalAddress: 'SE2321000016-1hz5',
      businessObjectInstanceIdentifier: `booking-${booking}`,
      clinicalProcessInterestId: 'NA',
      // yyyyMMddHHmmss, minutes and seconds counting up: the order is readable at the index.
      mostRecentContent: `20260619${String(10 + Math.floor(seq / 60)).padStart(2, '0')}${String(seq % 60).padStart(2, '0')}00`,
      sourceSystem: 'SE2321000016-TIDB',
      dataController: 'SE2321000016',
    },
  };
  return {
    channel: 'engagement-index',
    key: engagementKey(transaction.engagement),
    payload: transaction,
  };
}

/** `bookings` keys with `perKey` events each, interleaved across keys the way changes arrive. */
function events(bookings: number, perKey: number): NewOutboxMessage[] {
  const out: NewOutboxMessage[] = [];
  for (let seq = 0; seq < perKey; seq++)
    for (let booking = 0; booking < bookings; booking++) out.push(event(booking, seq));
  return out;
}

async function waitFor(what: string, condition: () => Promise<boolean> | boolean) {
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The mostRecentContent values EI accepted, per booking, in the order it accepted them. */
function acceptedPerBooking(sim: EiSimulator): Map<string, string[]> {
  const byBooking = new Map<string, string[]>();
  for (const call of sim.calls.filter((c) => c.outcome === 'OK'))
    for (const t of call.transactions) {
      const id = t.engagement.businessObjectInstanceIdentifier;
      const list = byBooking.get(id) ?? [];
      list.push(t.engagement.mostRecentContent ?? 'delete');
      byBooking.set(id, list);
    }
  return byBooking;
}

function assertEveryKeyInOrder(sim: EiSimulator, bookings: number, perKey: number) {
  const accepted = acceptedPerBooking(sim);
  assert.equal(accepted.size, bookings, 'every key reached the index');
  for (let booking = 0; booking < bookings; booking++) {
    const expected = Array.from(
      { length: perKey },
      (_, seq) =>
        (event(booking, seq).payload as EngagementTransaction).engagement.mostRecentContent,
    );
    assert.deepEqual(
      accepted.get(`booking-${booking}`),
      expected,
      `booking-${booking}: every event once, in append order`,
    );
  }
}

/** Counts what one instance's dispatcher delivered. */
class CountingChannel implements Channel {
  delivered = 0;
  readonly name: string;
  readonly batchSize: number;
  readonly keyGapMs?: number;

  constructor(private readonly inner: Channel) {
    this.name = inner.name;
    this.batchSize = inner.batchSize;
    if (inner.keyGapMs !== undefined) this.keyGapMs = inner.keyGapMs;
  }

  async deliver(messages: readonly ClaimedMessage[], signal: AbortSignal) {
    const result = await this.inner.deliver(messages, signal);
    if (result.kind === 'delivered') this.delivered += messages.length;
    return result;
  }
}

describePostgres('dispatchers of several instances on one PostgreSQL outbox', (serverUrl) => {
  let sim: EiSimulator;
  let url: string;
  const stores: PostgresCalendarStore[] = [];
  const channels: EngagementIndexChannel[] = [];
  const dispatchers: OutboxDispatcher[] = [];
  const children: RunningChild[] = [];

  /** A new instance's store: a pool of its own on the shared database. */
  function instanceStore(): PostgresCalendarStore {
    const store = openPostgresStore(url, { maxConnections: 3 });
    stores.push(store);
    return store;
  }

  function eiChannel(batchSize: number): EngagementIndexChannel {
    const channel = new EngagementIndexChannel(
      {
        url: sim.url,
        logicalAddress: '5565594230',
        sourceSystem: 'SE2321000016-TIDB',
        dataController: 'SE2321000016',
        timeoutMs: 10_000,
        batchSize,
      },
      { keyGapMs: 0 },
    );
    channels.push(channel);
    return channel;
  }

  function dispatcher(store: PostgresCalendarStore, channel: Channel, owner: string) {
    const d = new OutboxDispatcher({
      store: new PostgresOutboxStore(store),
      channel,
      owner,
      pollIntervalMs: 20,
      retrySchedule: new RetrySchedule({ baseMs: 5, capMs: 40 }),
    });
    dispatchers.push(d);
    return d;
  }

  const drained = (store: PostgresCalendarStore) => async () => {
    const status = await new PostgresOutboxStore(store).status('engagement-index');
    return status.pending === 0 && status.inFlight === 0;
  };

  beforeEach(async () => {
    url = await freshSchemaUrl(serverUrl);
    sim = await startEiSimulator();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) await child.stop('SIGKILL');
    for (const d of dispatchers.splice(0)) await d.stop();
    for (const c of channels.splice(0)) c.close();
    for (const s of stores.splice(0)) await s.close();
    await sim.close();
  });

  void it('shares 5,000 events between two dispatchers: all delivered, each key in order, no key in flight twice', async () => {
    const [a, b] = [instanceStore(), instanceStore()];
    // Few keys, deep queues, and two batches that together want more keys
    // than there are: each claim meets keys whose previous message is in
    // flight at the other dispatcher, and their next message is waiting.
    const bookings = 50;
    const perKey = 100;
    await a.transaction((tx) => tx.appendOutbox(events(bookings, perKey)));
    // Slow answers keep calls in flight long enough for the other dispatcher to claim meanwhile.
    sim.setDelay(20);
    const [countA, countB] = [
      new CountingChannel(eiChannel(30)),
      new CountingChannel(eiChannel(30)),
    ];
    dispatcher(a, countA, 'instance-a').start();
    dispatcher(b, countB, 'instance-b').start();
    await waitFor('both dispatchers to drain the outbox', drained(a));

    assert.deepEqual(sim.overlappingKeys, [], 'never two calls in flight for one key');
    assert.ok(
      sim.calls.every((c) => c.outcome === 'OK'),
      'the index accepted every call (no EI002: one message per key and call)',
    );
    assertEveryKeyInOrder(sim, bookings, perKey);
    assert.equal(
      countA.delivered + countB.delivered,
      bookings * perKey,
      'each event delivered once',
    );
    assert.ok(
      countA.delivered > 0 && countB.delivered > 0,
      `both instances did part of the work (${countA.delivered} and ${countB.delivered})`,
    );
  });

  void it('lets another instance finish the work of one killed mid-dispatch, once its lease lapses', async () => {
    const store = instanceStore();
    const bookings = 50;
    const perKey = 4;
    await store.transaction((tx) => tx.appendOutbox(events(bookings, perKey)));
    // The killed instance's first call is never answered: it is mid-dispatch
    // when it dies, holding a claim on one message of every key.
    sim.failNext(1, 'hang');
    const doomed = await startChild('./dispatcher-process.ts', {
      TIDBOK_TEST_STORE_URL: url,
      TIDBOK_TEST_EI_URL: sim.url,
      TIDBOK_TEST_LEASE_MS: '1500',
      TIDBOK_TEST_OWNER: 'doomed-instance',
    });
    children.push(doomed);
    await waitFor('the doomed instance to send its first call', () => sim.calls.length > 0);
    const held = await store.withConnection((db) =>
      db.query<{ n: number }>(
        `SELECT count(*) AS n FROM outbox WHERE status = 'in_flight' AND lease_owner = 'doomed-instance'`,
      ),
    );
    assert.equal(held.rows[0]?.n, bookings, 'it holds the first message of every key when killed');
    await doomed.stop('SIGKILL');

    const survivor = dispatcher(store, eiChannel(1000), 'survivor');
    survivor.start();
    await waitFor('the survivor to drain the outbox', drained(store));

    assert.equal(sim.calls[0]?.outcome, 'injected hang');
    assert.deepEqual(sim.overlappingKeys, [], 'never two calls in flight for one key');
    assertEveryKeyInOrder(sim, bookings, perKey);
    const delivered = await store.withConnection((db) =>
      db.query<{ owner_gone: number }>(
        `SELECT count(*) AS owner_gone FROM outbox WHERE status = 'delivered' AND attempts = 2`,
      ),
    );
    assert.equal(
      delivered.rows[0]?.owner_gone,
      bookings,
      "the killed instance's claims were delivered on a second attempt",
    );
  });
});
