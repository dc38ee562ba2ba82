/**
 * The delivery rules end to end, with a short retry schedule: what the
 * receiver got, attempt by attempt, and what staff see afterwards (outbox
 * dead letters, the subscription's state).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { soapCancelBooking, soapMakeBooking } from '../support/booking-calls.ts';
import { waitFor } from '../support/ei-checks.ts';
import { skipWithoutNationalContracts } from '../support/national-schemas.ts';
import { startWebhookTestApp, type WebhookTestApp } from './webhook-test-app.ts';

const STEP_MS = 300;

describe('webhook delivery rules', { skip: skipWithoutNationalContracts }, () => {
  let t: WebhookTestApp;
  let slotIndex = 0;
  before(async () => {
    t = await startWebhookTestApp({ retryDelays: '0.3s,0.3s,0.3s' });
  });
  after(() => t.close());

  const book = () => soapMakeBooking(t.url, t.calendar.doctorSlots[slotIndex++]!);
  const settle = () => new Promise((r) => setTimeout(r, STEP_MS * 3));
  const webhookDead = async () =>
    (await t.app.outbox.status()).dead.filter((d) => d.channel === 'webhooks');

  it('retries a 500 and delivers once, with the same webhook-id and body', async () => {
    const sub = await t.subscribe({});
    sub.receiver.answerNext({ status: 500 });
    await book();
    await waitFor('the retry', () => sub.receiver.received.length === 2);
    await t.drained();
    const [first, second] = sub.receiver.received;
    assert.deepEqual(
      sub.receiver.received.map((r) => r.answer),
      [500, 204],
    );
    assert.equal(first!.headers['webhook-id'], second!.headers['webhook-id']);
    assert.equal(first!.body, second!.body, 'the same bytes');
    assert.ok(second!.receivedAtUtcMs - first!.receivedAtUtcMs >= STEP_MS - 50, 'after the step');
    new Webhook(sub.secret).verify(second!.body, second!.headers as Record<string, string>);
    await settle();
    assert.equal(sub.receiver.received.length, 2, 'delivered once');
    await t.remove(sub.id);
  });

  it('dead-letters a 400 without a retry', async () => {
    const sub = await t.subscribe({});
    sub.receiver.answerNext({ status: 400, body: '{"error_code":"bad-booking"}' });
    const before = (await webhookDead()).length;
    await book();
    await waitFor('the dead letter', async () => (await webhookDead()).length === before + 1);
    await settle();
    assert.equal(sub.receiver.received.length, 1, 'no retry');
    const dead = (await webhookDead()).at(-1)!;
    assert.match(dead.error, /HTTP 400.*bad-booking/);
    await t.remove(sub.id);
  });

  it('disables the subscription on 410 and sends it nothing more', async () => {
    const sub = await t.subscribe({});
    sub.receiver.answerNext({ status: 410 });
    await book();
    await waitFor('the subscription disabled', async () => {
      const listed = await t.admin('GET', '/admin/webhooks');
      const mine = (listed.json as unknown as { id: string; enabled: boolean }[]).find(
        (s) => s.id === sub.id,
      );
      return mine?.enabled === false;
    });
    const listed = (await t.admin('GET', '/admin/webhooks')).json as unknown as {
      id: string;
      disabledReason?: string;
    }[];
    assert.match(listed.find((s) => s.id === sub.id)!.disabledReason!, /410/);
    assert.ok(
      t.logLines().some((l) => l.alert === true && /disabled/.test(String(l.msg))),
      'an alert was logged',
    );
    await book();
    await t.drained();
    await settle();
    assert.equal(sub.receiver.received.length, 1, 'nothing after the 410');
    const enabled = await t.admin('POST', `/admin/webhooks/${sub.id}/enable`);
    assert.equal(enabled.status, 200);
    assert.equal(enabled.json['enabled'], true);
    await book();
    await waitFor('delivered again after enable', () => sub.receiver.received.length === 2);
    await t.remove(sub.id);
  });

  it('treats a redirect as a failure and does not follow it', async () => {
    const sub = await t.subscribe({});
    sub.receiver.answerNext({ status: 307, headers: { location: `${sub.receiver.url}/moved` } });
    await book();
    await waitFor('the retry', () => sub.receiver.received.length === 2);
    assert.deepEqual(
      sub.receiver.received.map((r) => [r.path, r.answer]),
      [
        ['/hook', 307],
        ['/hook', 204],
      ],
    );
    await t.remove(sub.id);
  });

  it('gives up on a receiver that hangs past 5 s and retries', { timeout: 30_000 }, async () => {
    const sub = await t.subscribe({});
    sub.receiver.answerNext('hang');
    await book();
    await waitFor('the retry after the hang', () => sub.receiver.received.length === 2, 15_000);
    const [hung, retried] = sub.receiver.received;
    assert.equal(hung!.answer, 'hang');
    assert.equal(retried!.answer, 204);
    assert.ok(retried!.receivedAtUtcMs - hung!.receivedAtUtcMs >= 5_000, 'after the 5 s limit');
    assert.equal(hung!.headers['webhook-id'], retried!.headers['webhook-id']);
    await t.remove(sub.id);
  });

  it('keeps a booking’s events in order while its first one is retried', async () => {
    const sub = await t.subscribe({});
    sub.receiver.answerNext({ status: 503, headers: { 'retry-after': '1' } }, { status: 500 });
    const slot = t.calendar.doctorSlots[slotIndex++]!;
    const bookingId = await soapMakeBooking(t.url, slot);
    await soapCancelBooking(t.url, slot.facility, bookingId);
    await waitFor(
      'both events delivered',
      () => sub.receiver.received.filter((r) => r.answer === 204).length === 2,
    );
    const types = sub.receiver.received.map(
      (r) => `${(JSON.parse(r.body) as { type: string }).type} ${r.answer}`,
    );
    assert.deepEqual(types, [
      'booking.created 503',
      'booking.created 500',
      'booking.created 204',
      'booking.cancelled 204',
    ]);
    const gaps = sub.receiver.received.map((r) => r.receivedAtUtcMs);
    assert.ok(gaps[1]! - gaps[0]! >= 950, 'Retry-After: 1 s was honoured over the 0.3 s step');
    await t.remove(sub.id);
  });

  it('dead-letters after the last step of the schedule', async () => {
    const sub = await t.subscribe({});
    sub.receiver.answerNext({ status: 502 }, { status: 502 }, { status: 502 }, { status: 502 });
    const before = (await webhookDead()).length;
    await book();
    await waitFor('the dead letter', async () => (await webhookDead()).length === before + 1);
    assert.equal(sub.receiver.received.length, 4, 'the first attempt and three retries');
    assert.match((await webhookDead()).at(-1)!.error, /gave up after 4 attempts: HTTP 502/);
    await t.remove(sub.id);
  });
});
