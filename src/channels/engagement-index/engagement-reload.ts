/**
 * Reload of the engagement index for one facility (policy §3.1 item 5,
 * must-have 21): an upsert for every current engagement, queued in the
 * outbox like any other change, so the dispatcher sends them in order behind
 * whatever is pending for the same keys, at most 1000 per Update call.
 *
 * @module
 */
import { isCurrent } from '../../domain/booking-change.ts';
import type { Booking, Facility } from '../../domain/types.ts';
import type { CalendarStore, StoreTx } from '../../store/calendar-store.ts';
import { StaffActionError } from '../../staff/staff-action-error.ts';
import { EI_MAX_BATCH } from './engagement-index-channel.ts';
import { engagementDelete, engagementUpsert, type EiConfig } from './engagement-mapping.ts';

/** Why a reload was not started. */
export class EngagementReloadError extends Error {
  override readonly name = 'EngagementReloadError';
  constructor(
    /** `unknown-facility`: no such HSA-id. */
    readonly reason: 'unknown-facility',
    message: string,
  ) {
    super(message);
  }
}

export interface ReloadReport {
  /** The facility's HSA-id as stored (and sent). */
  readonly facility: string;
  /**
   * What was queued: `upsert` for a unit enabled for web booking; `delete`
   * for one that is not (EI must hold nothing of it: the clean-up of
   * engagements a unit switched off before deletes were sent left behind).
   */
  readonly queued: 'upsert' | 'delete';
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

/** A booking changed between the reload's read and its queuing: the batch is read again. */
class ChangedWhileQueued extends Error {
  override readonly name = 'ChangedWhileQueued';
}

/** Tries per batch before a reload gives up on bookings that keep changing. */
const MAX_ATTEMPTS = 5;

/**
 * Queues the upserts of one batch in `tx` and returns how many. Re-read
 * inside the transaction: a booking cancelled or moved away since the
 * listing is left out. Then read once more after queuing: appending takes
 * each key's lock, so a change that committed before it is visible now (its
 * delete is queued before our upsert: the upsert would be stale), and one
 * that commits later queues its message after ours. A booking that changed
 * in between throws {@link ChangedWhileQueued}, which rolls the batch back
 * (issue 19 item 3).
 */
async function queueBatch(
  tx: StoreTx,
  batch: readonly Booking[],
  unit: Facility,
  config: EiConfig,
  now: number,
): Promise<number> {
  const queued: Booking[] = [];
  for (const listed of batch) {
    const booking = await tx.getBooking(listed.id);
    if (
      booking &&
      isCurrent(booking, now) &&
      booking.facility.toLowerCase() === unit.hsaId.toLowerCase()
    )
      queued.push(booking);
  }
  if (queued.length === 0) return 0;
  const message = unit.webBookingEnabled ? engagementUpsert : engagementDelete;
  await tx.appendOutbox(queued.map((booking) => message(booking, unit, config)));
  for (const booking of queued)
    if ((await tx.getBooking(booking.id))?.version !== booking.version)
      throw new ChangedWhileQueued(`booking ${booking.id} changed while it was queued`);
  return queued.length;
}

/**
 * Queues an upsert for every current booking and invitation of `facility`
 * (same mapping as the change listener), in transactions of at most
 * `batchSize`; for a unit not enabled for web booking, a delete of each
 * instead (policy §3.1 item 2: EI holds nothing of such a unit). Throws
 * {@link EngagementReloadError} for an unknown facility.
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
  const now = (options.now ?? Date.now)();
  const current = (await store.listActiveBookings(unit.hsaId)).filter((b) => isCurrent(b, now));
  let transactions = 0;
  let engagements = 0;
  for (let i = 0; i < current.length; i += batchSize) {
    const batch = current.slice(i, i + batchSize);
    for (let attempt = 1; ; attempt++) {
      try {
        engagements += await store.transaction((tx) => queueBatch(tx, batch, unit, config, now));
        break;
      } catch (err) {
        if (!(err instanceof ChangedWhileQueued) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
    transactions += 1;
  }
  return {
    facility: unit.hsaId,
    queued: unit.webBookingEnabled ? 'upsert' : 'delete',
    engagements,
    transactions,
  };
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
    if (err instanceof EngagementReloadError) throw new StaffActionError('not-found', err.message);
    throw err;
  }
}
