import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  startWebhookReceiver,
  type WebhookReceiverSimulator,
} from '../../dev/webhook-receiver-simulator.ts';
import type { ChannelResult } from '../channel.ts';
import type { ClaimedMessage } from '../../outbox/outbox-store.ts';
import { newWebhookSecret } from './webhook-signature.ts';
import {
  DISABLE_AFTER_FAILING_MS,
  WebhooksChannel,
  type WebhookMessage,
  type WebhookTarget,
  type WebhookTargets,
} from './webhooks-channel.ts';

/** Subscriptions as the channel sees them, kept in memory with what the channel recorded. */
class RecordingTargets implements WebhookTargets {
  readonly subs = new Map<string, WebhookTarget & { failingSince?: number; reason?: string }>();
  async target(id: string) {
    return this.subs.get(id);
  }
  async recordFailure(id: string, now: number) {
    const sub = this.subs.get(id)!;
    const since = sub.failingSince ?? now;
    this.subs.set(id, { ...sub, failingSince: since });
    return since;
  }
  async recordSuccess(id: string) {
    const sub = { ...this.subs.get(id)! };
    delete sub.failingSince;
    this.subs.set(id, sub);
  }
  async disable(id: string, reason: string) {
    this.subs.set(id, { ...this.subs.get(id)!, enabled: false, reason });
  }
}

const DELAYS = [60_000, 120_000, 300_000];
let nextId = 1;

function claimed(subscriptionId: string, attempts = 1, body = '{"type":"booking.created"}') {
  const payload: WebhookMessage = {
    subscriptionId,
    webhookId: `msg_${nextId}`,
    type: 'booking.created',
    body,
  };
  return {
    id: nextId++,
    channel: 'webhooks',
    key: `${subscriptionId}:b1`,
    payload,
    attempts,
    createdAtUtcMs: Date.now(),
  } satisfies ClaimedMessage;
}

function only(result: ChannelResult) {
  assert.equal(result.kind, 'each');
  assert.equal(result.kind === 'each' && result.results.size, 1);
  return result.kind === 'each' ? [...result.results.values()][0]! : result;
}

