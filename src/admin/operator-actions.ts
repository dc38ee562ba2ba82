/**
 * Operator actions on the outbox and the engagement index, shared by the
 * admin HTTP API and the CLI (`tidbok outbox status|retry`, `tidbok ei
 * reload`).
 *
 * @module
 */
import type { OutboxStore } from '../outbox/outbox-store.ts';
import type { CalendarStore } from '../store/calendar-store.ts';
import type { EiConfig } from '../channels/engagement-index/engagement-mapping.ts';
import {
  EngagementReloadError,
  reloadEngagementIndex,
  type ReloadReport,
} from '../channels/engagement-index/engagement-reload.ts';
import { StaffActionError } from './staff-actions.ts';

export {
  describeOutboxStatus,
  outboxStatus,
  type OutboxStatusView,
} from '../outbox/outbox-status-view.ts';

/**
 * Puts one dead letter (by id) or all of them back to pending. Throws a
 * `not-found` {@link StaffActionError} for an id that is not a dead letter.
 */
export async function retryDeadLetters(
  outbox: OutboxStore,
  which: number | 'all',
): Promise<number> {
  const requeued = await outbox.retryDead(which);
  if (which !== 'all' && requeued === 0)
    throw new StaffActionError('not-found', `no dead letter with id ${which}`);
  return requeued;
}

/** Reloads a facility's engagements; refusals become {@link StaffActionError}s. */
export async function reloadFacility(
  store: CalendarStore,
  facility: string,
  ei: EiConfig | undefined,
  now: () => number,
): Promise<ReloadReport> {
  if (!ei)
    throw new StaffActionError('refused', 'engagement-index reporting is not configured here');
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
