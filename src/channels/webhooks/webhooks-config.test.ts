import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextDelayMs } from './webhook-answer.ts';
import { parseRetryDelays, readWebhooksConfig } from './webhooks-config.ts';

describe('webhook settings', () => {
  it('reads Healthengine’s schedule by default', () => {
    const config = readWebhooksConfig({});
    assert.deepEqual(config.retryDelaysMs, [60_000, 120_000, 300_000, 3_600_000, 43_200_000]);
    assert.equal(config.allowLoopback, false);
    assert.equal(config.production, false);
    assert.equal(config.leaseMs, 60_000);
  });

  it('takes a short schedule for tests, in s, m and h', () => {
    assert.deepEqual(parseRetryDelays('0.2s, 1s,2m,1h'), [200, 1_000, 120_000, 3_600_000]);
  });

  it('refuses unreadable settings, naming them', () => {
    assert.throws(() => parseRetryDelays('1m,,2m'), /WEBHOOK_RETRY_DELAYS/);
    assert.throws(() => parseRetryDelays('5d'), /WEBHOOK_RETRY_DELAYS/);
    assert.throws(() => parseRetryDelays('0s'), /WEBHOOK_RETRY_DELAYS/);
    assert.throws(
      () => readWebhooksConfig({ WEBHOOK_ALLOW_LOOPBACK: 'yes' }),
      /WEBHOOK_ALLOW_LOOPBACK/,
    );
  });

  it('steps through the schedule by attempt, then stops', () => {
    const delays = [60_000, 120_000];
    assert.equal(nextDelayMs(1, delays), 60_000);
    assert.equal(nextDelayMs(2, delays), 120_000);
    assert.equal(nextDelayMs(2, delays, 300_000), 300_000, 'Retry-After lengthens a step');
    assert.equal(nextDelayMs(3, delays), undefined, 'dead letter after the last step');
  });
});
