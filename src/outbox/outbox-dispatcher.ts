/**
 * Moves outbox messages to their channel: claim a batch, deliver it, settle
 * it. The dispatcher owns retry timing, dead letters and alerts; the store
 * owns per-key order and exclusive claims; the channel owns the protocol.
 *
 * Delivery is at least once: a message is settled only after its channel
 * answered, so a crash in between delivers it again once its lease lapses.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Channel, ChannelResult, SingleChannelResult } from '../channels/channel.ts';
import { maskPersonIdsInText } from '../domain/personnummer.ts';
import type { ClaimedMessage, OutboxStore } from './outbox-store.ts';
import { RetrySchedule } from './retry-schedule.ts';

/** The part of a pino logger the dispatcher uses. */
export interface DispatchLogger {
  error(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

const silent: DispatchLogger = { error() {}, warn() {}, info() {} };

export interface OutboxDispatcherOptions {
  readonly store: OutboxStore;
  readonly channel: Channel;
  readonly logger?: DispatchLogger;
  /** Backoff for passing failures; the channel's, else 1 s base and 5 min cap. */
  readonly retrySchedule?: RetrySchedule;
  /**
   * How long a claim lasts (ms). Must outlast one delivery call (a refused
   * batch is sent again one by one, each under a claim of its own); the
   * channel's, else 10 min.
   */
  readonly leaseMs?: number;
  /** Safety-net poll when nobody calls {@link OutboxDispatcher.notify} (ms); 1 s by default. */
  readonly pollIntervalMs?: number;
  /** This dispatcher's claim owner id; host, pid and a random part by default. */
  readonly owner?: string;
  /** Clock; `Date.now` by default. */
  readonly now?: () => number;
}

export class OutboxDispatcher {
  readonly owner: string;
  private readonly store: OutboxStore;
  private readonly channel: Channel;
  private readonly logger: DispatchLogger;
  private readonly schedule: RetrySchedule;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly now: () => number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private notified = false;

  constructor(options: OutboxDispatcherOptions) {
    this.store = options.store;
    this.channel = options.channel;
    this.logger = options.logger ?? silent;
    this.schedule = options.retrySchedule ?? options.channel.retrySchedule ?? new RetrySchedule();
    this.leaseMs = options.leaseMs ?? options.channel.leaseMs ?? 600_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.now = options.now ?? Date.now;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID()}`;
  }

  /** Whether the delivery loop is running (started and not stopped), for readiness. */
  get isRunning(): boolean {
    return this.running && this.loop !== undefined;
  }

  /** Starts the delivery loop (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops the loop after the delivery in progress, if any, has been answered and settled. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** Tells the dispatcher that messages were appended (call after the commit): it claims at once. */
  notify(): void {
    this.notified = true;
    this.wake?.();
  }

  /**
   * One round: claims a batch, delivers it and settles it. Returns how many
   * messages were claimed (0 when nothing was due).
   */
  async drainOnce(): Promise<number> {
    return this.claimAndDeliver(this.channel.batchSize);
  }

  /** Claims up to `max` due messages under a claim of their own, delivers and settles them. */
  private async claimAndDeliver(max: number): Promise<number> {
    const batch = await this.store.claimBatch(
      this.channel.name,
      max,
      this.now(),
      this.leaseMs,
      this.owner,
      this.channel.keyGapMs === undefined ? {} : { keyGapMs: this.channel.keyGapMs },
    );
    if (batch.length > 0) await this.deliver(batch);
    return batch.length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.drainOnce();
      } catch (err) {
        this.logger.error(
          { channel: this.channel.name, err: maskPersonIdsInText(String(err)) },
          'outbox dispatch round failed',
        );
      }
      // Something was claimed: the keys' next messages may be due already.
      if (claimed > 0 || !this.running) continue;
      await this.idle();
    }
  }

  private idle(): Promise<void> {
    if (this.notified) {
      this.notified = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.notified = false;
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      this.wake = done;
    });
  }

  private async deliver(batch: readonly ClaimedMessage[]): Promise<void> {
    let result: ChannelResult;
    try {
      // The signal is never aborted: stop() lets the call finish, and the
      // channel enforces its own timeout.
      result = await this.channel.deliver(batch, new AbortController().signal);
    } catch (err) {
      result = { kind: 'retry', reason: `channel failed: ${String(err)}` };
    }
    if (result.kind !== 'each') return this.settle(batch, result);
    // Message by message: settle each with its own result; one the channel
    // did not answer for is tried again.
    for (const message of batch)
      await this.settle(
        [message],
        result.results.get(message.id) ?? {
          kind: 'retry',
          reason: 'the channel gave no result for this message',
        },
      );
  }

  private async settle(
    batch: readonly ClaimedMessage[],
    result: SingleChannelResult,
  ): Promise<void> {
    const ids = batch.map((m) => m.id);
    switch (result.kind) {
      case 'delivered':
        await this.store.markDelivered(
          ids,
          this.owner,
          this.now(),
          result.receipt ? { receipt: result.receipt } : undefined,
        );
        return;
      case 'skipped':
        await this.store.markDelivered(ids, this.owner, this.now(), { skipped: result.reason });
        this.logger.info(
          {
            channel: this.channel.name,
            messages: batch.length,
            reason: maskPersonIdsInText(result.reason),
          },
          'outbox message skipped by its channel',
        );
        return;
      case 'retry': {
        const attempt = Math.max(...batch.map((m) => m.attempts));
        const delayMs = this.schedule.delayMs(attempt, result.afterMs);
        await this.store.markRetry(ids, this.owner, result.reason, this.now() + delayMs);
        this.logger.warn(
          {
            channel: this.channel.name,
            messages: batch.length,
            attempt,
            retryInMs: delayMs,
            reason: maskPersonIdsInText(result.reason),
          },
          'outbox delivery failed; will retry',
        );
        return;
      }
      case 'permanent':
        if (batch.length > 1) {
          // The target refused the whole call, maybe for one message: send
          // them one by one so only the refused ones become dead letters.
          // Each goes under a claim of its own: sent under the batch's claim,
          // the singles could outlast its lease, and another instance would
          // then send a key while this one still is (issue 19 item 5).
          await this.store.markRetry(
            ids,
            this.owner,
            `refused as a batch of ${batch.length}, sent again one by one: ${result.reason}`,
            this.now(),
          );
          for (let i = 0; i < batch.length; i++) if ((await this.claimAndDeliver(1)) === 0) break;
          return;
        }
        await this.store.markDead(ids, this.owner, result.reason);
        for (const message of batch)
          this.logger.error(
            {
              alert: true,
              channel: this.channel.name,
              messageId: message.id,
              key: maskPersonIdsInText(message.key),
              attempts: message.attempts,
              reason: maskPersonIdsInText(result.reason),
            },
            'outbox message refused permanently; moved to dead letters',
          );
        return;
    }
  }
}
