/**
 * When to try a failed delivery again: exponential backoff with full jitter
 * (a random delay between 0 and min(cap, base · 2^(attempt−1))), so that many
 * senders recovering from one outage do not all call at the same moment.
 * EI failures that can pass are retried until they succeed (rivta-spec §4),
 * so there is no attempt limit here.
 */
export interface RetryScheduleOptions {
  /** Ceiling of the first retry's delay (ms). */
  readonly baseMs: number;
  /** Largest ceiling any retry's delay can have (ms). */
  readonly capMs: number;
  /** Uniform random number in [0, 1); injectable for tests. */
  readonly random?: () => number;
}

export class RetrySchedule {
  private readonly random: () => number;

  constructor(private readonly options: RetryScheduleOptions = { baseMs: 1_000, capMs: 300_000 }) {
    this.random = options.random ?? Math.random;
  }

  /** The largest delay after the given failed attempt (1 = the first). */
  ceilingMs(attempt: number): number {
    const exponent = Math.max(0, attempt - 1);
    // 2^exponent overflows to Infinity long before it matters; the cap wins either way.
    return Math.min(this.options.capMs, this.options.baseMs * 2 ** Math.min(exponent, 52));
  }

  /**
   * The delay before the next attempt after `attempt` failed. A delay the
   * target asked for (`Retry-After`) is respected as a minimum.
   */
  delayMs(attempt: number, requestedMs = 0): number {
    return Math.max(requestedMs, Math.floor(this.random() * this.ceilingMs(attempt)));
  }
}
