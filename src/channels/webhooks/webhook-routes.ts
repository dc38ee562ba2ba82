/**
 * The admin API's webhook routes (issue 15), on Express with zod-checked
 * input: create (`201 {id, secret}`, the secret shown once), list (never a
 * secret), delete, rotate the secret, enable, and a signed test ping.
 *
 * @module
 */
import { Router, type Request, type Response } from 'express';
import { renderPingBody } from './webhook-body.ts';
import { newWebhookId } from './webhook-signature.ts';
import {
  SecretKeyMissingError,
  WebhookInputError,
  type WebhookSubscriptions,
} from './webhook-subscriptions.ts';
import type { WebhooksChannel } from './webhooks-channel.ts';

export interface WebhookRouteDeps {
  readonly subscriptions: WebhookSubscriptions;
  /** Sends the ping, through the same address guard and signing as deliveries. */
  readonly channel: Pick<WebhooksChannel, 'send'>;
  readonly now?: () => number;
}

type Handler = (req: Request, res: Response) => Promise<void>;

/** Input errors are 400, a missing secret key 503; both say what to do. */
function answering(handler: Handler): Handler {
  return async (req, res) => {
    try {
      await handler(req, res);
    } catch (err) {
      if (err instanceof WebhookInputError) res.status(400).json({ error: err.message });
      else if (err instanceof SecretKeyMissingError) res.status(503).json({ error: err.message });
      else throw err;
    }
  };
}

const notFound = (res: Response, id: string) =>
  res.status(404).json({ error: `no webhook subscription ${id}` });

const idOf = (req: Request) => String(req.params['id']);

/** The routes, to be mounted under the admin API's authentication at `/admin/webhooks`. */
export function webhookRoutes(deps: WebhookRouteDeps): Router {
  const { subscriptions } = deps;
  const now = deps.now ?? Date.now;
  const router = Router();

  router.post(
    '/',
    answering(async (req, res) => {
      const { subscription, secret } = await subscriptions.create(req.body ?? {});
      res.status(201).json({ id: subscription.id, secret });
    }),
  );

  router.get(
    '/',
    answering(async (_req, res) => {
      res.json(await subscriptions.list());
    }),
  );

  router.delete(
    '/:id',
    answering(async (req, res) => {
      if (await subscriptions.remove(idOf(req))) res.status(204).end();
      else notFound(res, idOf(req));
    }),
  );

  router.post(
    '/:id/rotate-secret',
    answering(async (req, res) => {
      const rotated = await subscriptions.rotate(idOf(req));
      if (rotated) res.json(rotated);
      else notFound(res, idOf(req));
    }),
  );

  router.post(
    '/:id/enable',
    answering(async (req, res) => {
      const enabled = await subscriptions.enable(idOf(req));
      if (enabled) res.json(enabled);
      else notFound(res, idOf(req));
    }),
  );

  router.post(
    '/:id/ping',
    answering(async (req, res) => {
      const subscription = await subscriptions.get(idOf(req));
      if (!subscription) return void notFound(res, idOf(req));
      const webhookId = newWebhookId();
      const body = renderPingBody(subscription.format, subscription.id, now());
      const answer = await deps.channel.send(subscription.id, webhookId, body);
      if (answer.kind === 'no-subscription') return void notFound(res, idOf(req));
      res.json({
        webhookId,
        delivered: answer.kind === 'delivered',
        ...(answer.kind === 'delivered' ? {} : { reason: answer.reason }),
      });
    }),
  );

  return router;
}
