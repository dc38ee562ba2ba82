/**
 * Remembers Kivra's usermatch answers, so a busy clinic does not ask again
 * for every letter (issue 13: at most a day). A yes is kept longer than a no:
 * a patient who signs up for Kivra should start getting letters soon, while
 * one who leaves is caught by the content call itself (40032, skipped).
 *
 * @module
 */

export interface UsermatchCacheOptions {
  /** How long a "is a Kivra user" answer is kept (ms); 12 h by default, at most a day. */
  readonly userTtlMs?: number;
  /** How long a "not a Kivra user" answer is kept (ms); 1 h by default. */
  readonly nonUserTtlMs?: number;
  /** Most recipients remembered; the oldest answers go first. 100 000 by default. */
  readonly maxEntries?: number;
}

const DAY_MS = 86_400_000;

export class UsermatchCache {
  private readonly entries = new Map<
    string,
    { readonly isUser: boolean; readonly untilMs: number }
  >();
  private readonly userTtlMs: number;
  private readonly nonUserTtlMs: number;
  private readonly maxEntries: number;

  constructor(options: UsermatchCacheOptions = {}) {
    this.userTtlMs = Math.min(options.userTtlMs ?? 12 * 3_600_000, DAY_MS);
    this.nonUserTtlMs = Math.min(options.nonUserTtlMs ?? 3_600_000, DAY_MS);
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  /** The remembered answer for `ssn`, or undefined when there is none still fresh. */
  get(ssn: string, nowMs: number): boolean | undefined {
    const entry = this.entries.get(ssn);
    if (!entry) return undefined;
    if (entry.untilMs <= nowMs) {
      this.entries.delete(ssn);
      return undefined;
    }
    return entry.isUser;
  }

  /** Remembers an answer from `nowMs`. */
  set(ssn: string, isUser: boolean, nowMs: number): void {
    this.entries.delete(ssn);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(ssn, {
      isUser,
      untilMs: nowMs + (isUser ? this.userTtlMs : this.nonUserTtlMs),
    });
  }
}
