import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Channel, ChannelResult } from '../channels/channel.ts';
import type { CalendarStore } from '../store/calendar-store.ts';
import { createOutboxStore, createStore } from '../store/create-store.ts';
import type { ClaimedMessage, OutboxStore } from './outbox-store.ts';
import { OutboxDispatcher } from './outbox-dispatcher.ts';

/** A channel that answers each batch with what the test scripted. */
class ScriptedChannel implements Channel {
  readonly name = 'scripted';
  readonly batchSize = 10;
  readonly batches: number[][] = [];
  constructor(private readonly answer: (batch: readonly ClaimedMessage[]) => ChannelResult) {}
  async deliver(messages: readonly ClaimedMessage[]): Promise<ChannelResult> {
    this.batches.push(messages.map((m) => m.id));
    return this.answer(messages);
  }
}

describe('OutboxDispatcher settles what a channel answers', () => {
  let calendar: CalendarStore;
  let outbox: OutboxStore;
  // Later than the store's own clock, at which the messages are appended.
  const now = Date.now() + 60_000;

  beforeEach(() => {
    calendar = createStore('sqlite::memory:');
    outbox = createOutboxStore(calendar);
  });
  afterEach(() => calendar.close());

  const appendThree = async () => {
    await calendar.transaction((tx) =>
      tx.appendOutbox(['a', 'b', 'c'].map((key) => ({ channel: 'scripted', key, payload: {} }))),
    );
    return (await outbox.claimBatch('scripted', 10, now - 1_000, 1, 'probe')).map((m) => m.id);
  };

  it('settles a batch message by message: delivered with a receipt, skipped, dead, and retried when unanswered', async () => {
    // The probe claim in appendThree lapses long before `now`, so the dispatcher claims all three.
    const [a, b, c] = await appendThree();
    const channel = new ScriptedChannel(
      () =>
        ({
          kind: 'each',
          results: new Map<number, ChannelResult & { kind: 'delivered' | 'skipped' | 'permanent' }>(
            [
              [a!, { kind: 'delivered', receipt: { objkey: 'k-1' } }],
              [b!, { kind: 'skipped', reason: 'not a Kivra user' }],
            ],
          ),
        }) as ChannelResult,
    );
    const dispatcher = new OutboxDispatcher({ store: outbox, channel, now: () => now });
    assert.equal(await dispatcher.drainOnce(), 3);
    assert.deepEqual(channel.batches, [[a, b, c]]);
    assert.deepEqual((await outbox.findMessage(a!))?.receipt, { objkey: 'k-1' });
    assert.equal((await outbox.findMessage(b!))?.status, 'skipped');
    assert.equal((await outbox.findMessage(b!))?.skipReason, 'not a Kivra user');
    const unanswered = await outbox.findMessage(c!);
    assert.equal(unanswered?.status, 'pending');
    assert.match(unanswered?.lastError ?? '', /no result/);
    const status = await outbox.status('scripted', now);
    assert.equal(status.skipped, 1);
    assert.equal(status.pending, 1);
  });

  it('dead-letters one message of a batch answered message by message without resending the others', async () => {
    const [a, b] = await appendThree();
    const channel = new ScriptedChannel((batch) => ({
      kind: 'each',
      results: new Map(
        batch.map((m) => [
          m.id,
          m.id === a ? { kind: 'permanent', reason: 'refused' } : { kind: 'delivered' },
        ]),
      ),
    }));
    const dispatcher = new OutboxDispatcher({ store: outbox, channel, now: () => now });
    await dispatcher.drainOnce();
    assert.equal(channel.batches.length, 1, 'no one-by-one resend after a per-message answer');
    assert.equal((await outbox.findMessage(a!))?.status, 'dead');
    assert.equal((await outbox.findMessage(b!))?.status, 'delivered');
  });
});
