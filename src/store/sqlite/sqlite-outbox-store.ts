/**
 * The outbox dispatch store on the SQLite calendar database: the `outbox`
 * table the calendar store appends to, read and settled here.
 *
 * Every claim runs in one `BEGIN IMMEDIATE` transaction, which takes
 * SQLite's write lock before it reads. Dispatchers on the same connection
 * are serialised by the store's mutex, dispatchers on other connections to
 * the same file (other processes) by that lock, so two claims can never pick
 * the same key.
 */
import type Database from 'better-sqlite3';
import { maskPersonIdsInText } from '../../domain/personnummer.ts';
import { boundLimit } from './bound-limit.ts';
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

/** Whatever gives exclusive use of the connection; `SqliteCalendarStore` does. */
export interface SqliteConnection {
  withConnection<T>(fn: (db: Database.Database) => T): Promise<T>;
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

// A message is claimable when it is the oldest undelivered one of its key
// (an earlier pending, in-flight or dead message blocks it: per-key order),
// it is due, nobody holds a live lease on it, and the key's previous
// delivery is at least the gap ago.
const CLAIMABLE = `
SELECT o.id, o.channel, o.key, o.payload, o.attempts, o.created_at_utc_ms
FROM outbox o
WHERE o.channel = @channel
  AND (o.status = 'pending' OR (o.status = 'in_flight' AND o.lease_until_utc_ms <= @now))
  AND o.not_before_utc_ms <= @now
  AND o.next_attempt_utc_ms <= @now
  AND NOT EXISTS (
    SELECT 1 FROM outbox e
    WHERE e.channel = o.channel AND e.key = o.key AND e.id < o.id
      AND e.status IN ('pending', 'in_flight', 'dead'))
  AND NOT EXISTS (
    SELECT 1 FROM outbox d
    WHERE d.channel = o.channel AND d.key = o.key AND d.status = 'delivered'
      AND d.delivered_at_utc_ms > @now - @gap)
ORDER BY o.id
${boundLimit('@max')}`;

const SETTLE_GUARD = `id = @id AND status = 'in_flight' AND lease_owner = @owner`;

export class SqliteOutboxStore implements OutboxStore {
  constructor(private readonly connection: SqliteConnection) {}

  async claimBatch(
    channel: string,
    max: number,
    nowUtcMs: number,
    leaseMs: number,
    owner: string,
    options: ClaimOptions = {},
  ): Promise<ClaimedMessage[]> {
    if (max < 1) return [];
    return this.connection.withConnection((db) => {
      const claim = db.transaction(() => {
        const rows = db.prepare(CLAIMABLE).all({
          channel,
          now: nowUtcMs,
          gap: options.keyGapMs ?? 0,
          max,
        }) as ClaimRow[];
        const mark = db.prepare(
          `UPDATE outbox SET status = 'in_flight', lease_owner = @owner,
             lease_until_utc_ms = @until, attempts = attempts + 1
           WHERE id = @id`,
        );
        for (const row of rows) mark.run({ id: row.id, owner, until: nowUtcMs + leaseMs });
        return rows.map((row): ClaimedMessage => ({
          id: row.id,
          channel: row.channel,
          key: row.key,
          payload: JSON.parse(row.payload) as unknown,
          attempts: row.attempts + 1,
          createdAtUtcMs: row.created_at_utc_ms,
        }));
      });
      return claim.immediate();
    });
  }

  async markDelivered(
    ids: readonly number[],
    owner: string,
    nowUtcMs: number,
    note?: DeliveryNote,
  ): Promise<void> {
    const skipped = note !== undefined && 'skipped' in note;
    await this.settle(
      ids,
      `UPDATE outbox SET status = @status, delivered_at_utc_ms = @now,
         receipt = @receipt, skip_reason = @skipReason,
         lease_owner = NULL, lease_until_utc_ms = NULL
       WHERE ${SETTLE_GUARD}`,
      {
        owner,
        now: nowUtcMs,
        status: skipped ? 'skipped' : 'delivered',
        receipt: note && 'receipt' in note ? JSON.stringify(note.receipt) : null,
        skipReason: skipped ? maskPersonIdsInText(note.skipped) : null,
      },
    );
  }

