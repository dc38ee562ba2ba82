/**
 * The behaviour every OutboxStore must show, whatever database holds the
 * outbox. An implementation's runner calls {@link describeOutboxStore} with a
 * factory for a fresh, empty calendar store (whose clock says T0) and the
 * outbox store on the same database.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { OutboxStore } from '../../src/outbox/outbox-store.ts';
import type { CalendarStore, NewOutboxMessage } from '../../src/store/calendar-store.ts';

export const T0 = 1_000_000;
const CH = 'engagement-index';
const LEASE = 60_000;

export interface OutboxUnderTest {
  readonly calendar: CalendarStore;
  readonly outbox: OutboxStore;
}

/** @param make - opens an empty store whose clock always says {@link T0}, and its outbox store */
export function describeOutboxStore(name: string, make: () => Promise<OutboxUnderTest>): void {
  void describe(`OutboxStore contract: ${name}`, () => {
    let calendar: CalendarStore;
    let outbox: OutboxStore;

    beforeEach(async () => {
      ({ calendar, outbox } = await make());
    });
    afterEach(() => calendar.close());

    const append = (...messages: NewOutboxMessage[]) =>
      calendar.transaction((tx) => tx.appendOutbox(messages));
    const msg = (key: string, n: number, notBeforeUtcMs?: number): NewOutboxMessage => ({
      channel: CH,
      key,
      payload: { n },
      ...(notBeforeUtcMs === undefined ? {} : { notBeforeUtcMs }),
    });
    const claim = (owner = 'A', now = T0, max = 100, keyGapMs?: number) =>
      outbox.claimBatch(CH, max, now, LEASE, owner, keyGapMs === undefined ? {} : { keyGapMs });
    const payloads = (messages: { payload: unknown }[]) =>
      messages.map((m) => (m.payload as { n: number }).n);

    it('claims the oldest message of each key, one per key, oldest first', async () => {
      await append(msg('k1', 1), msg('k2', 2), msg('k1', 3), msg('k3', 4));
      assert.deepEqual(payloads(await claim()), [1, 2, 4]);
    });

    it('counts the attempt and hands out the payload as appended', async () => {
      await append(msg('k1', 1));
      const [m] = await claim();
      assert.equal(m?.attempts, 1);
      assert.equal(m?.createdAtUtcMs, T0);
      assert.deepEqual(m?.payload, { n: 1 });
    });

    it('takes at most the number asked for', async () => {
      await append(msg('k1', 1), msg('k2', 2), msg('k3', 3));
      assert.deepEqual(payloads(await claim('A', T0, 2)), [1, 2]);
      assert.deepEqual(payloads(await claim('A', T0, 2)), [3]);
    });

    it('holds a key’s next message back while the earlier one is in flight', async () => {
      await append(msg('k1', 1), msg('k1', 2));
      const [first] = await claim('A');
      assert.deepEqual(await claim('B'), []);
      await outbox.markDelivered([first!.id], 'A', T0);
      assert.deepEqual(payloads(await claim('B')), [2]);
    });

    it('holds a key’s next message back while the earlier one waits for a retry', async () => {
      await append(msg('k1', 1), msg('k1', 2));
      const [first] = await claim();
      await outbox.markRetry([first!.id], 'A', 'EI000', T0 + 5000);
      assert.deepEqual(await claim('A', T0 + 4999), []);
      const again = await claim('A', T0 + 5000);
      assert.deepEqual(payloads(again), [1]);
      assert.equal(again[0]?.attempts, 2);
    });

    it('holds a key behind a dead message until it is retried', async () => {
      await append(msg('k1', 1), msg('k1', 2), msg('k2', 3));
      const claimed = await claim();
      await outbox.markDead([claimed[0]!.id], 'A', 'EI002: same key');
      await outbox.markDelivered([claimed[1]!.id], 'A', T0);
      assert.deepEqual(await claim(), []);
      assert.equal(await outbox.retryDead('all'), 1);
      const again = await claim();
      assert.deepEqual(payloads(again), [1]);
      assert.equal(again[0]?.attempts, 1);
    });

    it('re-queues one dead message by id', async () => {
      await append(msg('k1', 1), msg('k2', 2));
      const claimed = await claim();
      await outbox.markDead(
        claimed.map((m) => m.id),
        'A',
        'EI004',
      );
      assert.equal(await outbox.retryDead(claimed[1]!.id), 1);
      assert.deepEqual(payloads(await claim()), [2]);
    });

    it('claims a message again once its lease has lapsed, and only then', async () => {
      await append(msg('k1', 1));
      await claim('A');
      assert.deepEqual(await claim('B', T0 + LEASE - 1), []);
      const taken = await claim('B', T0 + LEASE);
      assert.deepEqual(payloads(taken), [1]);
      assert.equal(taken[0]?.attempts, 2);
    });

    it('ignores a settlement from a dispatcher whose lease was taken over', async () => {
      await append(msg('k1', 1), msg('k1', 2));
      const [m] = await claim('A');
      await claim('B', T0 + LEASE);
      await outbox.markRetry([m!.id], 'A', 'late', T0);
      assert.deepEqual(await claim('C', T0 + LEASE), [], 'B still holds the key');
      await outbox.markDelivered([m!.id], 'B', T0 + LEASE);
      assert.deepEqual(payloads(await claim('C', T0 + LEASE)), [2]);
    });

    it('waits for notBefore', async () => {
      await append(msg('k1', 1, T0 + 6000));
      assert.deepEqual(await claim('A', T0 + 5999), []);
      assert.deepEqual(payloads(await claim('A', T0 + 6000)), [1]);
    });

    it('keeps the key gap between two deliveries of one key', async () => {
      await append(msg('k1', 1), msg('k1', 2), msg('k2', 3));
      const first = await claim('A', T0, 100, 6000);
      await outbox.markDelivered(
        first.map((m) => m.id),
        'A',
        T0 + 100,
      );
      assert.deepEqual(await claim('A', T0 + 6099, 100, 6000), []);
      assert.deepEqual(payloads(await claim('A', T0 + 6100, 100, 6000)), [2]);
    });

    it('reports counts, the oldest pending age and dead letters with person ids masked', async () => {
      await append(
        msg('["191212121212","riv:crm:scheduling","Booking"]', 1),
        msg('k2', 2),
        msg('k3', 3),
      );
      const [dead] = await claim('A', T0, 1);
      await outbox.markDead([dead!.id], 'A', 'EI004: 191212121212 refused');
      await claim('A', T0, 1);
      const status = await outbox.status(CH, T0 + 500);
      assert.equal(status.pending, 1);
      assert.equal(status.inFlight, 1);
      assert.equal(status.oldestPendingAgeMs, 500);
      assert.deepEqual(
        status.dead.map((d) => [d.key, d.error]),
        [['["19121212-****","riv:crm:scheduling","Booking"]', 'EI004: 19121212-**** refused']],
      );
      assert.deepEqual((await outbox.status('other-channel', T0)).dead, []);
    });

    it('keeps a receipt with a delivered message', async () => {
      await append(msg('k1', 1));
      const [m] = await claim();
      await outbox.markDelivered([m!.id], 'A', T0 + 7, { receipt: { 'kivra-objkey': 'obj-1' } });
      const view = await outbox.findMessage(m!.id);
      assert.equal(view?.status, 'delivered');
      assert.deepEqual(view?.receipt, { 'kivra-objkey': 'obj-1' });
      assert.equal(view?.settledAtUtcMs, T0 + 7);
      assert.equal(await outbox.findMessage(m!.id + 1000), undefined);
    });

    it('settles a skipped message with its reason masked, counts it and lets the key go on', async () => {
      await append(msg('k1', 1), msg('k1', 2));
      const [first] = await claim();
      await outbox.markDelivered([first!.id], 'A', T0, {
        skipped: 'not a Kivra user: 191212121212',
      });
      const view = await outbox.findMessage(first!.id);
      assert.equal(view?.status, 'skipped');
      assert.equal(view?.skipReason, 'not a Kivra user: 19121212-****');
      assert.equal((await outbox.status(CH, T0)).skipped, 1);
      assert.deepEqual(payloads(await claim()), [2]);
      assert.equal(await outbox.pruneDelivered(T0 + 1), 1);
    });

    it('prunes delivered messages settled before a time', async () => {
      await append(msg('k1', 1), msg('k2', 2));
      const claimed = await claim();
      await outbox.markDelivered([claimed[0]!.id], 'A', T0);
      await outbox.markDelivered([claimed[1]!.id], 'A', T0 + 10);
      assert.equal(await outbox.pruneDelivered(T0 + 5), 1);
      assert.equal((await calendar.stats()).outbox, 1);
    });
  });
}
