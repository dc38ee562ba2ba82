/**
 * CalendarStore on PostgreSQL, for several producer instances on one
 * database. A pool of connections; every transaction has a connection of its
 * own at READ COMMITTED, and every guarantee between instances is the
 * database's:
 * - a slot is claimed by the partial unique index on active bookings (a
 *   concurrent insert waits for the other transaction and fails if it
 *   committed), and a booking update is an `UPDATE … WHERE version = $n`
 *   (PostgreSQL re-checks the WHERE against a row changed meanwhile);
 * - a write that may break a constraint runs inside a SAVEPOINT, because a
 *   failed statement aborts a PostgreSQL transaction: rolled back to the
 *   savepoint, the write has changed nothing and the transaction goes on.
 *
 * The schema is brought up to date before the first statement (see
 * `migrations.ts`; safe when several instances start at once).
 */
import pg from 'pg';
import type { OutboxStore } from '../../outbox/outbox-store.ts';
import type { StoreCapabilities } from '../calendar-store.ts';
import type { TxConnection } from '../core/guarded-tx.ts';
import { newestVersion } from '../core/migration-runner.ts';
import { StoreCore } from '../core/store-core.ts';
import { TurnSharedRead } from '../core/turn-shared-read.ts';
import { StoreUnavailableError } from '../errors.ts';
import { AsyncMutex } from '../sqlite/async-mutex.ts';
import { appliedMigrations, migrate, MIGRATIONS, type AppliedMigration } from './migrations.ts';
import { PostgresOutboxStore } from './postgres-outbox-store.ts';
import { PostgresQueries, type Queryable } from './postgres-queries.ts';

export interface PostgresStoreOptions {
  /** Clock for outbox timestamps; defaults to `Date.now`. */
  readonly now?: () => number;
  /**
   * Most connections this instance opens (pg.Pool `max`); default 10. Every
   * transaction holds one for its whole callback, so this bounds the
   * instance's concurrent transactions; the server's `max_connections` must
   * cover all instances together.
   */
  readonly maxConnections?: number;
  /** Apply pending migrations before the first statement; default true. */
  readonly migrate?: boolean;
  /** Shown in `pg_stat_activity`; default `tidbok`. */
  readonly applicationName?: string;
}

// BIGINT (counts, millisecond times, outbox ids) as numbers: every value the
// store holds is far below 2^53, and the domain speaks numbers.
const parseInt8 = (value: string): number => Number(value);
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * The connection's start-up options: the URL's own (a schema's search_path)
 * plus generic plans. Only named statements use the plan cache, and only the
 * free-slot search is named (postgres-queries.ts): plan it once per
 * connection, with the parameters unknown, rather than on every call; every
 * other statement is unnamed and still planned with its actual values. Set at
 * start-up rather than by a statement on 'connect', which would run beside
 * the first query the pool hands the new client (pg 9 refuses that).
 */
function withGenericPlans(url: string): string {
  const own = new URL(url).searchParams.get('options');
  return [own, '-c plan_cache_mode=force_generic_plan'].filter(Boolean).join(' ');
}

/**
 * Opens a store on the database at `url` (`postgres://user@host:port/db`;
 * `?options=-c%20search_path%3Dschema` picks a schema). Returns at once; the
 * schema is migrated before the first statement runs, and a failure (no
 * server, no rights) rejects that call and is tried again by the next.
 */
export function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): PostgresCalendarStore {
  const pool = new pg.Pool({
    connectionString: url,
    options: withGenericPlans(url),
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? 'tidbok',
    types: typeParsers,
  });
  return new PostgresCalendarStore(pool, options);
}

