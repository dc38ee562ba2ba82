/**
 * Staff's view of webhook subscriptions (the admin API and `tidbok webhook`
 * share it): create with a fresh secret shown once, list without secrets,
 * remove, rotate the secret (the old one keeps signing beside the new one
 * for 24 hours), enable again. It also gives the channel what a delivery
 * needs: URL, state and the active secrets, opened.
 *
 * @module
 */
import { z } from 'zod';
import { logSafeUuid } from '../../logging/log-safe-id.ts';
import { urlRefusal } from './address-guard.ts';
import { isoStockholm, WEBHOOK_FORMATS, type WebhookFormat } from './webhook-body.ts';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-event.ts';
import { newWebhookSecret } from './webhook-signature.ts';
import type { StoredWebhookSubscription, WebhookSubscriptionRows } from './webhook-subscription.ts';
import type { WebhookTarget, WebhookTargets } from './webhooks-channel.ts';
import type { SecretBox } from './secret-box.ts';

/** How long the secret before a rotation keeps signing beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

const HSA_ID = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

/** What staff send to create a subscription (`POST /admin/webhooks`, `tidbok webhook add`). */
export const newSubscriptionSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(2000),
    facilities: z.array(z.string().regex(HSA_ID, 'an HSA-id')).min(1).max(1000).optional(),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).optional(),
    format: z.enum(WEBHOOK_FORMATS).default('standard'),
    includePersonalData: z.boolean().default(false),
  })
  .strict();

export type NewSubscription = z.input<typeof newSubscriptionSchema>;

/** A subscription as staff see it: never a secret. */
export interface WebhookSubscriptionView {
  readonly id: string;
  readonly url: string;
  /** HSA-ids, or `all`. */
  readonly facilities: readonly string[] | 'all';
  readonly events: readonly WebhookEventType[];
  readonly format: WebhookFormat;
  readonly includePersonalData: boolean;
  readonly enabled: boolean;
  readonly disabledReason?: string;
  readonly createdAt: string;
  /** Until when the previous secret still signs, during a rotation's overlap. */
  readonly previousSecretUntil?: string;
}

/** A request staff must correct (bad URL, unknown event…): HTTP 400, CLI exit 2. */
export class WebhookInputError extends Error {
  override readonly name = 'WebhookInputError';
}

/** `TIDBOK_SECRET_KEY` is needed and not set (production). */
export class SecretKeyMissingError extends Error {
  override readonly name = 'SecretKeyMissingError';
}

export interface WebhookSubscriptionsOptions {
  readonly allowLoopback: boolean;
  /** The key secrets are sealed with; undefined in production without `TIDBOK_SECRET_KEY`. */
  readonly box: SecretBox | undefined;
  readonly now?: () => number;
}

function view(s: StoredWebhookSubscription, now: number): WebhookSubscriptionView {
  const overlapping =
    s.previousSecretUntilUtcMs !== undefined && s.previousSecretUntilUtcMs > now
      ? { previousSecretUntil: isoStockholm(s.previousSecretUntilUtcMs) }
      : {};
  return {
    id: s.id,
    url: s.url,
    facilities: s.facilities ?? 'all',
    events: s.events,
    format: s.format,
    includePersonalData: s.includePersonalData,
    enabled: s.enabled,
    ...(s.disabledReason === undefined ? {} : { disabledReason: s.disabledReason }),
    createdAt: isoStockholm(s.createdAtUtcMs),
    ...overlapping,
  };
}

export class WebhookSubscriptions implements WebhookTargets {
  readonly #now: () => number;

  constructor(
    private readonly rows: WebhookSubscriptionRows,
    private readonly options: WebhookSubscriptionsOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  #box(): SecretBox {
    if (!this.options.box)
      throw new SecretKeyMissingError(
        'TIDBOK_SECRET_KEY must be set to keep webhook secrets (openssl rand -base64 32)',
      );
    return this.options.box;
  }

  /** Creates a subscription; the secret in the answer is never shown again. */
  async create(input: unknown): Promise<{ subscription: WebhookSubscriptionView; secret: string }> {
    const parsed = newSubscriptionSchema.safeParse(input);
    if (!parsed.success) throw new WebhookInputError(z.prettifyError(parsed.error));
    const request = parsed.data;
    const refusal = urlRefusal(new URL(request.url), { allowLoopback: this.options.allowLoopback });
    if (refusal) throw new WebhookInputError(`url: ${refusal}`);
    const box = this.#box();
    const id = `wh_${logSafeUuid()}`;
    const secret = newWebhookSecret();
    const stored: StoredWebhookSubscription = {
      id,
      url: request.url,
      facilities: request.facilities,
      events: request.events ?? [...WEBHOOK_EVENT_TYPES],
      format: request.format,
      includePersonalData: request.includePersonalData,
      enabled: true,
      disabledReason: undefined,
      createdAtUtcMs: this.#now(),
      failingSinceUtcMs: undefined,
      sealedSecret: box.seal(secret, id),
      sealedPreviousSecret: undefined,
      previousSecretUntilUtcMs: undefined,
    };
    await this.rows.insert(stored);
    return { subscription: view(stored, this.#now()), secret };
  }

  async list(): Promise<WebhookSubscriptionView[]> {
    const now = this.#now();
    return (await this.rows.list()).map((s) => view(s, now));
  }

  async get(id: string): Promise<WebhookSubscriptionView | undefined> {
    const stored = await this.rows.get(id);
    return stored && view(stored, this.#now());
  }

  /** True when it existed. Its queued events are skipped. */
  remove(id: string): Promise<boolean> {
    return this.rows.remove(id);
  }

  /**
   * A new secret, shown once; the current one keeps signing beside it for
   * {@link ROTATION_OVERLAP_MS}. Undefined when there is no such subscription.
   */
  async rotate(id: string): Promise<{ secret: string; previousSecretUntil: string } | undefined> {
    const stored = await this.rows.get(id);
    if (!stored) return undefined;
    const box = this.#box();
    const secret = newWebhookSecret();
    const until = this.#now() + ROTATION_OVERLAP_MS;
    const changed = await this.rows.setSecrets(
      id,
      box.seal(secret, id),
      stored.sealedSecret,
      until,
    );
    return changed ? { secret, previousSecretUntil: isoStockholm(until) } : undefined;
  }

  /** Enables a disabled subscription again; undefined when there is none. */
  async enable(id: string): Promise<WebhookSubscriptionView | undefined> {
    if (!(await this.rows.setEnabled(id, true, undefined))) return undefined;
    return this.get(id);
  }

  async target(id: string, nowUtcMs: number): Promise<WebhookTarget | undefined> {
    const stored = await this.rows.get(id);
    if (!stored) return undefined;
    const box = this.#box();
    const previous =
      stored.sealedPreviousSecret !== undefined &&
      stored.previousSecretUntilUtcMs !== undefined &&
      stored.previousSecretUntilUtcMs > nowUtcMs
        ? [box.open(stored.sealedPreviousSecret, id)]
        : [];
    return {
      url: stored.url,
      enabled: stored.enabled,
      secrets: [box.open(stored.sealedSecret, id), ...previous],
    };
  }

  recordFailure(id: string, nowUtcMs: number): Promise<number> {
    return this.rows.markFailing(id, nowUtcMs);
  }

  recordSuccess(id: string): Promise<void> {
    return this.rows.clearFailing(id);
  }

  async disable(id: string, reason: string): Promise<void> {
    await this.rows.setEnabled(id, false, reason);
  }
}
