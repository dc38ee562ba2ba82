/**
 * Standard Webhooks v1 signing (channels.md §4): `webhook-signature` is one
 * `v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}` per active secret,
 * separated by spaces, made by the `standardwebhooks` library itself so that
 * what receivers verify with it is exactly what we sign.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { logSafeUuid } from '../../logging/log-safe-id.ts';

const SECRET_PREFIX = 'whsec_';

/** A new subscription secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** Whether a value has the shape {@link newWebhookSecret} makes. */
export function isWebhookSecret(value: string): boolean {
  if (!value.startsWith(SECRET_PREFIX)) return false;
  const raw = value.slice(SECRET_PREFIX.length);
  return /^[A-Za-z0-9+/]+={0,2}$/.test(raw) && Buffer.from(raw, 'base64').length === 32;
}

/** A message id for `webhook-id`: made once per message, repeated on every retry. */
export function newWebhookId(): string {
  return `msg_${logSafeUuid()}`;
}

/** The three Standard Webhooks headers of one delivery attempt. */
export interface SignatureHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/**
 * Signs one attempt.
 *
 * @param webhookId - the message's id, the same on every attempt
 * @param attemptAt - when this attempt is made; its Unix seconds are signed
 * @param body - the exact body text that will be sent
 * @param secrets - every active secret (`whsec_…`), newest first; at least one
 */
export function signWebhook(
  webhookId: string,
  attemptAt: Date,
  body: string,
  secrets: readonly string[],
): SignatureHeaders {
  if (secrets.length === 0) throw new Error('a webhook needs at least one secret to be signed');
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(attemptAt.getTime() / 1000)),
    'webhook-signature': secrets
      .map((secret) => new Webhook(secret).sign(webhookId, attemptAt, body))
      .join(' '),
  };
}
