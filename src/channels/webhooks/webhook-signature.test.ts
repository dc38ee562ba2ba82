import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  isWebhookSecret,
  newWebhookId,
  newWebhookSecret,
  signWebhook,
} from './webhook-signature.ts';

/** An HMAC made with node:crypto alone, as the Standard Webhooks spec describes it. */
function independentSignature(secret: string, id: string, timestamp: string, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

describe('webhook signing', () => {
  const body = '{"type":"booking.created","data":{"bookingId":"b1","note":"åäö"}}';

  it('makes secrets of 32 random bytes behind whsec_', () => {
    const a = newWebhookSecret();
    const b = newWebhookSecret();
    assert.ok(isWebhookSecret(a));
    assert.notEqual(a, b);
    assert.equal(Buffer.from(a.slice(6), 'base64').length, 32);
    assert.equal(isWebhookSecret('whsec_c2hvcnQ='), false, 'too short');
    assert.equal(isWebhookSecret(a.slice(6)), false, 'no prefix');
  });

  it('signs so that the standardwebhooks library and a plain HMAC both verify it', () => {
    const secret = newWebhookSecret();
    const id = newWebhookId();
    const now = new Date();
    const headers = signWebhook(id, now, body, [secret]);
    assert.equal(headers['webhook-id'], id);
    assert.equal(headers['webhook-timestamp'], String(Math.floor(now.getTime() / 1000)));
    assert.equal(
      headers['webhook-signature'],
      independentSignature(secret, id, headers['webhook-timestamp'], body),
    );
    assert.deepEqual(new Webhook(secret).verify(body, { ...headers }), JSON.parse(body));
  });

  it('fails verification with a wrong secret or a changed body', () => {
    const secret = newWebhookSecret();
    const headers = { ...signWebhook(newWebhookId(), new Date(), body, [secret]) };
    assert.throws(() => new Webhook(newWebhookSecret()).verify(body, headers), /No matching/);
    assert.throws(
      () => new Webhook(secret).verify(body.replace('b1', 'b2'), headers),
      /No matching/,
    );
  });

  it('signs with every active secret, space-separated, each verifying on its own', () => {
    const [newer, older] = [newWebhookSecret(), newWebhookSecret()];
    const id = newWebhookId();
    const headers = { ...signWebhook(id, new Date(), body, [newer, older]) };
    const parts = headers['webhook-signature'].split(' ');
    assert.equal(parts.length, 2);
    assert.equal(parts[0], independentSignature(newer, id, headers['webhook-timestamp'], body));
    assert.equal(parts[1], independentSignature(older, id, headers['webhook-timestamp'], body));
    for (const secret of [newer, older]) new Webhook(secret).verify(body, headers);
  });

  it('refuses to send unsigned', () => {
    assert.throws(() => signWebhook('msg_1', new Date(), body, []), /at least one secret/);
  });
});
