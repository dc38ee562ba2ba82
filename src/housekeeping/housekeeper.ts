/**
 * The periodic job that keeps only current items in the engagement index
 * (policy §3.1 item 3, must-have 25): passed bookings and expired
 * invitations are reported as `expired` changes, which the EI listener turns
 * into deletes. It also prunes delivered outbox messages after a while, so
 * the outbox does not grow for ever.
 *
 * Exactly once per booking: `SchedulingService.expireEnded` marks each
 * booking in the store in the same transaction as its outbox messages, so a
 * restart (or a second server on the same database) finds nothing left to
 * report.
 */
import type { SchedulingService } from '../domain/scheduling-service.ts';
import type { OutboxStore } from '../outbox/outbox-store.ts';
import type { DispatchLogger } from '../outbox/outbox-dispatcher.ts';

export interface HousekeeperOptions {
  readonly service: SchedulingService;
  /** Delivered messages older than `keepDeliveredMs` are deleted from it. */
  readonly outbox?: OutboxStore;
  readonly logger: DispatchLogger;
  /** Time between runs (ms); 10 minutes by default. The first run is at start. */
  readonly intervalMs?: number;
  /** How long delivered outbox messages are kept (ms); 7 days by default. */
  readonly keepDeliveredMs?: number;
}

/** What one run did. */
export interface HousekeepingReport {
  /** Bookings and invitations reported as passed or expired. */
  readonly expired: number;
  /** Delivered outbox messages deleted. */
  readonly pruned: number;
}

const TEN_MINUTES = 10 * 60_000;
const SEVEN_DAYS = 7 * 86_400_000;

export class Housekeeper {
  readonly #options: HousekeeperOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<HousekeepingReport> | undefined;

  constructor(options: HousekeeperOptions) {
    this.#options = options;
  }

  /** Runs once now, then every interval (idempotent). */
  start(): void {
    if (this.#timer) return;
    const tick = () => {
      this.runOnce().catch((err: unknown) =>
        this.#options.logger.error({ err }, 'housekeeping run failed; it runs again later'),
      );
    };
    this.#timer = setInterval(tick, this.#options.intervalMs ?? TEN_MINUTES);
    this.#timer.unref();
    tick();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** One run; a call while another runs waits for that one instead of starting a second. */
  runOnce(): Promise<HousekeepingReport> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(): Promise<HousekeepingReport> {
    const { service, outbox, logger } = this.#options;
    const expired = await service.expireEnded();
    const pruned = outbox
      ? await outbox.pruneDelivered(service.now() - (this.#options.keepDeliveredMs ?? SEVEN_DAYS))
      : 0;
    if (expired > 0 || pruned > 0)
      logger.info({ expired, pruned }, 'housekeeping: passed and expired bookings reported');
    return { expired, pruned };
  }
}
