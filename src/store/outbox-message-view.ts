/**
 * One outbox row as an operator sees it, mapped the same way from both
 * databases.
 */
import { maskPersonIdsInText } from '../domain/personnummer.ts';
import type { OutboxMessageView } from '../outbox/outbox-store.ts';

/** The columns both stores select for {@link outboxMessageView}. */
export interface OutboxMessageRow {
  id: number | string;
  channel: string;
  key: string;
  status: string;
  attempts: number;
  last_error: string | null;
  receipt: string | null;
  skip_reason: string | null;
  created_at_utc_ms: number | string;
  delivered_at_utc_ms: number | string | null;
}

const STATUSES = ['pending', 'in_flight', 'delivered', 'skipped', 'dead'] as const;

export function outboxMessageView(row: OutboxMessageRow): OutboxMessageView {
  const status = STATUSES.find((s) => s === row.status);
  if (status === undefined) throw new Error(`outbox message ${row.id} has an unknown status`);
  return {
    id: Number(row.id),
    channel: row.channel,
    key: maskPersonIdsInText(row.key),
    status,
    attempts: row.attempts,
    lastError: row.last_error ?? undefined,
    receipt: row.receipt === null ? undefined : (JSON.parse(row.receipt) as Record<string, string>),
    skipReason: row.skip_reason ?? undefined,
    createdAtUtcMs: Number(row.created_at_utc_ms),
    settledAtUtcMs: row.delivered_at_utc_ms === null ? undefined : Number(row.delivered_at_utc_ms),
  };
}
