/**
 * The outbox as an operator reads it: totals and, per channel, what waits,
 * what is in flight and what is dead. Shared by `GET /admin/outbox` and
 * `tidbok outbox status`.
 *
 * @module
 */
import { CHANNELS } from '../channels/registry.ts';
import type { OutboxStatus, OutboxStore } from './outbox-store.ts';

/** One channel's figures (or the totals). */
export interface OutboxCounts {
  readonly pending: number;
  readonly inFlight: number;
  /** Age of the oldest message not yet delivered, in whole seconds; null when none waits. */
  readonly oldestPendingAgeSeconds: number | null;
}

/** The JSON of `GET /admin/outbox` and `tidbok outbox status --json`. */
export interface OutboxStatusView extends OutboxCounts {
  /** Per channel: every registered channel, and any other one that has messages. */
  readonly channels: Readonly<Record<string, OutboxCounts & { readonly deadLetters: number }>>;
  readonly deadLetters: readonly {
    readonly id: number;
    readonly channel: string;
    /** The ordering key, person ids masked. */
    readonly key: string;
    readonly reason: string;
    readonly attempts: number;
    readonly createdAt: string;
  }[];
}

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
