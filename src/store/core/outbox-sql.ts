/**
 * The outbox dispatch statements both databases share, written once with the
 * database's parameter spelling filled in. What differs stays in each
 * outbox store: how a claim locks (SQLite's write lock, PostgreSQL's
 * `FOR UPDATE SKIP LOCKED`) and how parameters are passed.
 */
/** Parameter spellings of the claim: `@now` in SQLite, `$2::bigint` in PostgreSQL. */
export interface ClaimParams {
  readonly channel: string;
  readonly now: string;
  readonly gap: string;
}

/**
 * The claimable messages of a channel: each the oldest undelivered message
 * of its key (an earlier pending, in-flight or dead message blocks it: per-key
 * order), due, with no live lease, and the key's previous delivery at least
 * the gap ago. In id order; the caller adds its limit and locking.
 */
export const claimableSql = (p: ClaimParams): string => `
SELECT o.id, o.channel, o.key, o.payload, o.attempts, o.created_at_utc_ms
FROM outbox o
WHERE o.channel = ${p.channel}
  AND (o.status = 'pending' OR (o.status = 'in_flight' AND o.lease_until_utc_ms <= ${p.now}))
  AND o.not_before_utc_ms <= ${p.now}
  AND o.next_attempt_utc_ms <= ${p.now}
  AND NOT EXISTS (
    SELECT 1 FROM outbox e
    WHERE e.channel = o.channel AND e.key = o.key AND e.id < o.id
      AND e.status IN ('pending', 'in_flight', 'dead'))
  AND NOT EXISTS (
    SELECT 1 FROM outbox d
    WHERE d.channel = o.channel AND d.key = o.key AND d.status = 'delivered'
      AND d.delivered_at_utc_ms > ${p.now} - ${p.gap})
ORDER BY o.id`;

/** How a claim is settled: the columns set from the values given, in order. */
export const SETTLEMENTS = {
  /** Delivered or skipped (status is a value), with the receipt or the skip reason. */
  delivered: { columns: ['status', 'delivered_at_utc_ms', 'receipt', 'skip_reason'] },
  retry: { columns: ['status', 'next_attempt_utc_ms', 'last_error'] },
  dead: { columns: ['status', 'last_error'] },
} as const;

export type SettlementKind = keyof typeof SETTLEMENTS;

/**
 * Settles the claims `guard` picks (the owner's own, still in flight: a
 * lapsed claim taken over by another dispatcher is left to that one).
 *
 * @param placeholder - the database's parameter for the settlement's value at `index`
 */
export function settleSql(
  kind: SettlementKind,
  placeholder: (index: number) => string,
  guard: string,
): string {
  const set = SETTLEMENTS[kind].columns.map((c, i) => `${c} = ${placeholder(i)}`).join(', ');
  return `UPDATE outbox SET ${set}, lease_owner = NULL, lease_until_utc_ms = NULL
    WHERE ${guard}`;
}

/** Pending and in-flight counts and the oldest of them (`OutboxCountsRow`); `channelFilter` may narrow it. */
export const outboxCountsSql = (now: string, channelFilter: string): string =>
  `SELECT
     sum(CASE WHEN status = 'pending' OR lease_until_utc_ms <= ${now} THEN 1 ELSE 0 END) AS pending,
     sum(CASE WHEN status = 'in_flight' AND lease_until_utc_ms > ${now} THEN 1 ELSE 0 END) AS in_flight,
     min(created_at_utc_ms) AS oldest
   FROM outbox WHERE status IN ('pending', 'in_flight') ${channelFilter}`;

export const skippedCountSql = (channelFilter: string): string =>
  `SELECT count(*) AS n FROM outbox WHERE status = 'skipped' ${channelFilter}`;

/** One message as an operator sees it (`OutboxMessageRow`). */
export const findMessageSql = (id: string): string =>
  `SELECT id, channel, key, status, attempts, last_error, receipt, skip_reason,
          created_at_utc_ms, delivered_at_utc_ms
   FROM outbox WHERE id = ${id}`;

export const deadMessagesSql = (channelFilter: string): string =>
  `SELECT id, channel, key, last_error, attempts, created_at_utc_ms
   FROM outbox WHERE status = 'dead' ${channelFilter} ORDER BY id`;

/** Dead messages back to pending; attempts start over, so the backoff does too. */
export const RETRY_DEAD_SQL = `UPDATE outbox SET status = 'pending', next_attempt_utc_ms = 0, attempts = 0
  WHERE status = 'dead'`;

export const pruneDeliveredSql = (before: string): string =>
  `DELETE FROM outbox WHERE status IN ('delivered', 'skipped') AND delivered_at_utc_ms < ${before}`;
