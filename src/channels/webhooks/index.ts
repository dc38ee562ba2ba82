/**
 * Booking webhooks as a channel (issue 15): every booking change becomes one
 * signed message per matching subscription in the outbox, delivered by
 * {@link WebhooksChannel}; subscriptions are managed on the admin API
 * (`/admin/webhooks…`) and with `tidbok webhook …`. Always on: without a
 * subscription it writes and sends nothing.
 *
 * @module
 */
import type { CalendarStore } from '../../store/calendar-store.ts';
import { configOf, type ChannelModule } from '../channel-module.ts';
import { webhookSubscriptionRows } from './sql-webhook-subscription-rows.ts';
import { webhookCommands } from './webhook-commands.ts';
import { webhookListener } from './webhook-listener.ts';
import { webhookAdminRoutes } from './webhook-routes.ts';
import { secretBoxOf } from './webhook-secret-key.ts';
import { WebhookSubscriptions } from './webhook-subscriptions.ts';
import { WEBHOOKS_CHANNEL, WebhooksChannel } from './webhooks-channel.ts';
import {
  keyFileBeside,
  readWebhooksConfig,
  WEBHOOK_SETTINGS,
  type WebhooksConfig,
} from './webhooks-config.ts';

type Warn = (message: string) => void;

/** The subscriptions on `store`, with secrets sealed under the configured key. */
export function webhookSubscriptions(
  config: WebhooksConfig,
  store: CalendarStore,
  warn: Warn,
): WebhookSubscriptions {
  return new WebhookSubscriptions(webhookSubscriptionRows(store), {
    allowLoopback: config.allowLoopback,
    box: secretBoxOf(config, warn),
  });
}

function deliveryOf(
  config: WebhooksConfig,
  subscriptions: WebhookSubscriptions,
  logger?: ConstructorParameters<typeof WebhooksChannel>[1]['logger'],
): WebhooksChannel {
  return new WebhooksChannel(subscriptions, {
    retryDelaysMs: config.retryDelaysMs,
    allowLoopback: config.allowLoopback,
    leaseMs: config.leaseMs,
    ...(config.resolve ? { resolve: config.resolve } : {}),
    ...(logger ? { logger } : {}),
  });
}

export const webhooks: ChannelModule<WebhooksConfig> = {
  name: WEBHOOKS_CHANNEL,
  settings: WEBHOOK_SETTINGS,
  readConfig: (env) => readWebhooksConfig(env),
  changeListener: () => webhookListener((tx) => tx.listEnabledWebhookSubscriptions()),
  // Deliveries need the subscriptions, so only the app (which lends its store) sends.
  createChannel: (config, _overrides, context) =>
    context &&
    deliveryOf(
      config,
      webhookSubscriptions(config, context.store, (m) => context.logger.warn(m)),
      context.logger,
    ),
  describeTarget: () =>
    'Webhooks: sent to the subscriptions staff register (/admin/webhooks, tidbok webhook add).',
  cliCommands: (open) =>
    webhookCommands((io, db, fn) =>
      open(io, db, (services) => {
        const read = configOf(services.channels, webhooks) ?? readWebhooksConfig(io.env);
        // --db names the store; its key file is the one beside it.
        const config = db === undefined ? read : { ...read, keyFile: keyFileBeside(db) };
        return fn(webhookSubscriptions(config, services.store, io.err));
      }),
    ),
  adminRoutes: (config) => (context) => {
    const subscriptions = webhookSubscriptions(config, context.service.store, () => undefined);
    return webhookAdminRoutes({ subscriptions, channel: deliveryOf(config, subscriptions) })(
      context,
    );
  },
};
