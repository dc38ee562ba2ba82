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
import { OutboxStoreCore, type Claim, type Settlement } from '../core/outbox-store-core.ts';
import * as sql from '../core/outbox-sql.ts';
import type { ClaimRow, DeadRow, OutboxCountsRow } from '../core/rows.ts';
import type { OutboxMessageRow } from '../outbox-message-view.ts';
import type { Queryable } from './postgres-queries.ts';

/** Whatever runs statements on the database; `PostgresCalendarStore` does. */
export interface PostgresConnection {
  withConnection<T>(fn: (db: Queryable) => Promise<T>): Promise<T>;
}

// $1 channel, $2 now, $3 key gap, $4 max, $5 owner, $6 lease end.
const CLAIM = `
WITH claimable AS (
  ${sql.claimableSql({ channel: '$1', now: '$2::bigint', gap: '$3::bigint' })}
  LIMIT $4
  FOR UPDATE OF o SKIP LOCKED
)
UPDATE outbox SET status = 'in_flight', lease_owner = $5, lease_until_utc_ms = $6,
  attempts = outbox.attempts + 1
FROM claimable
WHERE outbox.id = claimable.id
RETURNING outbox.id, outbox.channel, outbox.key, outbox.payload, outbox.attempts,
  outbox.created_at_utc_ms`;

// $1 ids, $2 owner, then the settlement's values.
const settle = (kind: sql.SettlementKind) =>
  sql.settleSql(
    kind,
    (i) => `$${i + 3}`,
    `id = ANY ($1::bigint[]) AND status = 'in_flight' AND lease_owner = $2`,
  );

const SETTLE = { delivered: settle('delivered'), retry: settle('retry'), dead: settle('dead') };

// $1 channel or NULL for all.
const CHANNEL_FILTER = 'AND ($1::text IS NULL OR channel = $1::text)';

export class PostgresOutboxStore extends OutboxStoreCore {
  readonly #connection: PostgresConnection;

  constructor(connection: PostgresConnection) {
    super();
    this.#connection = connection;
  }

  protected async claimRows(claim: Claim): Promise<ClaimRow[]> {
    const { channel, nowUtcMs, keyGapMs, max, owner, leaseUntilUtcMs } = claim;
    const result = await this.#connection.withConnection((db) =>
      db.query<ClaimRow>(CLAIM, [channel, nowUtcMs, keyGapMs, max, owner, leaseUntilUtcMs]),
    );
    return result.rows;
  }

  async retryDead(id: number | 'all'): Promise<number> {
    const result = await this.#connection.withConnection((db) =>
      id === 'all'
        ? db.query(sql.RETRY_DEAD_SQL)
        : db.query(`${sql.RETRY_DEAD_SQL} AND id = $1`, [id]),
    );
    return result.rowCount ?? 0;
  }

  async pruneDelivered(beforeUtcMs: number): Promise<number> {
    const result = await this.#connection.withConnection((db) =>
      db.query(sql.pruneDeliveredSql('$1'), [beforeUtcMs]),
    );
    return result.rowCount ?? 0;
  }

  protected statusRows(channel: string | undefined, nowUtcMs: number) {
    return this.#connection.withConnection(async (db) => {
      const counts = await db.query<OutboxCountsRow>(
        sql.outboxCountsSql('$2::bigint', CHANNEL_FILTER),
        [channel ?? null, nowUtcMs],
      );
      const dead = await db.query<DeadRow>(sql.deadMessagesSql(CHANNEL_FILTER), [channel ?? null]);
      const skipped = await db.query<{ n: number }>(sql.skippedCountSql(CHANNEL_FILTER), [
        channel ?? null,
      ]);
      return { counts: counts.rows[0], dead: dead.rows, skipped: skipped.rows[0]?.n };
    });
  }

  protected async messageRow(id: number) {
    const result = await this.#connection.withConnection((db) =>
      db.query<OutboxMessageRow>(sql.findMessageSql('$1'), [id]),
    );
    return result.rows[0];
  }

  protected async settle({ ids, owner, kind, values }: Settlement): Promise<void> {
    await this.#connection.withConnection((db) =>
      db.query(SETTLE[kind], [[...ids], owner, ...values]),
    );
  }
}
