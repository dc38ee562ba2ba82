/**
 * A webhook subscription: where events go, which ones, in which format, and
 * its secrets as the store keeps them (sealed, see `secret-box.ts`).
 *
 * @module
 */
import type { StoreTx } from '../../store/calendar-store.ts';
import type { WebhookFormat } from './webhook-body.ts';
import type { WebhookEventType } from './webhook-event.ts';

/** A subscription as the store holds it. */
export interface StoredWebhookSubscription {
  readonly id: string;
  readonly url: string;
  /** Facility HSA-ids whose changes are sent; undefined: all facilities. */
  readonly facilities: readonly string[] | undefined;
  readonly events: readonly WebhookEventType[];
  readonly format: WebhookFormat;
  readonly includePersonalData: boolean;
  readonly enabled: boolean;
  /** Why it was disabled (410, failing for 5 days); undefined while enabled. */
  readonly disabledReason: string | undefined;
  readonly createdAtUtcMs: number;
  /** Since when every attempt has failed; undefined when the last one went through. */
  readonly failingSinceUtcMs: number | undefined;
  /** The current secret, sealed. */
  readonly sealedSecret: string;
  /** The secret before the last rotation, sealed; signs beside the new one until the time below. */
  readonly sealedPreviousSecret: string | undefined;
  readonly previousSecretUntilUtcMs: number | undefined;
}

/**
 * The enabled subscriptions, read on a booking change's own transaction, so
 * its messages are written for exactly the subscriptions that existed when
 * it committed.
 */
export type EnabledSubscriptionsOn = (tx: StoreTx) => Promise<readonly StoredWebhookSubscription[]>;

/**
 * Where subscriptions are kept; each store (SQLite, PostgreSQL) implements
 * it on its own database. Every method is one atomic statement.
 */
export interface WebhookSubscriptionRows {
  insert(subscription: StoredWebhookSubscription): Promise<void>;
  /** All subscriptions, oldest first. */
  list(): Promise<StoredWebhookSubscription[]>;
  get(id: string): Promise<StoredWebhookSubscription | undefined>;
  count(): Promise<number>;
  /** True when it existed. */
  remove(id: string): Promise<boolean>;
  /** Replaces the secrets (rotation); true when the subscription exists. */
  setSecrets(
    id: string,
    sealedSecret: string,
    sealedPreviousSecret: string | undefined,
    previousSecretUntilUtcMs: number | undefined,
  ): Promise<boolean>;
  /**
   * Enables (reason undefined; the failing streak is forgotten) or disables
   * with a reason. True when the subscription exists.
   */
  setEnabled(id: string, enabled: boolean, disabledReason: string | undefined): Promise<boolean>;
  /** Starts the failing streak at `nowUtcMs` unless one is running; returns its start. */
  markFailing(id: string, nowUtcMs: number): Promise<number>;
  /** Ends the failing streak. */
  clearFailing(id: string): Promise<void>;
}
