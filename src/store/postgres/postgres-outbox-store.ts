/**
 * The outbox dispatch store on the PostgreSQL calendar database, for a
 * dispatcher in every instance sharing one outbox.
 *
 * A claim is one statement: pick the claimable rows `FOR UPDATE SKIP
 * LOCKED`, mark them in flight, return them. A row another dispatcher is
 * claiming at that moment is locked, so it is skipped rather than waited
 * for or taken twice. A key's later message is never claimable while an
 * earlier one is undelivered (pending, in flight or dead): in the claiming
 * statement's snapshot that earlier row is either visible as undelivered,
 * which blocks the later one, or committed as delivered. So at most one
 * message per key is ever in flight, across all instances, and keys go out
 * in append order (`appendOutbox` makes a key's id order its commit order).
 *
 * A lease that lapses (a killed instance) makes the message claimable again;
 * settling checks the owner, so a late answer from the old owner is ignored.
 */
import { maskPersonIdsInText } from '../../domain/personnummer.ts';
import type {
  ClaimOptions,
  ClaimedMessage,
  DeadMessage,
  DeliveryNote,
  OutboxMessageView,
  OutboxStatus,
  OutboxStore,
} from '../../outbox/outbox-store.ts';
import { outboxMessageView, type OutboxMessageRow } from '../outbox-message-view.ts';
import type { Queryable } from './postgres-queries.ts';

/** Whatever runs statements on the database; `PostgresCalendarStore` does. */
export interface PostgresConnection {
  withConnection<T>(fn: (db: Queryable) => Promise<T>): Promise<T>;
}

interface ClaimRow {
  id: number;
  channel: string;
  key: string;
  payload: string;
  attempts: number;
  created_at_utc_ms: number;
}

interface DeadRow {
  id: number;
  channel: string;
  key: string;
  last_error: string | null;
  attempts: number;
  created_at_utc_ms: number;
}

// $1 channel, $2 now, $3 key gap, $4 max, $5 owner, $6 lease end.
// Claimable: the oldest undelivered message of its key, due, with no live
// lease, and the key's previous delivery at least the gap ago.
const CLAIM = `
WITH claimable AS (
  SELECT o.id
  FROM outbox o
  WHERE o.channel = $1
    AND (o.status = 'pending' OR (o.status = 'in_flight' AND o.lease_until_utc_ms <= $2))
    AND o.not_before_utc_ms <= $2
    AND o.next_attempt_utc_ms <= $2
    AND NOT EXISTS (
      SELECT 1 FROM outbox e
      WHERE e.channel = o.channel AND e.key = o.key AND e.id < o.id
        AND e.status IN ('pending', 'in_flight', 'dead'))
    AND NOT EXISTS (
      SELECT 1 FROM outbox d
      WHERE d.channel = o.channel AND d.key = o.key AND d.status = 'delivered'
        AND d.delivered_at_utc_ms > $2::bigint - $3::bigint)
  ORDER BY o.id
  LIMIT $4
  FOR UPDATE OF o SKIP LOCKED
)
UPDATE outbox SET status = 'in_flight', lease_owner = $5, lease_until_utc_ms = $6,
  attempts = outbox.attempts + 1
FROM claimable
WHERE outbox.id = claimable.id
RETURNING outbox.id, outbox.channel, outbox.key, outbox.payload, outbox.attempts,
  outbox.created_at_utc_ms`;

const SETTLE_GUARD = `id = ANY ($1::bigint[]) AND status = 'in_flight' AND lease_owner = $2`;

export class PostgresOutboxStore implements OutboxStore {
  readonly #connection: PostgresConnection;

  constructor(connection: PostgresConnection) {
    this.#connection = connection;
  }

