/**
 * Operator actions on the outbox, shared by the
 * admin HTTP API, the CLI (`tidbok outbox status|retry`)
 * and the console.
 *
 * @module
 */
import type { OutboxStore } from '../outbox/outbox-store.ts';
import { StaffActionError } from './staff-action-error.ts';

export {
  describeOutboxStatus,
  outboxStatus,
  outboxStatusViewSchema,
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
