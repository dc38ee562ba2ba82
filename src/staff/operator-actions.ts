/**
 * Operator actions on the outbox and the engagement index, shared by the
 * admin HTTP API, the CLI (`tidbok outbox status|retry`, `tidbok ei reload`)
 * and the console.
 *
 * @module
 */
import { z } from 'zod';
import type { OutboxStore } from '../outbox/outbox-store.ts';
import type { CalendarStore } from '../store/calendar-store.ts';
import type { EiConfig } from '../channels/engagement-index/engagement-mapping.ts';
import {
  EngagementReloadError,
  reloadEngagementIndex,
  type ReloadReport,
} from '../channels/engagement-index/engagement-reload.ts';
import { StaffActionError } from './staff-action-error.ts';

/** The outbox as an operator reads it (JSON of `GET /admin/outbox` and `tidbok outbox status --json`). */
export const outboxStatusViewSchema = z
  .object({
    pending: z.number().int(),
    inFlight: z.number().int(),
    oldestPendingAgeSeconds: z
      .number()
      .int()
      .nullable()
      .describe(
        'Age of the oldest message not yet delivered, in whole seconds; null when none waits',
      ),
    deadLetters: z.array(
      z.object({
        id: z.number().int(),
        channel: z.string(),
        key: z.string().describe('The ordering key, person ids masked'),
        reason: z.string(),
        attempts: z.number().int(),
        createdAt: z.string(),
      }),
    ),
  })
  .meta({ id: 'OutboxStatus' });
export type OutboxStatusView = z.infer<typeof outboxStatusViewSchema>;

export async function outboxStatus(
  outbox: OutboxStore,
  nowUtcMs: number,
): Promise<OutboxStatusView> {
  const status = await outbox.status(undefined, nowUtcMs);
  return {
    pending: status.pending,
    inFlight: status.inFlight,
    oldestPendingAgeSeconds:
      status.oldestPendingAgeMs === undefined ? null : Math.floor(status.oldestPendingAgeMs / 1000),
    deadLetters: status.dead.map((d) => ({
      id: d.id,
      channel: d.channel,
      key: d.key,
      reason: d.error,
      attempts: d.attempts,
      createdAt: new Date(d.createdAtUtcMs).toISOString(),
    })),
  };
}

/** The status as lines for a terminal. */
export function describeOutboxStatus(view: OutboxStatusView): string[] {
  const lines = [
    `pending:      ${view.pending}`,
    `in flight:    ${view.inFlight}`,
    `oldest pending age: ${view.oldestPendingAgeSeconds === null ? '-' : `${view.oldestPendingAgeSeconds} s`}`,
    `dead letters: ${view.deadLetters.length}`,
  ];
  for (const d of view.deadLetters)
    lines.push(
      `  #${d.id} ${d.channel} key ${d.key} (${d.attempts} attempt${d.attempts === 1 ? '' : 's'}, queued ${d.createdAt})`,
      `    reason: ${d.reason}`,
    );
  if (view.deadLetters.length > 0)
    lines.push('Fix the cause, then: tidbok outbox retry <id> (or --all-dead).');
  return lines;
}

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
