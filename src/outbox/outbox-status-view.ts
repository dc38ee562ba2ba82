/**
 * The outbox as an operator reads it: totals and, per channel, what waits,
 * what is in flight and what is dead. Shared by `GET /admin/outbox` and
 * `tidbok outbox status`.
 *
 * @module
 */
import { z } from 'zod';
import { CHANNELS } from '../channels/registry.ts';
import type { OutboxStatus, OutboxStore } from './outbox-store.ts';

const countsShape = {
  pending: z.number().int(),
  inFlight: z.number().int(),
  oldestPendingAgeSeconds: z
    .number()
    .int()
    .nullable()
    .describe(
      'Age of the oldest message not yet delivered, in whole seconds; null when none waits',
    ),
};

/** The JSON of `GET /admin/outbox` and `tidbok outbox status --json` (and its OpenAPI schema). */
export const outboxStatusViewSchema = z
  .object({
    ...countsShape,
    channels: z
      .record(z.string(), z.object({ ...countsShape, deadLetters: z.number().int() }))
      .describe('Per channel: every registered channel, and any other one that has messages'),
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

/** One channel's figures (or the totals). */
type OutboxCounts = Pick<OutboxStatusView, 'pending' | 'inFlight' | 'oldestPendingAgeSeconds'>;

const counts = (status: OutboxStatus): OutboxCounts => ({
  pending: status.pending,
  inFlight: status.inFlight,
  oldestPendingAgeSeconds:
    status.oldestPendingAgeMs === undefined ? null : Math.floor(status.oldestPendingAgeMs / 1000),
});

/**
 * Reads the outbox for an operator.
 *
 * @param channels - the channels to list even when empty; every registered one by default
 */
export async function outboxStatus(
  outbox: OutboxStore,
  nowUtcMs: number,
  channels: readonly string[] = CHANNELS.map((c) => c.name),
): Promise<OutboxStatusView> {
  const total = await outbox.status(undefined, nowUtcMs);
  const names = new Set([...channels, ...total.dead.map((d) => d.channel)]);
  const perChannel: Record<string, OutboxCounts & { deadLetters: number }> = {};
  for (const name of names) {
    const status = await outbox.status(name, nowUtcMs);
    perChannel[name] = { ...counts(status), deadLetters: status.dead.length };
  }
  return {
    ...counts(total),
    channels: perChannel,
    deadLetters: total.dead.map((d) => ({
      id: d.id,
      channel: d.channel,
      key: d.key,
      reason: d.error,
      attempts: d.attempts,
      createdAt: new Date(d.createdAtUtcMs).toISOString(),
    })),
  };
}

const age = (seconds: number | null) => (seconds === null ? '-' : `${seconds} s`);

/** The status as lines for a terminal. */
export function describeOutboxStatus(view: OutboxStatusView): string[] {
  const lines = [
    `pending:      ${view.pending}`,
    `in flight:    ${view.inFlight}`,
    `oldest pending age: ${age(view.oldestPendingAgeSeconds)}`,
    `dead letters: ${view.deadLetters.length}`,
  ];
  for (const [name, c] of Object.entries(view.channels))
    lines.push(
      `  ${name}: ${c.pending} pending, ${c.inFlight} in flight, ${c.deadLetters} dead, oldest pending ${age(c.oldestPendingAgeSeconds)}`,
    );
  for (const d of view.deadLetters)
    lines.push(
      `  #${d.id} ${d.channel} key ${d.key} (${d.attempts} attempt${d.attempts === 1 ? '' : 's'}, queued ${d.createdAt})`,
      `    reason: ${d.reason}`,
    );
  if (view.deadLetters.length > 0)
    lines.push('Fix the cause, then: tidbok outbox retry <id> (or --all-dead).');
  return lines;
}
