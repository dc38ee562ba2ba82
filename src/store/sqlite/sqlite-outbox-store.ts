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
import type {
  ClaimOptions,
  ClaimedMessage,
  OutboxStatus,
  OutboxStore,
} from '../../outbox/outbox-store.ts';
import {
  claimableSql,
  deadMessagesSql,
  outboxCountsSql,
  pruneDeliveredSql,
  RETRY_DEAD_SQL,
  settleSql,
  type SettlementKind,
} from '../core/outbox-sql.ts';
import {
  toClaimedMessage,
  toOutboxStatus,
  type ClaimRow,
  type DeadRow,
  type OutboxCountsRow,
} from '../core/rows.ts';
import { boundLimit } from './bound-limit.ts';

/** Whatever gives exclusive use of the connection; `SqliteCalendarStore` does. */
export interface SqliteConnection {
  withConnection<T>(fn: (db: Database.Database) => T): Promise<T>;
}

const CLAIMABLE = `${claimableSql({ channel: '@channel', now: '@now', gap: '@gap' })}
${boundLimit('@max')}`;

const settle = (kind: SettlementKind) =>
  settleSql(kind, (i) => `@v${i}`, `id = @id AND status = 'in_flight' AND lease_owner = @owner`);

const SETTLE = { delivered: settle('delivered'), retry: settle('retry'), dead: settle('dead') };

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
        return rows.map((row) => toClaimedMessage({ ...row, attempts: row.attempts + 1 }));
      });
      return claim.immediate();
    });
  }

  async markDelivered(ids: readonly number[], owner: string, nowUtcMs: number): Promise<void> {
    await this.settle(ids, owner, SETTLE.delivered, [nowUtcMs]);
  }

  async markRetry(
    ids: readonly number[],
    owner: string,
    error: string,
    nextAttemptUtcMs: number,
  ): Promise<void> {
    await this.settle(ids, owner, SETTLE.retry, [nextAttemptUtcMs, maskPersonIdsInText(error)]);
  }

  async markDead(ids: readonly number[], owner: string, error: string): Promise<void> {
    await this.settle(ids, owner, SETTLE.dead, [maskPersonIdsInText(error)]);
  }

  async retryDead(id: number | 'all'): Promise<number> {
    return this.connection.withConnection((db) => {
      const result =
        id === 'all'
          ? db.prepare(RETRY_DEAD_SQL).run()
          : db.prepare(`${RETRY_DEAD_SQL} AND id = ?`).run(id);
      return result.changes;
    });
  }

  async status(channel?: string, nowUtcMs: number = Date.now()): Promise<OutboxStatus> {
    return this.connection.withConnection((db) => {
      const where = channel === undefined ? '' : 'AND channel = @channel';
      const params = { channel: channel ?? null, now: nowUtcMs };
      const counts = db.prepare(outboxCountsSql('@now', where)).get(params) as OutboxCountsRow;
      const dead = db.prepare(deadMessagesSql(where)).all(params) as DeadRow[];
      return toOutboxStatus(counts, dead, nowUtcMs);
    });
  }

  async pruneDelivered(beforeUtcMs: number): Promise<number> {
    return this.connection.withConnection(
      (db) => db.prepare(pruneDeliveredSql('?')).run(beforeUtcMs).changes,
    );
  }

  private async settle(
    ids: readonly number[],
    owner: string,
    sql: string,
    values: readonly (string | number)[],
  ): Promise<void> {
    if (ids.length === 0) return;
    const params: Record<string, string | number> = { owner };
    for (const [i, value] of values.entries()) params[`v${i}`] = value;
    await this.connection.withConnection((db) => {
      const update = db.prepare(sql);
      db.transaction(() => {
        for (const id of ids) update.run({ ...params, id });
      }).immediate();
    });
  }
}