  async findMessage(id: number): Promise<OutboxMessageView | undefined> {
    return this.connection.withConnection((db) => {
      const row = db
        .prepare(
          `SELECT id, channel, key, status, attempts, last_error, receipt, skip_reason,
                  created_at_utc_ms, delivered_at_utc_ms
           FROM outbox WHERE id = ?`,
        )
        .get(id) as OutboxMessageRow | undefined;
      return row && outboxMessageView(row);
    });
  }

  async markRetry(
    ids: readonly number[],
    owner: string,
    error: string,
    nextAttemptUtcMs: number,
  ): Promise<void> {
    await this.settle(
      ids,
      `UPDATE outbox SET status = 'pending', next_attempt_utc_ms = @next, last_error = @error,
         lease_owner = NULL, lease_until_utc_ms = NULL
       WHERE ${SETTLE_GUARD}`,
      { owner, next: nextAttemptUtcMs, error: maskPersonIdsInText(error) },
    );
  }

  async markDead(ids: readonly number[], owner: string, error: string): Promise<void> {
    await this.settle(
      ids,
      `UPDATE outbox SET status = 'dead', last_error = @error,
         lease_owner = NULL, lease_until_utc_ms = NULL
       WHERE ${SETTLE_GUARD}`,
      { owner, error: maskPersonIdsInText(error) },
    );
  }

  async retryDead(id: number | 'all'): Promise<number> {
    return this.connection.withConnection((db) => {
      // Attempts start over, so the backoff does too.
      const sql = `UPDATE outbox SET status = 'pending', next_attempt_utc_ms = 0, attempts = 0
                   WHERE status = 'dead'`;
      const result = id === 'all' ? db.prepare(sql).run() : db.prepare(`${sql} AND id = ?`).run(id);
      return result.changes;
    });
  }

  async status(channel?: string, nowUtcMs: number = Date.now()): Promise<OutboxStatus> {
    return this.connection.withConnection((db) => {
      const where = channel === undefined ? '' : 'AND channel = @channel';
      const params = { channel: channel ?? null, now: nowUtcMs };
      const counts = db
        .prepare(
          `SELECT
             sum(CASE WHEN status = 'pending' OR lease_until_utc_ms <= @now THEN 1 ELSE 0 END) AS pending,
             sum(CASE WHEN status = 'in_flight' AND lease_until_utc_ms > @now THEN 1 ELSE 0 END) AS in_flight,
             min(created_at_utc_ms) AS oldest
           FROM outbox WHERE status IN ('pending', 'in_flight') ${where}`,
        )
        .get(params) as { pending: number | null; in_flight: number | null; oldest: number | null };
      const dead = db
        .prepare(
          `SELECT id, channel, key, last_error, attempts, created_at_utc_ms
           FROM outbox WHERE status = 'dead' ${where} ORDER BY id`,
        )
        .all(params) as DeadRow[];
      return {
        pending: counts.pending ?? 0,
        inFlight: counts.in_flight ?? 0,
        dead: dead.map((row): DeadMessage => ({
          id: row.id,
          channel: row.channel,
          key: maskPersonIdsInText(row.key),
          error: row.last_error ?? '',
          attempts: row.attempts,
          createdAtUtcMs: row.created_at_utc_ms,
        })),
        oldestPendingAgeMs: counts.oldest === null ? undefined : nowUtcMs - counts.oldest,
        skipped: (
          db
            .prepare(`SELECT count(*) AS n FROM outbox WHERE status = 'skipped' ${where}`)
            .get(params) as { n: number }
        ).n,
      };
    });
  }

  async pruneDelivered(beforeUtcMs: number): Promise<number> {
    return this.connection.withConnection(
      (db) =>
        db
          .prepare(
            `DELETE FROM outbox WHERE status IN ('delivered', 'skipped') AND delivered_at_utc_ms < ?`,
          )
          .run(beforeUtcMs).changes,
    );
  }

  private async settle(
    ids: readonly number[],
    sql: string,
    params: Record<string, string | number | null>,
  ): Promise<void> {
    if (ids.length === 0) return;
    await this.connection.withConnection((db) => {
      const update = db.prepare(sql);
      db.transaction(() => {
        for (const id of ids) update.run({ ...params, id });
      }).immediate();
    });
  }
}
