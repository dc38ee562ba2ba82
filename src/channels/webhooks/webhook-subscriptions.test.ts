import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { MemoryWebhookRows } from '../../../test/webhooks/memory-webhook-rows.ts';
import { SecretBox } from './secret-box.ts';
import { isWebhookSecret } from './webhook-signature.ts';
import {
  ROTATION_OVERLAP_MS,
  SecretKeyMissingError,
  WebhookInputError,
  WebhookSubscriptions,
} from './webhook-subscriptions.ts';

function setUp(options: { allowLoopback?: boolean; box?: SecretBox | null } = {}) {
  const rows = new MemoryWebhookRows();
  let now = Date.UTC(2026, 5, 1, 8, 0);
  const subscriptions = new WebhookSubscriptions(rows, {
    allowLoopback: options.allowLoopback ?? false,
    box: options.box === null ? undefined : (options.box ?? new SecretBox(randomBytes(32))),
    now: () => now,
  });
  return { rows, subscriptions, advance: (ms: number) => (now += ms), now: () => now };
}

describe('webhook subscriptions', () => {
  it('creates with defaults and shows the secret once, stored only sealed', async () => {
    const { rows, subscriptions } = setUp();
    const { subscription, secret } = await subscriptions.create({
      url: 'https://hooks.example.se/x',
    });
    assert.ok(isWebhookSecret(secret));
    assert.equal(subscription.format, 'standard');
    assert.equal(subscription.includePersonalData, false);
    assert.equal(subscription.facilities, 'all');
    assert.equal(subscription.events.length, 5);
    assert.equal(subscription.enabled, true);
    const stored = rows.rows.get(subscription.id)!;
    assert.ok(!JSON.stringify(stored).includes(secret.slice(6)), 'the row holds no clear secret');
    const listed = await subscriptions.list();
    assert.deepEqual(listed, [subscription]);
    assert.ok(!JSON.stringify(listed).includes(secret.slice(6)), 'the list shows no secret');
    assert.deepEqual((await subscriptions.target(subscription.id, Date.now()))!.secrets, [secret]);
  });

  it('refuses bad input with a message saying what to fix', async () => {
    const { subscriptions, rows } = setUp();
    const refused = async (input: unknown, pattern: RegExp) =>
      assert.rejects(subscriptions.create(input), (e: Error) => {
        assert.ok(e instanceof WebhookInputError);
        assert.match(e.message, pattern);
        return true;
      });
    await refused({ url: 'not a url' }, /url/);
    await refused({ url: 'https://x.se', events: ['booking.deleted'] }, /events/);
    await refused({ url: 'https://x.se', format: 'xml' }, /format/);
    await refused({ url: 'https://x.se', facilities: [] }, /facilities/);
    await refused({ url: 'https://x.se', extra: 1 }, /extra/);
    await refused({ url: 'http://169.254.169.254/' }, /https/);
    await refused({ url: 'https://10.0.0.1/' }, /internal/);
    await refused({ url: 'http://127.0.0.1:8080/' }, /https/);
    assert.equal(rows.rows.size, 0, 'nothing was stored');
  });

  it('takes plain http to loopback only with the allowance', async () => {
    const { subscriptions } = setUp({ allowLoopback: true });
    const { subscription } = await subscriptions.create({ url: 'http://127.0.0.1:8080/hook' });
    assert.equal(subscription.url, 'http://127.0.0.1:8080/hook');
    await assert.rejects(subscriptions.create({ url: 'http://10.0.0.1/' }), /internal/);
  });

  it('signs with both secrets for 24 hours after a rotation, then with the new one', async () => {
    const { subscriptions, advance, now } = setUp();
    const { subscription, secret: first } = await subscriptions.create({ url: 'https://x.se/h' });
    const rotated = await subscriptions.rotate(subscription.id);
    assert.ok(rotated);
    assert.notEqual(rotated.secret, first);
    assert.deepEqual((await subscriptions.target(subscription.id, now()))!.secrets, [
      rotated.secret,
      first,
    ]);
    assert.ok((await subscriptions.get(subscription.id))!.previousSecretUntil);
    advance(ROTATION_OVERLAP_MS);
    assert.deepEqual((await subscriptions.target(subscription.id, now()))!.secrets, [
      rotated.secret,
    ]);
    assert.equal(await subscriptions.rotate('wh_none'), undefined);
  });

  it('enables a disabled subscription again and forgets its failing streak', async () => {
    const { subscriptions, rows } = setUp();
    const { subscription } = await subscriptions.create({ url: 'https://x.se/h' });
    await subscriptions.recordFailure(subscription.id, 1_000);
    await subscriptions.disable(subscription.id, 'HTTP 410: the receiver is gone');
    assert.deepEqual(
      (await subscriptions.list()).map((s) => [s.enabled, s.disabledReason]),
      [[false, 'HTTP 410: the receiver is gone']],
    );
    const enabled = await subscriptions.enable(subscription.id);
    assert.equal(enabled?.enabled, true);
    assert.equal(enabled?.disabledReason, undefined);
    assert.equal(rows.rows.get(subscription.id)!.failingSinceUtcMs, undefined);
    assert.equal(await subscriptions.enable('wh_none'), undefined);
  });

  it('keeps the start of a failing streak until a delivery ends it', async () => {
    const { subscriptions } = setUp();
    const { subscription } = await subscriptions.create({ url: 'https://x.se/h' });
    assert.equal(await subscriptions.recordFailure(subscription.id, 1_000), 1_000);
    assert.equal(await subscriptions.recordFailure(subscription.id, 9_000), 1_000);
    await subscriptions.recordSuccess(subscription.id);
    assert.equal(await subscriptions.recordFailure(subscription.id, 9_000), 9_000);
  });

  it('refuses to keep a secret without TIDBOK_SECRET_KEY in production', async () => {
    const { subscriptions, rows } = setUp({ box: null });
    await assert.rejects(subscriptions.create({ url: 'https://x.se/h' }), SecretKeyMissingError);
    assert.equal(rows.rows.size, 0);
  });
});
