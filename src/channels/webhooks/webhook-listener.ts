/**
 * Turns a booking change into webhook messages: one per enabled subscription
 * that wants the event at that facility, appended on the change's own
 * transaction (transactional outbox). Each message carries its body,
 * rendered now, so every attempt sends the same bytes; the key is
 * subscription + booking, so one booking's events reach one receiver in
 * order, one at a time.
 *
 * @module
 */
import type { BookingChangeListener } from '../../domain/booking-change.ts';
import type { NewOutboxMessage } from '../../store/calendar-store.ts';
import { renderWebhookBody } from './webhook-body.ts';
import { webhookEventOf } from './webhook-event.ts';
import { newWebhookId } from './webhook-signature.ts';
import type { EnabledSubscriptionsOn, StoredWebhookSubscription } from './webhook-subscription.ts';
import { WEBHOOKS_CHANNEL, type WebhookMessage } from './webhooks-channel.ts';

/** The outbox key of one booking's events to one subscription. */
export function webhookKey(subscriptionId: string, bookingId: string): string {
  return JSON.stringify([subscriptionId, bookingId]);
}

function wantsFacility(subscription: StoredWebhookSubscription, facilities: readonly string[]) {
  if (subscription.facilities === undefined) return true;
  const wanted = new Set(subscription.facilities.map((f) => f.toLowerCase()));
  return facilities.some((f) => wanted.has(f.toLowerCase()));
}

/** The listener the scheduling service runs for the webhooks channel. */
export function webhookListener(enabledOn: EnabledSubscriptionsOn): BookingChangeListener {
  return async (tx, change) => {
    const event = webhookEventOf(change);
    if (event === undefined) return;
    // A move between facilities concerns subscribers of either.
    const facilities = [change.after.facility, ...(change.before ? [change.before.facility] : [])];
    const subscriptions = (await enabledOn(tx)).filter(
      (s) => s.events.includes(event.type) && wantsFacility(s, facilities),
    );
    if (subscriptions.length === 0) return;
    const messages = subscriptions.map((s): NewOutboxMessage => {
      const payload: WebhookMessage = {
        subscriptionId: s.id,
        webhookId: newWebhookId(),
        type: event.type,
        body: renderWebhookBody(event, s),
      };
      return { channel: WEBHOOKS_CHANNEL, key: webhookKey(s.id, event.bookingId), payload };
    });
    await tx.appendOutbox(messages);
  };
}
