/**
 * The admin API's webhook routes (issue 15), contributed to the admin API
 * with zod-checked input: create (`201 {id, secret}`, the secret shown
 * once), list (never a secret), delete, rotate the secret, enable, and a
 * signed test ping.
 *
 * @module
 */
import { z } from 'zod';
import { AdminHttpError } from '../../admin/admin-http-error.ts';
import {
  defineAdminRoute,
  noBody,
  noQuery,
  type AdminRouteContribution,
} from '../../admin/admin-route.ts';
import { renderPingBody } from './webhook-body.ts';
import { newWebhookId } from './webhook-signature.ts';
import {
  newSubscriptionSchema,
  SecretKeyMissingError,
  WebhookInputError,
  type WebhookSubscriptions,
} from './webhook-subscriptions.ts';
import type { WebhooksChannel } from './webhooks-channel.ts';

export interface WebhookRouteDeps {
  readonly subscriptions: WebhookSubscriptions;
  /** Sends the ping, through the same address guard and signing as deliveries. */
  readonly channel: Pick<WebhooksChannel, 'send'>;
}

/** Input errors are 400, a missing secret key 503; both say what to do. */
async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof WebhookInputError) throw new AdminHttpError(400, err.message);
    if (err instanceof SecretKeyMissingError) throw new AdminHttpError(503, err.message);
    throw err;
  }
}

function found<T>(value: T | undefined, id: string | undefined): T {
  if (value === undefined) throw new AdminHttpError(404, `no webhook subscription ${id}`);
  return value;
}

const subscriptionView = z.object({
  id: z.string(),
  url: z.string(),
  facilities: z.union([z.array(z.string()), z.literal('all')]),
  events: z.array(z.string()),
  format: z.string(),
  includePersonalData: z.boolean(),
  enabled: z.boolean(),
  disabledReason: z.string().optional(),
  createdAt: z.string(),
  previousSecretUntil: z.string().optional(),
});

/** The routes under `/admin/webhooks`, behind the admin token like every admin route. */
export function webhookAdminRoutes(deps: WebhookRouteDeps): AdminRouteContribution {
  const { subscriptions } = deps;
  return ({ now }) => [
    defineAdminRoute({
      method: 'POST',
      path: '/admin/webhooks',
      summary: 'Subscribe a URL to signed booking webhooks; the secret is shown once',
      body: newSubscriptionSchema,
      query: noQuery,
      status: 201,
      answer: z.object({ id: z.string(), secret: z.string() }),
      handle: ({ body }) =>
        answering(async () => {
          const { subscription, secret } = await subscriptions.create(body);
          return { id: subscription.id, secret };
        }),
    }),
    defineAdminRoute({
      method: 'GET',
      path: '/admin/webhooks',
      summary: 'List webhook subscriptions (never their secrets)',
      body: noBody,
      query: noQuery,
      answer: z.array(subscriptionView),
      handle: () => subscriptions.list(),
    }),
    defineAdminRoute({
      method: 'DELETE',
      path: '/admin/webhooks/:id',
      summary: 'Remove a webhook subscription; its queued events are skipped',
      body: noBody,
      query: noQuery,
      answer: z.object({ removed: z.string() }),
      handle: async ({ params }) => {
        const id = params['id']!;
        if (!(await subscriptions.remove(id))) return found(undefined, id);
        return { removed: id };
      },
    }),
    defineAdminRoute({
      method: 'POST',
      path: '/admin/webhooks/:id/rotate-secret',
      summary: 'A new secret, shown once; the old one keeps signing for 24 hours',
      body: noBody,
      query: noQuery,
      answer: z.object({ secret: z.string(), previousSecretUntil: z.string() }),
      handle: ({ params }) =>
        answering(async () => found(await subscriptions.rotate(params['id']!), params['id'])),
    }),
    defineAdminRoute({
      method: 'POST',
      path: '/admin/webhooks/:id/enable',
      summary: 'Enable a disabled webhook subscription again',
      body: noBody,
      query: noQuery,
      answer: subscriptionView,
      handle: async ({ params }) => found(await subscriptions.enable(params['id']!), params['id']),
    }),
    defineAdminRoute({
      method: 'POST',
      path: '/admin/webhooks/:id/ping',
      summary: 'Send a signed test event to the subscription now and report the answer',
      body: noBody,
      query: noQuery,
      answer: z.object({
        webhookId: z.string(),
        delivered: z.boolean(),
        reason: z.string().optional(),
      }),
      handle: ({ params }) =>
        answering(async () => {
          const subscription = found(await subscriptions.get(params['id']!), params['id']);
          const webhookId = newWebhookId();
          const body = renderPingBody(subscription.format, subscription.id, now());
          const answer = await deps.channel.send(subscription.id, webhookId, body);
          if (answer.kind === 'no-subscription') return found(undefined, params['id']);
          return {
            webhookId,
            delivered: answer.kind === 'delivered',
            ...(answer.kind === 'delivered' ? {} : { reason: answer.reason }),
          };
        }),
    }),
  ];
}