/** {@link openPostgresStore}, resolved once the schema is up to date (or rejected if it cannot be). */
export async function connectPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<PostgresCalendarStore> {
  const store = openPostgresStore(url, options);
  try {
    await store.ready();
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Applies pending migrations to the database at `url` and returns what is applied (`tidbok migrate`). */
export async function migratePostgres(url: string): Promise<AppliedMigration[]> {
  const store = await connectPostgresStore(url);
  try {
    return await store.appliedMigrations();
  } finally {
    await store.close();
  }
}

export class PostgresCalendarStore extends StoreCore<PostgresQueries> {
  readonly capabilities: StoreCapabilities = { supportsSeveralProcesses: true };
  readonly newestMigration = newestVersion(MIGRATIONS);
  readonly #pool: pg.Pool;
  readonly #now: () => number;
  readonly #shouldMigrate: boolean;
  /** Statements on the pool: each runs on whichever connection is free, outside any transaction. */
  readonly #onPool: PostgresQueries;
  readonly #running = new Set<Promise<unknown>>();
  #readiness: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  readonly #version = new TurnSharedRead(() => this.readCommitted((q) => q.calendarVersion()));

  /** Use {@link openPostgresStore}: it configures the pool. */
  constructor(pool: pg.Pool, options: PostgresStoreOptions = {}) {
    super();
    this.#pool = pool;
    this.#now = options.now ?? Date.now;
    this.#shouldMigrate = options.migrate ?? true;
    this.#onPool = new PostgresQueries(pool, this.#now);
    // An idle connection that breaks (server restart) is dropped from the
    // pool, and the next statement opens a new one; without a listener the
    // error would end the process.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => {
      // A connection that is lost emits 'error', sometimes twice (the server's
      // message, then the closed socket), and the pool listens only while the
      // client is idle: without a listener of its own for the rest of its life,
      // one lost session would end the process. The statement running on it
      // fails anyway, and that is how the store learns of it.
      client.on('error', () => undefined);
    });
    // Start at once, so start-up problems show early; callers see the outcome.
    this.#ensureReady().catch(() => undefined);
  }

  /**
   * The `calendar_version` row, which every transaction that writes calendar
   * data bumps as it commits, on whichever instance: one indexed read of one
   * row, begun after the call and shared by the calls of the same event-loop
   * turn ({@link TurnSharedRead}). Read it before the data it is to guard.
   */
  async calendarVersion(): Promise<string> {
    // Checked per caller, as every read is: the shared read itself runs later.
    this.guard.checkCallable('read');
    // Tracked from the call on, so that close() waits for a read not begun yet.
    return this.#track(() => this.#version.get());
  }

  /** Resolves once the schema is up to date; rejects with why it cannot be. */
  ready(): Promise<void> {
    this.guard.checkCallable('ready');
    return this.#ensureReady();
  }

  async appliedMigrations(): Promise<AppliedMigration[]> {
    return this.read(() => appliedMigrations(this.#pool));
  }

  outboxStore(): OutboxStore {
    return new PostgresOutboxStore(this);
  }

  /**
   * Runs `fn` with the pool, outside any transaction: each statement commits
   * on its own. For components that share the database, such as the outbox
   * dispatch store; close() waits for it.
   */
  async withConnection<T>(fn: (db: Queryable) => Promise<T>): Promise<T> {
    // Not tried again: a statement may have committed before its answer was lost.
    this.guard.checkCallable('read');
    return this.#track(async () => {
      await this.#ensureReady();
      return fn(this.#pool);
    });
  }

  protected readCommitted<T>(statement: (q: PostgresQueries) => T | Promise<T>): Promise<T> {
    // A read writes nothing, so a lost connection is tried once more.
    return this.onceMore(() =>
      this.#track(async () => {
        await this.#ensureReady();
        try {
          return await statement(this.#onPool);
        } catch (error) {
          throw isConnectionLoss(error) ? connectionLost(error, true) : error;
        }
      }),
    );
  }

  protected inTransaction<T>(
    body: (connection: TxConnection<PostgresQueries>) => Promise<T>,
  ): Promise<T> {
    return this.#track(async () => {
      await this.#ensureReady();
      const client = await this.#connect();
      let isBroken = false;
      // A checked-out client has no listener of the pool's: without this one,
      // a lost connection (failover, restart, terminated session) would emit
      // an unhandled 'error' and end the process.
      const onError = () => (isBroken = true);
      client.on('error', onError);
      const connection = new TransactionConnection(new PostgresQueries(client, this.#now), client);
      try {
        let result: T;
        try {
          await client.query('BEGIN');
          result = await body(connection);
          await connection.settled();
          // Last, so that the row lock is held only while committing.
          if (connection.wroteCalendar) await client.query(BUMP_CALENDAR_VERSION);
        } catch (error) {
          await connection.settled();
          if (isBroken || isConnectionLoss(error)) {
            isBroken = true;
            // The server rolls back a transaction whose session ended.
            throw connectionLost(error, true);
          }
          await client.query('ROLLBACK').catch((rollbackError: unknown) => {
            isBroken = true;
            if (!isConnectionLoss(rollbackError)) throw rollbackError;
          });
          throw error;
        }
        // Lost before COMMIT was sent: nothing was written.
        if (isBroken) throw connectionLost(undefined, true);
        let commit: pg.QueryResult;
        try {
          commit = await client.query('COMMIT');
        } catch (error) {
          isBroken = true;
          // Lost while committing: the outcome is unknown.
          throw isConnectionLoss(error) ? connectionLost(error, false) : error;
        }
        // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK.
        if (commit.command !== 'COMMIT')
          throw new Error('the transaction was rolled back: one of its statements had failed');
        return result;
      } finally {
        client.off('error', onError);
        client.release(isBroken);
      }
    });
  }

  /** A connection of the pool; one that cannot be had is a database unavailable, nothing written. */
  async #connect(): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw isConnectionLoss(error) ? connectionLost(error, true) : error;
    }
  }

  protected closed(): Promise<void> {
    // Work started before close still runs.
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#running, this.#readiness]);
      await this.#pool.end();
    })();
    return this.#closing;
  }

  #ensureReady(): Promise<void> {
    this.#readiness ??= this.#prepare().catch((error: unknown) => {
      // Not cached: the next call tries again (the server may be back).
      this.#readiness = undefined;
      throw error;
    });
    return this.#readiness;
  }

  async #prepare(): Promise<void> {
    if (!this.#shouldMigrate) return;
    const client = await this.#pool.connect();
    let isBroken = false;
    const onError = () => (isBroken = true);
    client.on('error', onError);
    try {
      await migrate(client, undefined, this.#now);
    } catch (error) {
      isBroken = true;
      throw error;
    } finally {
      client.off('error', onError);
      client.release(isBroken);
    }
  }

  #track<T>(work: () => Promise<T>): Promise<T> {
    const promise = work();
    this.#running.add(promise);
    const forget = () => this.#running.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}

const BUMP_CALENDAR_VERSION = 'UPDATE calendar_version SET version = version + 1 WHERE id = 1';

/**
 * Whether `error` says the connection is gone rather than that a statement
 * failed: SQLSTATE class 08 (connection exception), 57P01–57P05 (server
 * shutting down, session terminated or timed out), or the driver's own
 * errors for a closed socket.
 */
export function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  if (typeof code === 'string' && (code.startsWith('08') || /^57P0[1-5]$/.test(code))) return true;
  if (code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE') return true;
  return (
    error instanceof Error &&
    /^(Connection terminated|Client has encountered a connection error|Client was closed)/.test(
      error.message,
    )
  );
}

function connectionLost(cause: unknown, nothingWritten: boolean): StoreUnavailableError {
  return new StoreUnavailableError(
    'connection-lost',
    nothingWritten,
    nothingWritten
      ? 'the connection to the calendar database was lost and nothing was changed; try again'
      : 'the connection to the calendar database was lost while saving; the change may have been saved',
    { cause },
  );
}

/**
 * A transaction's statements: one at a time on its connection, even when
 * the callback does not await each call, so a savepoint always wraps exactly
 * its own write.
 */
class TransactionConnection implements TxConnection<PostgresQueries> {
  readonly #queries: PostgresQueries;
  readonly #client: pg.PoolClient;
  readonly #mutex = new AsyncMutex();

  constructor(queries: PostgresQueries, client: pg.PoolClient) {
    this.#queries = queries;
    this.#client = client;
  }

  /** Whether a write that may change calendar answers ran (bookings, timeslots, reference data). */
  wroteCalendar = false;

  /** Resolves once every statement queued on this transaction has finished. */
  settled(): Promise<void> {
    return this.#mutex.run(async () => undefined);
  }

  readonly run = <T>(statement: (q: PostgresQueries) => T | Promise<T>): Promise<T> =>
    this.#mutex.run(async () => statement(this.#queries));

  /** A write that may break a constraint: on failure it is rolled back alone, and the transaction goes on. */
  readonly write = <T>(statement: (q: PostgresQueries) => T | Promise<T>): Promise<T> =>
    this.#mutex.run(async () => {
      this.wroteCalendar = true;
      const client = this.#client;
      await client.query('SAVEPOINT tidbok_write');
      let result: T;
      try {
        result = await statement(this.#queries);
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT tidbok_write');
        await client.query('RELEASE SAVEPOINT tidbok_write');
        throw error;
      }
      await client.query('RELEASE SAVEPOINT tidbok_write');
      return result;
    });
}
