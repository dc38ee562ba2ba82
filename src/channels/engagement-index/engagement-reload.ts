/**
 * Reload of the engagement index for one facility (policy §3.1 item 5,
 * must-have 21): an upsert for every current engagement, queued in the
 * outbox like any other change, so the dispatcher sends them in order behind
 * whatever is pending for the same keys, at most 1000 per Update call.
 *
 * @module
 */
import { instantToDt } from '../../domain/local-time.ts';
import type { Booking } from '../../domain/types.ts';
import type { CalendarStore } from '../../store/calendar-store.ts';
import { StaffActionError } from '../../staff/staff-action-error.ts';
import { EI_MAX_BATCH } from './engagement-index-channel.ts';
import { engagementUpsert, type EiConfig } from './engagement-mapping.ts';

/** Why a reload was not started. */
export class EngagementReloadError extends Error {
  override readonly name = 'EngagementReloadError';
  constructor(
    /** `unknown-facility`: no such HSA-id; `not-enabled`: the unit is not enabled for web booking. */
    readonly reason: 'unknown-facility' | 'not-enabled',
    message: string,
  ) {
    super(message);
  }
}

export interface ReloadReport {
  /** The facility's HSA-id as stored (and sent). */
  readonly facility: string;
  /** Engagements queued: active bookings with a time still to come, and current invitations. */
  readonly engagements: number;
  /** Store transactions used, each with at most `batchSize` messages. */
  readonly transactions: number;
}

export interface ReloadOptions {
  readonly now?: () => number;
  /** Messages per transaction; at most 1000 (EI's largest Update). */
  readonly batchSize?: number;
}

/**
 * A booking EI should hold now: active, not yet passed, and, for an open
 * invitation, not expired. Passed ones were (or are about to be) deleted by
 * housekeeping; re-sending them would bring them back.
 */
export function isCurrent(booking: Booking, nowUtcMs: number): boolean {
  if (booking.status !== 'active') return false;
  if (booking.end) return booking.end.utcMs >= nowUtcMs;
  return booking.expiresOn === undefined || booking.expiresOn >= instantToDt(nowUtcMs);
}

/**
 * Queues an upsert for every current booking and invitation of `facility`
 * (same mapping as the change listener), in transactions of at most
 * `batchSize`. Throws {@link EngagementReloadError} for an unknown facility
 * or one not enabled for web booking (policy §3.1 item 2).
 */
export async function reloadEngagementIndex(
  store: CalendarStore,
  facility: string,
  config: EiConfig,
  options: ReloadOptions = {},
): Promise<ReloadReport> {
  const batchSize = Math.min(options.batchSize ?? EI_MAX_BATCH, EI_MAX_BATCH);
  const unit = await store.getFacility(facility);
  if (!unit)
    throw new EngagementReloadError(
      'unknown-facility',
      `no facility with HSA-id ${facility} in the store`,
    );
  if (!unit.webBookingEnabled)
    throw new EngagementReloadError(
      'not-enabled',
      `facility ${unit.hsaId} is not enabled for web booking, so nothing of it is sent to the engagement index (policy §3.1 item 2); enable it in the calendar first`,
    );
  const now = (options.now ?? Date.now)();
  const current = (await store.listActiveBookings(unit.hsaId)).filter((b) => isCurrent(b, now));
  let transactions = 0;
  let engagements = 0;
  for (let i = 0; i < current.length; i += batchSize) {
    const batch = current.slice(i, i + batchSize);
    await store.transaction(async (tx) => {
      // Re-read inside the transaction: a booking cancelled or moved away since the listing is left out.
      const messages = [];
      for (const listed of batch) {
        const booking = await tx.getBooking(listed.id);
        if (
          booking &&
          isCurrent(booking, now) &&
          booking.facility.toLowerCase() === unit.hsaId.toLowerCase()
        )
          messages.push(engagementUpsert(booking, unit, config));
      }
      if (messages.length > 0) await tx.appendOutbox(messages);
      engagements += messages.length;
    });
    transactions += 1;
  }
  return { facility: unit.hsaId, engagements, transactions };
}

/**
 * {@link reloadEngagementIndex} for the admin API and the CLI: refusals
 * become {@link StaffActionError}s (an unknown unit `not-found`, others
 * `refused`), which both answer in their own way.
 */
export async function reloadFacility(
  store: CalendarStore,
  facility: string,
  ei: EiConfig,
  now: () => number = Date.now,
): Promise<ReloadReport> {
  try {
    return await reloadEngagementIndex(store, facility, ei, { now, batchSize: ei.batchSize });
  } catch (err) {
    if (err instanceof EngagementReloadError)
      throw new StaffActionError(
        err.reason === 'unknown-facility' ? 'not-found' : 'refused',
        err.message,
      );
    throw err;
  }
}
