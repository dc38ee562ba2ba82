/**
 * The seam between the outbox dispatcher and the database that holds the
 * outbox. Messages are appended by `StoreTx.appendOutbox` with the booking
 * change that caused them; this interface is how they get out again.
 *
 * Rules every implementation keeps:
 * - Per-key order: only the oldest undelivered message of a key can be
 *   claimed. While it is in flight, waiting for a retry or dead, the key's
 *   later messages wait behind it (EI-TKB "Parallella anrop", rivta-spec §4).
 * - Exclusive claims: a claim is atomic, so several dispatchers (in one
 *   process or several) never hold the same key at once.
 * - Leases: a claim lapses after its lease, so a crashed dispatcher's
 *   messages are claimed again (at-least-once delivery).
 *
 * @module
 */

/** A message handed to one dispatcher for delivery. */
export interface ClaimedMessage {
  /** Outbox row id; ascending in append order. */
  readonly id: number;
  readonly channel: string;
  /** Ordering key (for EI, the booking id; it may hold a person id for other channels, so mask it). */
  readonly key: string;
  /** The channel-specific payload, as appended. */
  readonly payload: unknown;
  /** Delivery attempts so far, this one included. */
  readonly attempts: number;
  /** When the message was appended (UTC ms). */
  readonly createdAtUtcMs: number;
}

/** Options of {@link OutboxStore.claimBatch}. */
export interface ClaimOptions {
  /**
   * Claim a key's next message only this long after the key's previous
   * delivery (ms). The engagement index needs 6 s, so that its 5 s collect
   * window cannot merge or reorder two updates of one key (rivta-spec §4).
   */
  readonly keyGapMs?: number;
}

/** A message that failed permanently, as an operator sees it. */
export interface DeadMessage {
  readonly id: number;
  readonly channel: string;
  /** The key with person ids masked. */
  readonly key: string;
  /** Why it failed (person ids masked). */
  readonly error: string;
  readonly attempts: number;
  readonly createdAtUtcMs: number;
}

/** How a settled message was settled, beyond "delivered". */
export type DeliveryNote =
  /** What the target answered about the delivery (no personal data). */
  | { readonly receipt: Readonly<Record<string, string>> }
  /** The channel chose not to send it, and why (person ids are masked on storing). */
  | { readonly skipped: string };

/** One outbox message as an operator or a test sees it. */
export interface OutboxMessageView {
  readonly id: number;
  readonly channel: string;
  /** The key with person ids masked. */
  readonly key: string;
  readonly status: 'pending' | 'in_flight' | 'delivered' | 'skipped' | 'dead';
  readonly attempts: number;
  /** The last failure (person ids masked), if any. */
  readonly lastError: string | undefined;
  /** What the target answered on delivery, when the channel kept something. */
  readonly receipt: Readonly<Record<string, string>> | undefined;
  /** Why the channel skipped the message. */
  readonly skipReason: string | undefined;
  readonly createdAtUtcMs: number;
  /** When it was delivered or skipped. */
  readonly settledAtUtcMs: number | undefined;
}

/** What the outbox holds, for health checks, the admin API and tests. */
export interface OutboxStatus {
  /** Messages waiting to be delivered, including those waiting for a retry. */
  readonly pending: number;
  /** Messages claimed by a dispatcher whose lease has not lapsed. */
  readonly inFlight: number;
  /** Messages that failed permanently and wait for an operator. */
  readonly dead: readonly DeadMessage[];
  /** Age of the oldest pending or in-flight message (ms), or undefined when none. */
  readonly oldestPendingAgeMs: number | undefined;
  /** Messages the channel deliberately did not send (kept until pruned like delivered ones). */
  readonly skipped: number;
}

export interface OutboxStore {
  /**
   * Claims up to `max` messages of `channel` for delivery by `owner`: each
   * the oldest undelivered message of its key, due (`notBeforeUtcMs` and the
   * next retry time have passed), with no live claim on it, oldest first. At
   * most one message per key. Marks them in flight until
   * `nowUtcMs + leaseMs` and counts the attempt.
   *
   * @param channel - channel name, e.g. `engagement-index`
   * @param max - at most this many messages (the channel's batch size)
   * @param nowUtcMs - the current time, passed in so tests control the clock
   * @param leaseMs - how long the claim lasts; longer than the channel's timeout
   * @param owner - the claiming dispatcher's id; only it may settle the claim
   * @param options - e.g. the minimum gap between deliveries of one key
   */
  claimBatch(
    channel: string,
    max: number,
    nowUtcMs: number,
    leaseMs: number,
    owner: string,
    options?: ClaimOptions,
  ): Promise<ClaimedMessage[]>;

  /**
   * Records that these messages were delivered at `nowUtcMs`. Only claims
   * still held by `owner` are settled; a lapsed claim taken over by another
   * dispatcher is left to that one.
   *
   * @param note - a receipt to keep with the messages, or that they were skipped and why
   */
  markDelivered(
    ids: readonly number[],
    owner: string,
    nowUtcMs: number,
    note?: DeliveryNote,
  ): Promise<void>;

  /** One message by id, as it stands now; undefined when unknown or pruned. */
  findMessage(id: number): Promise<OutboxMessageView | undefined>;

  /**
   * Returns these claimed messages to pending, to be claimed again no
   * earlier than `nextAttemptUtcMs`, recording `error` (person ids masked).
   */
  markRetry(
    ids: readonly number[],
    owner: string,
    error: string,
    nextAttemptUtcMs: number,
  ): Promise<void>;

  /**
   * Moves these claimed messages to the dead letters with `error` (person
   * ids masked). Their keys stay blocked until {@link retryDead}.
   */
  markDead(ids: readonly number[], owner: string, error: string): Promise<void>;

  /**
   * Puts one dead message (by id), or all of them, back to pending, due now.
   * Returns how many were re-queued.
   */
  retryDead(id: number | 'all'): Promise<number>;

  /**
   * Counts and dead letters, for one channel or all of them.
   *
   * @param channel - one channel, or all when absent
   * @param nowUtcMs - the current time (decides which leases have lapsed); `Date.now()` by default
   */
  status(channel?: string, nowUtcMs?: number): Promise<OutboxStatus>;

  /**
   * Deletes messages delivered (or skipped) before `beforeUtcMs` and returns how many.
   * Keep at least the largest channel key gap, so that a key's last delivery
   * is still there to be waited for.
   */
  pruneDelivered(beforeUtcMs: number): Promise<number>;
}
