import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createServices, type Services } from '../../services.ts';
import { MemoryWebhookRows } from '../../../test/webhooks/memory-webhook-rows.ts';
import {
  FACILITY,
  PARTNER,
  PATIENT,
  PATIENT_INFO,
  seedTestCalendar,
  type SeededCalendar,
} from '../../../test/support/test-calendar.ts';
import { SecretBox } from './secret-box.ts';
import { webhookKey, webhookListener } from './webhook-listener.ts';
import { WebhookSubscriptions } from './webhook-subscriptions.ts';
import type { WebhookMessage } from './webhooks-channel.ts';

describe('the webhook listener', () => {
  let rows: MemoryWebhookRows;
  let subscriptions: WebhookSubscriptions;
  let services: Services;
  let calendar: SeededCalendar;
  let failNextChange = false;

  beforeEach(async () => {
    rows = new MemoryWebhookRows();
    subscriptions = new WebhookSubscriptions(rows, {
      allowLoopback: false,
      box: new SecretBox(randomBytes(32)),
    });
    failNextChange = false;
    const failing = async () => {
      if (failNextChange) throw new Error('a later listener failed');
    };
    services = createServices({
      store: 'sqlite::memory:',
      listeners: [webhookListener(rows.enabledOn), failing],
    });
    calendar = await seedTestCalendar(services.store);
  });
  afterEach(() => services.close());

  const book = async (slotIndex = 0) => {
    const slot = calendar.doctorSlots[slotIndex]!;
    const outcome = await services.service.makeBooking({
      facility: slot.facility,
      startTs: slot.start.ts,
      endTs: slot.end.ts,
      subjectOfCare: PATIENT,
      patient: PATIENT_INFO,
      reason: 'hosta',
      origin: 'soap',
    });
    assert.ok(outcome.ok);
    return outcome.value;
  };
  const messages = async () =>
    (await services.store.listOutbox()).map((m) => ({
      key: m.key,
      channel: m.channel,
      ...(m.payload as WebhookMessage),
    }));

  it('writes one message per matching subscription, with the change, in each one’s format', async () => {
    const std = await subscriptions.create({ url: 'https://a.example.se/h' });
    const he = await subscriptions.create({
      url: 'https://b.example.se/h',
      format: 'healthengine',
      includePersonalData: true,
    });
    await subscriptions.create({ url: 'https://c.example.se/h', facilities: [PARTNER] });
    await subscriptions.create({ url: 'https://d.example.se/h', events: ['booking.cancelled'] });
    const booking = await book();

    const written = await messages();
    assert.deepEqual(
      written.map((m) => [m.channel, m.subscriptionId, m.key, m.type]),
      [
        [
          'webhooks',
          std.subscription.id,
          webhookKey(std.subscription.id, booking.id),
          'booking.created',
        ],
        [
          'webhooks',
          he.subscription.id,
          webhookKey(he.subscription.id, booking.id),
          'booking.created',
        ],
      ],
    );
    assert.equal(JSON.parse(written[0]!.body).data.bookingId, booking.id);
    assert.doesNotMatch(written[0]!.body, /19121212|Tolvan|hosta/);
    assert.equal(JSON.parse(written[1]!.body).type, 'booking-submitted');
    assert.equal(JSON.parse(written[1]!.body).data.patient.subject_of_care, PATIENT);
    assert.notEqual(written[0]!.webhookId, written[1]!.webhookId);
  });

  it('matches facilities case-insensitively and skips disabled subscriptions', async () => {
    const lower = await subscriptions.create({
      url: 'https://a.example.se/h',
      facilities: [FACILITY.toLowerCase()],
    });
    const off = await subscriptions.create({ url: 'https://b.example.se/h' });
    await subscriptions.disable(off.subscription.id, 'HTTP 410: the receiver is gone');
    await book();
    assert.deepEqual(
      (await messages()).map((m) => m.subscriptionId),
      [lower.subscription.id],
    );
  });

  it('writes nothing when nobody subscribes', async () => {
    await book();
    assert.deepEqual(await messages(), []);
  });

  it('writes nothing when the change rolls back', async () => {
    await subscriptions.create({ url: 'https://a.example.se/h' });
    failNextChange = true;
    await assert.rejects(book(), /a later listener failed/);
    assert.deepEqual(await messages(), []);
    assert.equal((await services.store.stats()).activeBookings, 0);
  });

  it('keys a booking’s events to one subscription together, in order', async () => {
    const { subscription } = await subscriptions.create({ url: 'https://a.example.se/h' });
    const booking = await book();
    const cancel = await services.service.cancel({
      bookingId: booking.id,
      facility: booking.facility,
      origin: 'staff',
    });
    assert.ok(cancel.ok);
    const written = await messages();
    assert.deepEqual(
      written.map((m) => m.type),
      ['booking.created', 'booking.cancelled'],
    );
    assert.equal(new Set(written.map((m) => m.key)).size, 1);
    assert.equal(written[0]!.key, webhookKey(subscription.id, booking.id));
  });
});
