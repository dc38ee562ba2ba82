/**
 * Delivers queued webhook messages: each one a signed POST to its
 * subscription's URL, classified message by message (issue 15 "Delivery
 * rules"). The body was rendered when the change was made and is sent byte
 * for byte on every attempt; only `webhook-timestamp` and the signatures
 * are made per attempt.
 *
 * @module
 */
import type { Channel, ChannelResult, SingleChannelResult } from '../channel.ts';
import { maskPersonIdsInText } from '../../domain/personnummer.ts';
import type { ClaimedMessage } from '../../outbox/outbox-store.ts';
import type { DispatchLogger } from '../../outbox/outbox-dispatcher.ts';
import { RetrySchedule } from '../../outbox/retry-schedule.ts';
import type { Resolver } from './address-guard.ts';
import { classifyWebhookAnswer, nextDelayMs, type WebhookAnswer } from './webhook-answer.ts';
import type { WebhookEventType } from './webhook-event.ts';
import { signWebhook } from './webhook-signature.ts';
import { WebhookPoster } from './post-webhook.ts';

/** Outbox channel name of webhooks. */
export const WEBHOOKS_CHANNEL = 'webhooks';

/** Healthengine's limit: a receiver must answer within 5 s. */
export const WEBHOOK_TIMEOUT_MS = 5_000;

/** A subscription failing this long (every attempt since, across messages) is disabled. */
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 3_600_000;

/**
 * The dispatcher schedule for this channel: none of its own, so the wait is
 * exactly what {@link WebhooksChannel} asks for (`WEBHOOK_RETRY_DELAYS`).
 */
export const webhookDispatchSchedule = (): RetrySchedule =>
  new RetrySchedule({ baseMs: 0, capMs: 0 });

/** The outbox payload of one webhook: everything an attempt sends but the attempt's signature. */
export interface WebhookMessage {
  readonly subscriptionId: string;
  /** `webhook-id`: made once with the message, the same on every attempt. */
  readonly webhookId: string;
  readonly type: WebhookEventType;
  /** The exact body text. */
  readonly body: string;
}

/** A subscription as a delivery needs it. */
export interface WebhookTarget {
  readonly url: string;
  readonly enabled: boolean;
  /** Active secrets, opened, newest first (two during a rotation's overlap). */
  readonly secrets: readonly string[];
}

/** What the channel needs of the subscriptions (the store implements it). */
export interface WebhookTargets {
  /** The subscription's target now, or undefined when it was removed. */
  target(subscriptionId: string, nowUtcMs: number): Promise<WebhookTarget | undefined>;
  /** Records a failed attempt; returns since when the subscription has been failing. */
  recordFailure(subscriptionId: string, nowUtcMs: number): Promise<number>;
  /** Records a delivery: the subscription is no longer failing. */
  recordSuccess(subscriptionId: string): Promise<void>;
  /** Stops deliveries to the subscription until staff enable it again. */
  disable(subscriptionId: string, reason: string, nowUtcMs: number): Promise<void>;
}

export interface WebhooksChannelOptions {
  /** `WEBHOOK_RETRY_DELAYS` in ms. */
  readonly retryDelaysMs: readonly number[];
  /** `WEBHOOK_ALLOW_LOOPBACK`. */
  readonly allowLoopback: boolean;
  /** `WEBHOOK_LEASE_MS`: how long the dispatcher's claim lasts; the dispatcher's default when absent. */
  readonly leaseMs?: number;
  /** Messages delivered at once (each its own POST); 16 by default. */
  readonly batchSize?: number;
  /** {@link WEBHOOK_TIMEOUT_MS} by default. */
  readonly timeoutMs?: number;
  /** Host name resolver for the address guard (tests). */
  readonly resolve?: Resolver;
  readonly logger?: DispatchLogger;
  readonly now?: () => number;
}

const MAX_REASON_CHARS = 300;

/** A reason safe to store and log: one line, person ids masked, bounded. */
function safeReason(text: string): string {
  const masked = maskPersonIdsInText(text.replace(/\s+/g, ' ').trim());
  return masked.length > MAX_REASON_CHARS ? `${masked.slice(0, MAX_REASON_CHARS)}…` : masked;
}

/** The `webhooks` channel. */
export class WebhooksChannel implements Channel {
  readonly name = WEBHOOKS_CHANNEL;
  readonly batchSize: number;
  readonly leaseMs: number | undefined;
  /** The wait is exactly what each message's result asks for (`WEBHOOK_RETRY_DELAYS`). */
  readonly retrySchedule = webhookDispatchSchedule();
  readonly #poster: WebhookPoster;
  readonly #now: () => number;
  readonly #logger: DispatchLogger | undefined;

