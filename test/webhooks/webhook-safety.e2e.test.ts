/**
 * Secret rotation and the address guard end to end: what staff are answered
 * and what the receiver gets. No test here sends traffic anywhere but
 * loopback: internal addresses are refused before any connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { soapMakeBooking } from '../support/booking-calls.ts';
import { waitFor } from '../support/ei-checks.ts';
import { skipWithoutNationalContracts } from '../support/national-schemas.ts';
import { startWebhookReceiver } from '../../src/dev/webhook-receiver-simulator.ts';
import { startWebhookTestApp, type WebhookTestApp } from './webhook-test-app.ts';

describe('webhook secret rotation', { skip: skipWithoutNationalContracts }, () => {
  let t: WebhookTestApp;
  before(async () => {
    t = await startWebhookTestApp();
  });
  after(() => t.close());

  it('signs with both secrets during the overlap, each verifying on its own', async () => {
    const sub = await t.subscribe({});
    const rotated = await t.admin('POST', `/admin/webhooks/${sub.id}/rotate-secret`);
    assert.equal(rotated.status, 200);
    const newSecret = rotated.json['secret'] as string;
    assert.notEqual(newSecret, sub.secret);
    const until = Date.parse(rotated.json['previousSecretUntil'] as string);
    assert.ok(Math.abs(until - (Date.now() + 24 * 3_600_000)) < 60_000, 'for 24 hours');
    sub.receiver.useSecrets([newSecret]);

    await soapMakeBooking(t.url, t.calendar.doctorSlots[0]!);
    await waitFor('the delivery', () => sub.receiver.received.length === 1);
    const got = sub.receiver.received[0]!;
    const signatures = (got.headers['webhook-signature'] as string).split(' ');
    assert.equal(signatures.length, 2, 'one signature per active secret');
    for (const secret of [newSecret, sub.secret]) {
      const headers = got.headers as Record<string, string>;
      new Webhook(secret).verify(got.body, headers);
      // Each signature alone verifies with exactly one of the secrets.
      const own = signatures.filter((signature) => {
        try {
          new Webhook(secret).verify(got.body, { ...headers, 'webhook-signature': signature });
          return true;
        } catch {
          return false;
        }
      });
      assert.equal(own.length, 1);
    }
    const listed = await t.admin('GET', '/admin/webhooks');
    assert.doesNotMatch(listed.text, new RegExp(newSecret.slice(6, 30).replace(/[+/]/g, '.')));
    assert.doesNotMatch(listed.text, /whsec_/, 'GET never shows a secret');
  });
});

describe('webhook address guard', { skip: skipWithoutNationalContracts }, () => {
  it('refuses internal addresses when staff subscribe, with or without the loopback allowance', async () => {
    for (const allowLoopback of [false, true]) {
      const t = await startWebhookTestApp({ allowLoopback });
      try {
        for (const url of ['http://169.254.169.254/', 'http://10.0.0.1/', 'https://10.0.0.1/']) {
          const res = await t.admin('POST', '/admin/webhooks', { url });
          assert.equal(res.status, 400, `${url}: ${res.text}`);
        }
        const loopback = await t.admin('POST', '/admin/webhooks', { url: 'http://127.0.0.1:9/h' });
        assert.equal(loopback.status, allowLoopback ? 201 : 400);
        const listed = await t.admin('GET', '/admin/webhooks');
        assert.equal((listed.json as unknown as unknown[]).length, allowLoopback ? 1 : 0);
      } finally {
        await t.close();
      }
    }
  });

  it('never contacts a name that resolves to 127.0.0.1 without the allowance', async () => {
    const receiver = await startWebhookReceiver();
    const port = new URL(receiver.url).port;
    const resolved: string[] = [];
    const t = await startWebhookTestApp({
      allowLoopback: false,
      resolve: async (name) => {
        resolved.push(name);
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    try {
      // A name passes when subscribing: it is checked when connecting.
      const res = await t.admin('POST', '/admin/webhooks', {
        url: `https://receiver.test:${port}/hook`,
      });
      assert.equal(res.status, 201, res.text);
      await soapMakeBooking(t.url, t.calendar.doctorSlots[0]!);
      await waitFor('an attempt refused', async () => {
        const messages = await t.webhookMessages();
        return messages.some((m) => /loopback/.test(m.lastError ?? ''));
      });
      assert.ok(resolved.includes('receiver.test'), 'resolved at connection time');
      assert.equal(receiver.received.length, 0, 'the receiver was never contacted');
      const ping = await t.admin('POST', `/admin/webhooks/${res.json['id']}/ping`);
      assert.equal(ping.json['delivered'], false);
      assert.match(ping.json['reason'] as string, /loopback/);
      assert.equal(receiver.received.length, 0);
    } finally {
      await t.close();
      await receiver.close();
    }
  });

  it('pings a subscription with a signed test event', async () => {
    const t = await startWebhookTestApp();
    try {
      const sub = await t.subscribe({ format: 'healthengine' });
      const ping = await t.admin('POST', `/admin/webhooks/${sub.id}/ping`);
      assert.equal(ping.status, 200, ping.text);
      assert.equal(ping.json['delivered'], true);
      const got = sub.receiver.received[0]!;
      assert.equal(got.headers['webhook-id'], ping.json['webhookId']);
      assert.deepEqual(
        new Webhook(sub.secret).verify(got.body, got.headers as Record<string, string>),
        {
          version: 1,
          type: 'ping',
          data: { subscription_id: sub.id },
        },
      );
      const missing = await t.admin('POST', '/admin/webhooks/wh_none/ping');
      assert.equal(missing.status, 404);
    } finally {
      await t.close();
    }
  });
});
