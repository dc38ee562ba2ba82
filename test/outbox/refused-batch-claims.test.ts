/**
 * Issue 19 item 5: when the target refuses a whole batch and its messages
 * are sent again one by one, that work can outlast the batch's claim. Two
 * dispatchers on one store with a short lease must still never have one key
 * in flight twice, and each message is settled once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Channel, ChannelResult } from '../../src/channels/channel.ts';
import { OutboxDispatcher } from '../../src/outbox/outbox-dispatcher.ts';
import type { ClaimedMessage } from '../../src/outbox/outbox-store.ts';
import { RetrySchedule } from '../../src/outbox/retry-schedule.ts';
import { createOutboxStore, createStore } from '../../src/store/create-store.ts';
import { describePostgres, freshSchemaUrl } from '../support/postgres.ts';

const LEASE_MS = 400;
const CALL_MS = 150;
const KEYS = ['k1', 'k2', 'bad', 'k3', 'k4', 'k5'];

/** Refuses any batch of more than one message (as EI does when one is bad), and the bad one alone. */
class BatchRefusingChannel implements Channel {
  readonly name = 'refusing';
  readonly batchSize = 10;
  readonly inFlight = new Set<string>();
  /** Keys that were sent while a call for them was still in flight. */
  readonly overlaps: string[] = [];
  readonly delivered: string[] = [];

  async deliver(messages: readonly ClaimedMessage[]): Promise<ChannelResult> {
    const keys = messages.map((m) => m.key);
    for (const key of keys) {
      if (this.inFlight.has(key)) this.overlaps.push(key);
      this.inFlight.add(key);
    }
    await new Promise((resolve) => setTimeout(resolve, CALL_MS));
    for (const key of keys) this.inFlight.delete(key);
    if (messages.length > 1) return { kind: 'permanent', reason: 'EI004 somewhere in the batch' };
    if (keys[0] === 'bad') return { kind: 'permanent', reason: 'EI004' };
    this.delivered.push(keys[0]!);
    return { kind: 'delivered' };
  }
}

async function twoDispatchersOn(url: string): Promise<void> {
  const store = createStore(url);
  try {
    const outbox = createOutboxStore(store);
    await store.transaction((tx) =>
      tx.appendOutbox(KEYS.map((key) => ({ channel: 'refusing', key, payload: { key } }))),
    );
    const channel = new BatchRefusingChannel();
    const dispatcher = (owner: string) =>
      new OutboxDispatcher({
        store: outbox,
        channel,
        owner,
        leaseMs: LEASE_MS,
        pollIntervalMs: 10,
        retrySchedule: new RetrySchedule({ baseMs: 1, capMs: 5 }),
      });
    const a = dispatcher('A');
    const b = dispatcher('B');
    a.start();
    // B joins once A holds the whole batch, as a second instance would.
    while (channel.inFlight.size === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    b.start();
    const deadline = Date.now() + 20_000;
    for (;;) {
      const status = await outbox.status('refusing');
      if (status.pending === 0 && status.inFlight === 0) break;
      assert.ok(Date.now() < deadline, `not drained: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Promise.all([a.stop(), b.stop()]);

    assert.deepEqual(channel.overlaps, [], 'a key was sent while a call for it was in flight');
    assert.deepEqual(
      [...channel.delivered].sort(),
      KEYS.filter((k) => k !== 'bad').sort(),
      'each good message delivered exactly once',
    );
    const status = await outbox.status('refusing');
    assert.deepEqual(
      status.dead.map((d) => d.key),
      ['bad'],
    );
  } finally {
    await store.close();
  }
}

describe('a refused batch resent one by one past its lease (SQLite file shared by two dispatchers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidbok-refused-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('never has one key in flight twice, and settles each message once', async () => {
    await twoDispatchersOn(join(dir, 'outbox.db'));
  });
});

describePostgres('a refused batch resent one by one past its lease (PostgreSQL)', (serverUrl) => {
  it('never has one key in flight twice, and settles each message once', async () => {
    await twoDispatchersOn(await freshSchemaUrl(serverUrl));
  });
});