  constructor(
    private readonly targets: WebhookTargets,
    private readonly options: WebhooksChannelOptions,
  ) {
    this.batchSize = options.batchSize ?? 16;
    this.leaseMs = options.leaseMs;
    this.#poster = new WebhookPoster(
      { allowLoopback: options.allowLoopback },
      options.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
      options.resolve,
    );
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
  }

  async deliver(messages: readonly ClaimedMessage[]): Promise<ChannelResult> {
    const results = await Promise.all(messages.map((m) => this.#deliverOne(m)));
    return { kind: 'each', results: new Map(messages.map((m, i) => [m.id, results[i]!])) };
  }

  /**
   * Sends one signed request to a subscription now, outside the outbox (the
   * admin ping). Resolves with how the receiver answered.
   */
  async send(
    subscriptionId: string,
    webhookId: string,
    body: string,
  ): Promise<WebhookAnswer | { readonly kind: 'no-subscription' }> {
    const target = await this.targets.target(subscriptionId, this.#now());
    if (!target) return { kind: 'no-subscription' };
    return this.#attempt(target, webhookId, body);
  }

  /** Lets idle connections go, so a process can exit. */
  close(): void {
    this.#poster.close();
  }

  async #attempt(target: WebhookTarget, webhookId: string, body: string): Promise<WebhookAnswer> {
    const headers = signWebhook(webhookId, new Date(this.#now()), body, target.secrets);
    try {
      const answer = await this.#poster.post(new URL(target.url), { ...headers }, body);
      return classifyWebhookAnswer(
        answer.status,
        answer.retryAfterMs,
        safeReason(answer.bodyStart),
      );
    } catch (err) {
      return { kind: 'failed', reason: safeReason(`not delivered: ${(err as Error).message}`) };
    }
  }

  async #deliverOne(claimed: ClaimedMessage): Promise<SingleChannelResult> {
    try {
      return await this.#tryOne(claimed);
    } catch (err) {
      // The store or the secret key failed us (no TIDBOK_SECRET_KEY, a key
      // that does not open the secrets): wait a schedule step, never spin.
      const steps = this.options.retryDelaysMs;
      return {
        kind: 'retry',
        reason: safeReason(`not sent: ${(err as Error).message}`),
        afterMs: nextDelayMs(claimed.attempts, steps) ?? steps.at(-1) ?? WEBHOOK_TIMEOUT_MS,
      };
    }
  }

  async #tryOne(claimed: ClaimedMessage): Promise<SingleChannelResult> {
    const message = claimed.payload as WebhookMessage;
    const id = message.subscriptionId;
    const target = await this.targets.target(id, this.#now());
    // Events of a subscription that is gone or switched off are not kept for it.
    if (!target) return { kind: 'skipped', reason: 'the subscription was removed' };
    if (!target.enabled) return { kind: 'skipped', reason: 'the subscription is disabled' };

    const answer = await this.#attempt(target, message.webhookId, message.body);
    switch (answer.kind) {
      case 'delivered':
        await this.targets.recordSuccess(id);
        return { kind: 'delivered' };
      case 'refused':
        return { kind: 'permanent', reason: answer.reason };
      case 'gone':
        await this.#disable(id, answer.reason);
        return { kind: 'permanent', reason: `${answer.reason}; subscription disabled` };
      case 'failed': {
        const now = this.#now();
        const failingSince = await this.targets.recordFailure(id, now);
        if (now - failingSince >= DISABLE_AFTER_FAILING_MS) {
          const reason = `failing for 5 days (last: ${answer.reason})`;
          await this.#disable(id, reason);
          return { kind: 'permanent', reason: `${reason}; subscription disabled` };
        }
        const delay = nextDelayMs(
          claimed.attempts,
          this.options.retryDelaysMs,
          answer.retryAfterMs,
        );
        if (delay === undefined)
          return {
            kind: 'permanent',
            reason: `gave up after ${claimed.attempts} attempts: ${answer.reason}`,
          };
        return { kind: 'retry', reason: answer.reason, afterMs: delay };
      }
    }
  }

  async #disable(subscriptionId: string, reason: string): Promise<void> {
    await this.targets.disable(subscriptionId, reason, this.#now());
    this.#logger?.error(
      { alert: true, channel: WEBHOOKS_CHANNEL, subscriptionId, reason },
      'webhook subscription disabled',
    );
  }
}
