/**
 * {@link WebhookSubscriptionRows} on the calendar database, SQLite or
 * PostgreSQL: the same statements (`webhook-subscription-sql.ts`), run
 * through a small driver adapter per database.
 *
 * @module
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { CalendarStore } from '../../store/calendar-store.ts';
import { PostgresCalendarStore } from '../../store/postgres/postgres-calendar-store.ts';
import { SqliteCalendarStore } from '../../store/sqlite/sqlite-calendar-store.ts';
import {
  insertParams,
  toSubscription,
  WEBHOOK_SQL,
  type WebhookSubscriptionRow,
} from './webhook-subscription-sql.ts';
import type { StoredWebhookSubscription, WebhookSubscriptionRows } from './webhook-subscription.ts';

type Param = string | number | null;

/** Runs one statement and returns its rows (or how many it changed). */
export interface SqlRunner {
  query(sql: string, params: readonly Param[]): Promise<{ rows: unknown[]; changes: number }>;
}

/** SQLite through the store's exclusive connection; `$n` are bound by name. */
export function sqliteRunner(connection: {
  withConnection<T>(fn: (db: Database.Database) => T): Promise<T>;
}): SqlRunner {
  return {
    query: (sql, params) =>
      connection.withConnection((db) => {
        const named = Object.fromEntries(params.map((p, i) => [String(i + 1), p]));
        const statement = db.prepare(sql);
        if (statement.reader) return { rows: statement.all(named), changes: 0 };
        return { rows: [], changes: statement.run(named).changes };
      }),
  };
}

/** PostgreSQL through the store's pool. */
export function postgresRunner(connection: {
  withConnection<T>(fn: (db: pg.Pool | pg.PoolClient) => Promise<T>): Promise<T>;
}): SqlRunner {
  return {
    query: (sql, params) =>
      connection.withConnection(async (db) => {
        const result = await db.query(sql, [...params]);
        return { rows: result.rows as unknown[], changes: result.rowCount ?? 0 };
      }),
  };
}

export class SqlWebhookSubscriptionRows implements WebhookSubscriptionRows {
  constructor(private readonly sql: SqlRunner) {}

  async #rows(sql: string, params: readonly Param[] = []): Promise<StoredWebhookSubscription[]> {
    const { rows } = await this.sql.query(sql, params);
    return (rows as WebhookSubscriptionRow[]).map(toSubscription);
  }

  async #changed(sql: string, params: readonly Param[]): Promise<boolean> {
    return (await this.sql.query(sql, params)).changes > 0;
  }

  async insert(subscription: StoredWebhookSubscription): Promise<void> {
    await this.sql.query(WEBHOOK_SQL.insert, insertParams(subscription));
  }

  list(): Promise<StoredWebhookSubscription[]> {
    return this.#rows(WEBHOOK_SQL.list);
  }

  async get(id: string): Promise<StoredWebhookSubscription | undefined> {
    return (await this.#rows(WEBHOOK_SQL.get, [id]))[0];
  }

  async count(): Promise<number> {
    const { rows } = await this.sql.query(WEBHOOK_SQL.count, []);
    return Number((rows[0] as { n: number | string }).n);
  }

  remove(id: string): Promise<boolean> {
    return this.#changed(WEBHOOK_SQL.remove, [id]);
  }

  setSecrets(
    id: string,
    sealedSecret: string,
    sealedPreviousSecret: string | undefined,
    previousSecretUntilUtcMs: number | undefined,
  ): Promise<boolean> {
    return this.#changed(WEBHOOK_SQL.setSecrets, [
      id,
      sealedSecret,
      sealedPreviousSecret ?? null,
      previousSecretUntilUtcMs ?? null,
    ]);
  }

  setEnabled(id: string, enabled: boolean, disabledReason: string | undefined): Promise<boolean> {
    return this.#changed(WEBHOOK_SQL.setEnabled, [id, enabled ? 1 : 0, disabledReason ?? null]);
  }

  async markFailing(id: string, nowUtcMs: number): Promise<number> {
    const { rows } = await this.sql.query(WEBHOOK_SQL.markFailing, [id, nowUtcMs]);
    const row = rows[0] as { failing_since_utc_ms: number | string } | undefined;
    // A subscription removed meanwhile has no streak: this failure is its start.
    return row === undefined ? nowUtcMs : Number(row.failing_since_utc_ms);
  }

  async clearFailing(id: string): Promise<void> {
    await this.sql.query(WEBHOOK_SQL.clearFailing, [id]);
  }
}

/** The subscriptions on the database of `store`. */
export function webhookSubscriptionRows(store: CalendarStore): SqlWebhookSubscriptionRows {
  if (store instanceof SqliteCalendarStore)
    return new SqlWebhookSubscriptionRows(sqliteRunner(store));
  if (store instanceof PostgresCalendarStore)
    return new SqlWebhookSubscriptionRows(postgresRunner(store));
  throw new Error('webhook subscriptions need the SQLite or PostgreSQL store');
}
