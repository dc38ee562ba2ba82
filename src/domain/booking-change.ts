/**
 * A change to a booking or invitation, as handed to every channel (EI now,
 * webhooks later) inside the transaction that makes it. Listeners append
 * their outbox messages on the same `tx`, so a change without its
 * notifications can never commit (transactional outbox).
 */
import type { StoreTx } from '../store/calendar-store.ts';
import { instantToDt } from './local-time.ts';
import type { Booking, ChangeOrigin } from './types.ts';

export type BookingChangeKind =
  /** A new booking or invitation. `before` is absent, or the open invitation it replaced. */
  | 'created'
  /** Moved, rebooked or edited. `before` is the previous state. */
  | 'changed'
  /** Cancelled by patient or staff, or an invitation withdrawn. `after.status` is 'cancelled'. */
  | 'cancelled'
  /** Its time has passed or the invitation expired; the booking itself is unchanged. */
  | 'expired'
  /**
   * Its unit was switched on for web booking (or added so): the booking,
   * unchanged and current, may now be shown and acted on online.
   */
  | 'published'
  /**
   * Its unit was switched off for web booking: the booking, unchanged, may
   * no longer be acted on online, so channels that show it there take it away.
   */
  | 'unpublished';

export interface BookingChange {
  readonly kind: BookingChangeKind;
  /** The state before the change; for `created` from an open invitation, that invitation. */
  readonly before?: Booking;
  /** The state after the change (for `expired`, the booking as it is). */
  readonly after: Booking;
  readonly origin: ChangeOrigin;
  readonly atUtcMs: number;
}

/** Called inside the change's transaction; appends outbox messages with `tx.appendOutbox`. */
export type BookingChangeListener = (tx: StoreTx, change: BookingChange) => Promise<void>;

/**
 * Whether a booking is current: active, not yet passed, and, for an open
 * invitation, not expired. Only current ones are shown online (and held by
 * the engagement index); passed ones leave through housekeeping.
 */
export function isCurrent(booking: Booking, nowUtcMs: number): boolean {
  if (booking.status !== 'active') return false;
  if (booking.end) return booking.end.utcMs >= nowUtcMs;
  return booking.expiresOn === undefined || booking.expiresOn >= instantToDt(nowUtcMs);
}