describe('the webhooks channel', () => {
  let receiver: WebhookReceiverSimulator;
  let targets: RecordingTargets;
  let channel: WebhooksChannel;
  let now = Date.now();
  const secret = newWebhookSecret();

  before(async () => {
    receiver = await startWebhookReceiver({ secrets: [secret] });
  });
  after(async () => {
    channel.close();
    await receiver.close();
  });
  beforeEach(() => {
    targets = new RecordingTargets();
    targets.subs.set('s1', { url: receiver.url, enabled: true, secrets: [secret] });
    now = Date.now();
    channel?.close();
    channel = new WebhooksChannel(targets, {
      retryDelaysMs: DELAYS,
      allowLoopback: true,
      timeoutMs: 400,
      now: () => now,
    });
  });

  const deliver = async (m: ClaimedMessage) => only(await channel.deliver([m]));
  const lastReceived = () => receiver.received.at(-1)!;

  it('delivers on 2xx with the stored body and a signature that verifies', async () => {
    const m = claimed('s1', 1, '{"type":"booking.created","data":{"bookingId":"ö1"}}');
    assert.deepEqual(await deliver(m), { kind: 'delivered' });
    const got = lastReceived();
    assert.equal(got.body, (m.payload as WebhookMessage).body);
    assert.equal(got.headers['webhook-id'], (m.payload as WebhookMessage).webhookId);
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.verified, true);
    assert.throws(() =>
      new Webhook(newWebhookSecret()).verify(got.body, got.headers as Record<string, string>),
    );
  });

  it('retries a 5xx after the schedule step of its attempt, and dead-letters when spent', async () => {
    receiver.answerNext({ status: 503 }, { status: 500 }, { status: 500 });
    assert.deepEqual(await deliver(claimed('s1', 1)), {
      kind: 'retry',
      reason: 'HTTP 503',
      afterMs: 60_000,
    });
    assert.equal((await deliver(claimed('s1', 3))).kind, 'retry');
    const last = await deliver(claimed('s1', 4));
    assert.equal(last.kind, 'permanent');
    assert.match(
      last.kind === 'permanent' ? last.reason : '',
      /gave up after 4 attempts: HTTP 500/,
    );
  });

  it('honours Retry-After on 429 when it asks for longer than the schedule', async () => {
    receiver.answerNext({ status: 429, headers: { 'retry-after': '600' } });
    assert.deepEqual(await deliver(claimed('s1', 2)), {
      kind: 'retry',
      reason: 'HTTP 429',
      afterMs: 600_000,
    });
    receiver.answerNext({ status: 502, headers: { 'retry-after': '5' } });
    const shorter = await deliver(claimed('s1', 2));
    assert.equal(shorter.kind === 'retry' && shorter.afterMs, 120_000);
  });

  it('dead-letters a 400 at once with the receiver’s explanation', async () => {
    receiver.answerNext({ status: 400, body: '{"error_code":"E1","error_message":"bad"}' });
    const result = await deliver(claimed('s1', 1));
    assert.equal(result.kind, 'permanent');
    assert.match(result.kind === 'permanent' ? result.reason : '', /HTTP 400.*E1/);
    assert.equal(targets.subs.get('s1')!.enabled, true);
  });

  it('disables the subscription on 410', async () => {
    receiver.answerNext({ status: 410 });
    const result = await deliver(claimed('s1', 1));
    assert.equal(result.kind, 'permanent');
    assert.equal(targets.subs.get('s1')!.enabled, false);
    assert.match(targets.subs.get('s1')!.reason!, /410/);
    const count = receiver.received.length;
    assert.deepEqual(await deliver(claimed('s1', 1)), {
      kind: 'skipped',
      reason: 'the subscription is disabled',
    });
    assert.equal(receiver.received.length, count, 'nothing more was sent');
  });

  it('treats a redirect as a failure and does not follow it', async () => {
    receiver.answerNext({ status: 302, headers: { location: `${receiver.url}/elsewhere` } });
    const count = receiver.received.length;
    const result = await deliver(claimed('s1', 1));
    assert.equal(result.kind, 'retry');
    assert.match(result.kind === 'retry' ? result.reason : '', /302.*not followed/);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(receiver.received.length, count + 1);
  });

  it('gives up on a receiver that does not answer in time and retries', async () => {
    receiver.answerNext('hang');
    const result = await deliver(claimed('s1', 1));
    assert.equal(result.kind, 'retry');
    assert.match(result.kind === 'retry' ? result.reason : '', /no answer within 400 ms/);
  });

  it('disables a subscription that has been failing for 5 days', async () => {
    targets.subs.set('s1', {
      ...targets.subs.get('s1')!,
      failingSince: now - DISABLE_AFTER_FAILING_MS,
    });
    receiver.answerNext({ status: 500 });
    const result = await deliver(claimed('s1', 1));
    assert.equal(result.kind, 'permanent');
    assert.equal(targets.subs.get('s1')!.enabled, false);
    assert.match(targets.subs.get('s1')!.reason!, /failing for 5 days/);
  });

  it('clears the failing streak on a delivery', async () => {
    receiver.answerNext({ status: 500 });
    await deliver(claimed('s1', 1));
    assert.equal(targets.subs.get('s1')!.failingSince, now);
    await deliver(claimed('s1', 2));
    assert.equal(targets.subs.get('s1')!.failingSince, undefined);
  });

  it('waits a schedule step when the secrets cannot be opened, never spinning', async () => {
    targets.target = async () => {
      throw new Error('TIDBOK_SECRET_KEY must be set to keep webhook secrets');
    };
    const count = receiver.received.length;
    assert.deepEqual(await deliver(claimed('s1', 2)), {
      kind: 'retry',
      reason: 'not sent: TIDBOK_SECRET_KEY must be set to keep webhook secrets',
      afterMs: 120_000,
    });
    assert.equal(receiver.received.length, count);
  });

  it('skips messages of a removed subscription', async () => {
    assert.deepEqual(await deliver(claimed('gone', 1)), {
      kind: 'skipped',
      reason: 'the subscription was removed',
    });
  });

  it('never contacts internal addresses, answering a failure instead', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/']) {
      targets.subs.set('bad', { url, enabled: true, secrets: [secret] });
      const result = await deliver(claimed('bad', 1));
      assert.equal(result.kind, 'retry');
      assert.match(result.kind === 'retry' ? result.reason : '', /internal or reserved range/);
    }
  });

  it('answers message by message for a batch, in parallel', async () => {
    targets.subs.set('s2', { url: receiver.url, enabled: true, secrets: [secret] });
    receiver.answerNext({ status: 204 }, { status: 400 });
    const [a, b] = [claimed('s1', 1), claimed('s2', 1)];
    const result = await channel.deliver([a, b]);
    assert.equal(result.kind, 'each');
    const kinds = result.kind === 'each' ? [...result.results.values()].map((r) => r.kind) : [];
    assert.deepEqual(kinds.sort(), ['delivered', 'permanent']);
  });
});
