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
import { OutboxStoreCore, type Claim, type Settlement } from '../core/outbox-store-core.ts';
import * as sql from '../core/outbox-sql.ts';
import type { ClaimRow, DeadRow, OutboxCountsRow } from '../core/rows.ts';
import type { OutboxMessageRow } from '../outbox-message-view.ts';
import { boundLimit } from './bound-limit.ts';

/** Whatever gives exclusive use of the connection; `SqliteCalendarStore` does. */
export interface SqliteConnection {
  withConnection<T>(fn: (db: Database.Database) => T): Promise<T>;
}

const CLAIMABLE = `${sql.claimableSql({ channel: '@channel', now: '@now', gap: '@gap' })}
${boundLimit('@max')}`;

const settle = (kind: sql.SettlementKind) =>
  sql.settleSql(
    kind,
    (i) => `@v${i}`,
    `id = @id AND status = 'in_flight' AND lease_owner = @owner`,
  );

const SETTLE = { delivered: settle('delivered'), retry: settle('retry'), dead: settle('dead') };

export class SqliteOutboxStore extends OutboxStoreCore {
  constructor(private readonly connection: SqliteConnection) {
    super();
  }

  protected claimRows(claim: Claim): Promise<ClaimRow[]> {
    const { channel, nowUtcMs, keyGapMs, max, owner, leaseUntilUtcMs } = claim;
    return this.connection.withConnection((db) => {
      const claimTx = db.transaction(() => {
        const rows = db
          .prepare(CLAIMABLE)
          .all({ channel, now: nowUtcMs, gap: keyGapMs, max }) as ClaimRow[];
        const mark = db.prepare(
          `UPDATE outbox SET status = 'in_flight', lease_owner = @owner,
             lease_until_utc_ms = @until, attempts = attempts + 1
           WHERE id = @id`,
        );
        for (const row of rows) mark.run({ id: row.id, owner, until: leaseUntilUtcMs });
        return rows.map((row) => ({ ...row, attempts: row.attempts + 1 }));
      });
      return claimTx.immediate();
    });
  }

  async retryDead(id: number | 'all'): Promise<number> {
    return this.connection.withConnection((db) => {
      const result =
        id === 'all'
          ? db.prepare(sql.RETRY_DEAD_SQL).run()
          : db.prepare(`${sql.RETRY_DEAD_SQL} AND id = ?`).run(id);
      return result.changes;
    });
  }

  async pruneDelivered(beforeUtcMs: number): Promise<number> {
    return this.connection.withConnection(
      (db) => db.prepare(sql.pruneDeliveredSql('?')).run(beforeUtcMs).changes,
    );
  }

  protected statusRows(channel: string | undefined, nowUtcMs: number) {
    return this.connection.withConnection((db) => {
      const where = channel === undefined ? '' : 'AND channel = @channel';
      const params = { channel: channel ?? null, now: nowUtcMs };
      return {
        counts: db.prepare(sql.outboxCountsSql('@now', where)).get(params) as OutboxCountsRow,
        dead: db.prepare(sql.deadMessagesSql(where)).all(params) as DeadRow[],
        skipped: (db.prepare(sql.skippedCountSql(where)).get(params) as { n: number }).n,
      };
    });
  }

  protected messageRow(id: number) {
    return this.connection.withConnection(
      (db) => db.prepare(sql.findMessageSql('?')).get(id) as OutboxMessageRow | undefined,
    );
  }

  protected async settle({ ids, owner, kind, values }: Settlement): Promise<void> {
    const params: Record<string, string | number | null> = { owner };
    for (const [i, value] of values.entries()) params[`v${i}`] = value;
    await this.connection.withConnection((db) => {
      const update = db.prepare(SETTLE[kind]);
      db.transaction(() => {
        for (const id of ids) update.run({ ...params, id });
      }).immediate();
    });
  }
}
