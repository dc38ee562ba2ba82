/**
 * CalendarStore on one better-sqlite3 connection (a file, or `:memory:` for
 * tests). better-sqlite3 is synchronous, the seam is async: transactions are
 * serialised by an async mutex, and reads outside a transaction queue behind
 * them too, so nobody sees another transaction's uncommitted writes on the
 * shared connection.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { FreeTimeslot } from '../../domain/types.ts';
import type { OutboxStore } from '../../outbox/outbox-store.ts';
import type { FreeTimeslotQuery, StoreCapabilities } from '../calendar-store.ts';
import type { TxConnection } from '../core/guarded-tx.ts';
import { newestVersion } from '../core/migration-runner.ts';
import { foldNoCase, PerVersion } from '../core/reference-cache.ts';
import { StoreCore } from '../core/store-core.ts';
import { StoreUnavailableError } from '../errors.ts';
import { AsyncMutex } from './async-mutex.ts';
import { appliedMigrations, migrate, MIGRATIONS, type AppliedMigration } from './migrations.ts';
import { SqliteOutboxStore } from './sqlite-outbox-store.ts';
import { SqliteQueries, type SlotNames } from './sqlite-queries.ts';

export interface SqliteStoreOptions {
  /** Clock for outbox timestamps; defaults to `Date.now`. */
  readonly now?: () => number;
  /** How long to wait for another process's write lock (ms); default 5000. */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens (creating if need be) the SQLite database at `path`, or an in-memory
 * one for `:memory:`, and brings its schema up to date.
 */
export function openSqliteStore(
  path: string,
  options: SqliteStoreOptions = {},
): SqliteCalendarStore {
  const isMemory = path === ':memory:';
  if (!isMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    if (!isMemory) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    // synchronous stays FULL (the default): a booking confirmed to 1177 must survive a power loss.
    migrate(db, undefined, options.now);
    return new SqliteCalendarStore(db, options.now ?? Date.now);
  } catch (error) {
    db.close();
    throw error;
  }
}

export class SqliteCalendarStore extends StoreCore<SqliteQueries> {
  readonly capabilities: StoreCapabilities = { supportsSeveralProcesses: false };
  readonly newestMigration = newestVersion(MIGRATIONS);
  readonly #db: Database.Database;
  /** Transactions committed through this connection; see {@link calendarVersion}. */
  #commits = 0;
  readonly #q: SqliteQueries;
  /** Prepared once: `db.pragma()` prepares its statement anew on every call. */
  readonly #dataVersion: Database.Statement;
  /**
   * Display names of slots (facility, time and care types, performers,
   * resources) per facility with free slots, for one calendar version: a
   * search would otherwise look up the same few names again each time.
   */
  readonly #slotNames = new PerVersion<SlotNames>();
  readonly #mutex = new AsyncMutex();
  /** Statements run on the open transaction: no savepoints needed, a failed SQLite statement undoes only itself. */
  readonly #tx: TxConnection<SqliteQueries>;
  #closing: Promise<void> | undefined;

  /** Use {@link openSqliteStore}: it prepares the connection and the schema first. */
  constructor(db: Database.Database, now: () => number) {
    super();
    this.#db = db;
    this.#q = new SqliteQueries(db, now);
    this.#dataVersion = db.prepare('PRAGMA data_version').pluck();
    const run = async <T>(statement: (q: SqliteQueries) => T | Promise<T>) => statement(this.#q);
    this.#tx = { run, write: run };
  }

  /**
   * Our own commits, and SQLite's `data_version`, which changes when another
   * connection (another process, such as `tidbok import`) commits to the file.
   */
  calendarVersion(): string {
    const others = this.#db.open ? (this.#dataVersion.get() as number) : -1;
    return `${this.#commits}:${others}`;
  }

  async appliedMigrations(): Promise<AppliedMigration[]> {
    return this.read(() => appliedMigrations(this.#db));
  }

  outboxStore(): OutboxStore {
    return new SqliteOutboxStore(this);
  }

  /**
   * Runs `fn` on this store's connection, alone: behind the same mutex as
   * transactions and reads, outside any of them. For components that share
   * the database, such as the outbox dispatch store. `fn` is synchronous and
   * must leave no transaction open.
   */
  async withConnection<T>(fn: (db: Database.Database) => T): Promise<T> {
    return this.read(() => fn(this.#db));
  }

  override async findFreeTimeslots(query: FreeTimeslotQuery): Promise<FreeTimeslot[]> {
    return this.read((q) => {
      // Read as the search runs, so the names kept belong to the data it reads.
      const version = this.calendarVersion();
      const byFacility = this.#slotNames.at(version);
      return q.findFreeTimeslots(query, (facility) => {
        const key = foldNoCase(facility);
        const known = byFacility.get(key);
        if (known) return known;
        const names = this.#q.slotNames(facility);
        this.#slotNames.keep(version, key, names);
        return names;
      });
    });
  }

  /** A read outside any transaction: waits its turn so it sees only committed data. */
  protected readCommitted<T>(statement: (q: SqliteQueries) => T | Promise<T>): Promise<T> {
    return this.#mutex.run(async () => statement(this.#q));
  }

  protected inTransaction<T>(
    body: (connection: TxConnection<SqliteQueries>) => Promise<T>,
  ): Promise<T> {
    return this.#mutex.run(async () => {
      this.#begin();
      try {
        const result = await body(this.#tx);
        this.#db.exec('COMMIT');
        this.#commits += 1;
        return result;
      } catch (error) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  /**
   * Takes the write lock, waiting up to the busy timeout for another process
   * (`tidbok import`, a second instance on the file) to release it.
   */
  #begin(): void {
    try {
      this.#db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY'))
        throw new StoreUnavailableError(
          'busy',
          true,
          'the calendar database is busy with a change by another process; try again in a moment',
          { cause: error },
        );
      throw error;
    }
  }

  protected closed(): Promise<void> {
    // Work queued before close still runs first.
    this.#closing ??= this.#mutex.run(async () => {
      this.#db.close();
    });
    return this.#closing;
  }
}
