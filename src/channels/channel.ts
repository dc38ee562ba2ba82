/**
 * The seam between the outbox dispatcher and one delivery target (the
 * engagement index now, webhooks later). A channel knows its protocol and
 * how to classify an answer; the dispatcher owns claiming, retry timing,
 * per-key order and dead letters.
 *
 * @module
 */
import type { ClaimedMessage } from '../outbox/outbox-store.ts';
import type { RetrySchedule } from '../outbox/retry-schedule.ts';

/** How a delivery went, as far as the dispatcher needs to know. */
export type ChannelResult =
  /**
   * The target accepted every message. `receipt` holds what the target said
   * about it that an operator may need later (e.g. Kivra's `kivra-objkey`);
   * it is stored with the message and must hold no personal data.
   */
  | { readonly kind: 'delivered'; readonly receipt?: Readonly<Record<string, string>> }
  /**
   * This channel deliberately does not send the message (e.g. the recipient
   * has no Kivra mailbox). Settled like a delivery, never retried, not an
   * error and not a dead letter; the reason is recorded and counted.
   */
  | { readonly kind: 'skipped'; readonly reason: string }
  /**
   * One result per message of the batch, by message id, for targets whose
   * calls succeed or fail message by message. A message missing from the map
   * is retried. No result in the map may itself be `each`.
   */
  | { readonly kind: 'each'; readonly results: ReadonlyMap<number, SingleChannelResult> }
  /**
   * A passing failure (timeout, transport error, overload): try again later,
   * no sooner than `afterMs` when the target said so.
   */
  | { readonly kind: 'retry'; readonly reason: string; readonly afterMs?: number }
  /** The target refused the messages and will refuse them again: dead-letter and alert. */
  | { readonly kind: 'permanent'; readonly reason: string };

/** A result that applies to one message or a whole batch, never split further. */
export type SingleChannelResult = Exclude<ChannelResult, { readonly kind: 'each' }>;

export interface Channel {
  /** The outbox channel this delivers, e.g. `engagement-index`. */
  readonly name: string;
  /** Most messages one {@link deliver} call takes. */
  readonly batchSize: number;
  /**
   * Minimum time between two deliveries of one key (ms), when the target
   * needs one (the engagement index: its collect window, rivta-spec §4).
   */
  readonly keyGapMs?: number;
  /**
   * How long the dispatcher's claim on a batch lasts (ms); longer than the
   * longest {@link deliver} call. The dispatcher's default (10 min) when absent.
   */
  readonly leaseMs?: number;
  /** Backoff after a passing failure; the dispatcher's default (1 s base, 5 min cap) when absent. */
  readonly retrySchedule?: RetrySchedule;
  /**
   * Delivers a batch: at most {@link batchSize} messages, never two with the
   * same key. The result applies to the whole batch. Reasons must not hold
   * personal data in clear.
   *
   * @param messages - claimed messages, oldest first
   * @param signal - aborted when the dispatcher gives up on the call
   */
  deliver(messages: readonly ClaimedMessage[], signal: AbortSignal): Promise<ChannelResult>;
  /** Lets go of connections and timers, so the process can exit; called once, after the dispatcher stopped. */
  close?(): void;
}