  async claimBatch(
    channel: string,
    max: number,
    nowUtcMs: number,
    leaseMs: number,
    owner: string,
    options: ClaimOptions = {},
  ): Promise<ClaimedMessage[]> {
    if (max < 1) return [];
    const result = await this.#connection.withConnection((db) =>
      db.query<ClaimRow>(CLAIM, [
        channel,
        nowUtcMs,
        options.keyGapMs ?? 0,
        max,
        owner,
        nowUtcMs + leaseMs,
      ]),
    );
    // RETURNING keeps no order; the dispatcher hands messages out oldest first.
    return result.rows
      .sort((a, b) => a.id - b.id)
      .map((row): ClaimedMessage => ({
        id: row.id,
        channel: row.channel,
        key: row.key,
        payload: JSON.parse(row.payload) as unknown,
        attempts: row.attempts,
        createdAtUtcMs: row.created_at_utc_ms,
      }));
  }

  async markDelivered(
    ids: readonly number[],
    owner: string,
    nowUtcMs: number,
    note?: DeliveryNote,
  ): Promise<void> {
    const skipped = note !== undefined && 'skipped' in note;
    await this.#settle(
      ids,
      owner,
      `UPDATE outbox SET status = $4, delivered_at_utc_ms = $3, receipt = $5, skip_reason = $6,
         lease_owner = NULL, lease_until_utc_ms = NULL
       WHERE ${SETTLE_GUARD}`,
      [
        nowUtcMs,
        skipped ? 'skipped' : 'delivered',
        note && 'receipt' in note ? JSON.stringify(note.receipt) : null,
        skipped ? maskPersonIdsInText(note.skipped) : null,
      ],
    );
  }

  async findMessage(id: number): Promise<OutboxMessageView | undefined> {
    const result = await this.#connection.withConnection((db) =>
      db.query<OutboxMessageRow>(
        `SELECT id, channel, key, status, attempts, last_error, receipt, skip_reason,
                created_at_utc_ms, delivered_at_utc_ms
         FROM outbox WHERE id = $1`,
        [id],
      ),
    );
    const row = result.rows[0];
    return row && outboxMessageView(row);
  }

  async markRetry(
    ids: readonly number[],
    owner: string,
    error: string,
    nextAttemptUtcMs: number,
  ): Promise<void> {
    await this.#settle(
      ids,
      owner,
      `UPDATE outbox SET status = 'pending', next_attempt_utc_ms = $3, last_error = $4,
         lease_owner = NULL, lease_until_utc_ms = NULL
       WHERE ${SETTLE_GUARD}`,
      [nextAttemptUtcMs, maskPersonIdsInText(error)],
    );
  }

  async markDead(ids: readonly number[], owner: string, error: string): Promise<void> {
    await this.#settle(
      ids,
      owner,
      `UPDATE outbox SET status = 'dead', last_error = $3,
         lease_owner = NULL, lease_until_utc_ms = NULL
       WHERE ${SETTLE_GUARD}`,
      [maskPersonIdsInText(error)],
    );
  }

  async retryDead(id: number | 'all'): Promise<number> {
    // Attempts start over, so the backoff does too.
    const sql = `UPDATE outbox SET status = 'pending', next_attempt_utc_ms = 0, attempts = 0
                 WHERE status = 'dead'`;
    const result = await this.#connection.withConnection((db) =>
      id === 'all' ? db.query(sql) : db.query(`${sql} AND id = $1`, [id]),
    );
    return result.rowCount ?? 0;
  }

  async status(channel?: string, nowUtcMs: number = Date.now()): Promise<OutboxStatus> {
    return this.#connection.withConnection(async (db) => {
      const counts = await db.query<{
        pending: number;
        in_flight: number;
        oldest: number | null;
      }>(
        `SELECT
           count(*) FILTER (WHERE status = 'pending' OR lease_until_utc_ms <= $2) AS pending,
           count(*) FILTER (WHERE status = 'in_flight' AND lease_until_utc_ms > $2) AS in_flight,
           min(created_at_utc_ms) AS oldest
         FROM outbox
         WHERE status IN ('pending', 'in_flight') AND ($1::text IS NULL OR channel = $1::text)`,
        [channel ?? null, nowUtcMs],
      );
      const dead = await db.query<DeadRow>(
        `SELECT id, channel, key, last_error, attempts, created_at_utc_ms
         FROM outbox WHERE status = 'dead' AND ($1::text IS NULL OR channel = $1::text)
         ORDER BY id`,
        [channel ?? null],
      );
      const skipped = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM outbox
         WHERE status = 'skipped' AND ($1::text IS NULL OR channel = $1::text)`,
        [channel ?? null],
      );
      const c = counts.rows[0];
      return {
        pending: c?.pending ?? 0,
        inFlight: c?.in_flight ?? 0,
        dead: dead.rows.map((row): DeadMessage => ({
          id: row.id,
          channel: row.channel,
          key: maskPersonIdsInText(row.key),
          error: row.last_error ?? '',
          attempts: row.attempts,
          createdAtUtcMs: row.created_at_utc_ms,
        })),
        oldestPendingAgeMs: c?.oldest == null ? undefined : nowUtcMs - c.oldest,
        skipped: skipped.rows[0]?.n ?? 0,
      };
    });
  }

  async pruneDelivered(beforeUtcMs: number): Promise<number> {
    const result = await this.#connection.withConnection((db) =>
      db.query(
        `DELETE FROM outbox WHERE status IN ('delivered', 'skipped') AND delivered_at_utc_ms < $1`,
        [beforeUtcMs],
      ),
    );
    return result.rowCount ?? 0;
  }

  async #settle(
    ids: readonly number[],
    owner: string,
    sql: string,
    values: unknown[],
  ): Promise<void> {
    if (ids.length === 0) return;
    await this.#connection.withConnection((db) => db.query(sql, [[...ids], owner, ...values]));
  }
}
