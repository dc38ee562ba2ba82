/**
 * The operator's outbox view reports per channel: every registered channel,
 * even with nothing queued, and any other channel that has messages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHANNELS } from '../../src/channels/registry.ts';
import { outboxStatus } from '../../src/outbox/outbox-status-view.ts';
import { createOutboxStore, createStore } from '../../src/store/create-store.ts';

describe('outbox status per channel', () => {
  it('counts each channel apart and lists registered channels with nothing queued', async () => {
    const store = createStore('sqlite::memory:');
    try {
      const outbox = createOutboxStore(store);
      await store.transaction((tx) =>
        tx.appendOutbox([
          { channel: 'not-registered', key: 'a', payload: 1 },
          { channel: 'not-registered', key: 'b', payload: 2 },
        ]),
      );
      const now = Date.now();
      const [claimed] = await outbox.claimBatch('not-registered', 1, now, 60_000, 'me');
      await outbox.markDead([claimed!.id], 'me', 'refused');

      const view = await outboxStatus(outbox, now);
      assert.equal(view.pending, 1);
      const other = view.channels['not-registered'];
      assert.deepEqual(
        { ...other, oldestPendingAgeSeconds: undefined },
        { pending: 1, inFlight: 0, oldestPendingAgeSeconds: undefined, deadLetters: 1 },
      );
      assert.equal(typeof other?.oldestPendingAgeSeconds, 'number');
      for (const { name } of CHANNELS)
        assert.deepEqual(view.channels[name], {
          pending: 0,
          inFlight: 0,
          oldestPendingAgeSeconds: null,
          deadLetters: 0,
        });
    } finally {
      await store.close();
    }
  });
});
