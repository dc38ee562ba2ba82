/**
 * CalendarStore on one better-sqlite3 connection (a file, or `:memory:` for
 * tests). better-sqlite3 is synchronous, the seam is async: transactions are
 * serialised by an async mutex, and reads outside a transaction queue behind
 * them too, so nobody sees another transaction's uncommitted writes on the
 * shared connection.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  Booking,
  CareType,
  Facility,
  FreeTimeslot,
  Performer,
  Resource,
  Timeslot,
  TimeType,
} from '../../domain/types.ts';
import type {
  CalendarStore,
  ExpiringQuery,
  FreeTimeslotQuery,
  NewOutboxMessage,
  OutboxMessage,
  StoreCapabilities,
  StoreTx,
} from '../calendar-store.ts';
import { TransactionMisuseError } from '../errors.ts';
import { AsyncMutex } from './async-mutex.ts';
import { appliedMigrations, migrate, type AppliedMigration } from './migrations.ts';
import { foldNoCase, SqliteQueries, type SlotNames } from './sqlite-queries.ts';

export interface SqliteStoreOptions {
  /** Clock for outbox timestamps; defaults to `Date.now`. */
  readonly now?: () => number;
  /** How long to wait for another process's write lock (ms); default 5000. */
  readonly busyTimeoutMs?: number;
}

/** The state of one transaction, shared by its `tx` and the async context of its callback. */
interface TxState {
  isActive: boolean;
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

/** Values kept for one calendar version, by key: a new version starts with none. */
class PerVersion<V> {
  #version = '';
  #byKey = new Map<string, V>();

  /** The values of `version`, emptied first if the version has changed. */
  at(version: string): Map<string, V> {
    if (version !== this.#version) {
      this.#version = version;
      this.#byKey = new Map();
    }
    return this.#byKey;
  }

  /** Keeps `value` only if `version` is still the one kept (a newer one may have come meanwhile). */
  keep(version: string, key: string, value: V): void {
    if (version === this.#version) this.#byKey.set(key, value);
  }
}

export class SqliteCalendarStore implements CalendarStore {
  readonly capabilities: StoreCapabilities = { supportsSeveralProcesses: false };
  readonly #db: Database.Database;
  /** Transactions committed through this connection; see {@link calendarVersion}. */
  #commits = 0;
  readonly #q: SqliteQueries;
  /** Prepared once: `db.pragma()` prepares its statement anew on every call. */
  readonly #dataVersion: Database.Statement;
  /**
   * Facilities found, by HSA-id folded as COLLATE NOCASE folds it, for one calendar version: every SOAP
   * request looks up its LogicalAddress, and there are only so many facilities.
   */
  readonly #facilities = new PerVersion<Facility>();
  /**
   * Display names of slots (facility, time and care types, performers,
   * resources) per facility with free slots, for one calendar version: a
   * search would otherwise look up the same few names again each time.
   */
  readonly #slotNames = new PerVersion<SlotNames>();
  readonly #mutex = new AsyncMutex();
  readonly #context = new AsyncLocalStorage<TxState>();
  #isClosed = false;

  /** Use {@link openSqliteStore}: it prepares the connection and the schema first. */
  constructor(db: Database.Database, now: () => number) {
    this.#db = db;
    this.#q = new SqliteQueries(db, now);
    this.#dataVersion = db.prepare('PRAGMA data_version').pluck();
  }

  /**
   * Our own commits, and SQLite's `data_version`, which changes when another
   * connection (another process, such as `tidbok import`) commits to the file.
   */
  calendarVersion(): string {
    const others = this.#db.open ? (this.#dataVersion.get() as number) : -1;
    return `${this.#commits}:${others}`;
  }

  /** The schema migrations recorded in the database (for a health check). */
  async appliedMigrations(): Promise<AppliedMigration[]> {
    return this.#read(() => appliedMigrations(this.#db));
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    this.#checkCallable('transaction');
    return this.#mutex.run(async () => {
      const state: TxState = { isActive: true };
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const result = await this.#context.run(state, () => fn(new SqliteStoreTx(this.#q, state)));
        state.isActive = false;
        this.#db.exec('COMMIT');
        this.#commits += 1;
        return result;
      } catch (error) {
        state.isActive = false;
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async stats(): Promise<{
    facilities: number;
    timeslots: number;
    activeBookings: number;
    outbox: number;
  }> {
    return this.#read(() => this.#q.stats());
  }

  async listOutbox(query?: { afterId?: number; limit?: number }): Promise<OutboxMessage[]> {
    return this.#read(() => this.#q.listOutbox(query));
  }

  /**
   * Runs `fn` on this store's connection, alone: behind the same mutex as
   * transactions and reads, outside any of them. For components that share
   * the database, such as the outbox dispatch store. `fn` is synchronous and
   * must leave no transaction open.
   */
  async withConnection<T>(fn: (db: Database.Database) => T): Promise<T> {
    return this.#read(() => fn(this.#db));
  }

  async close(): Promise<void> {
    this.#checkNotInTransaction('close');
    if (this.#isClosed) return;
    // Work queued before close still runs; anything called after it is refused.
    this.#isClosed = true;
    await this.#mutex.run(async () => {
      this.#db.close();
    });
  }

  async getFacility(hsaId: string): Promise<Facility | undefined> {
    this.#checkCallable('read');
    // A version read before a commit that the query below then sees is harmless:
    // the next call finds a newer version and starts afresh.
    const version = this.calendarVersion();
    const byId = this.#facilities.at(version);
    const key = foldNoCase(hsaId);
    const known = byId.get(key);
    if (known) return known;
    const facility = await this.#read(() => this.#q.getFacility(hsaId));
    // Only facilities that exist are kept, so unknown addresses cannot grow the map.
    if (facility) this.#facilities.keep(version, key, facility);
    return facility;
  }

  async listFacilities(): Promise<Facility[]> {
    return this.#read(() => this.#q.listFacilities());
  }

  async listTimeTypes(facility: string): Promise<TimeType[]> {
    return this.#read(() => this.#q.listTimeTypes(facility));
  }

  async listCareTypes(facility: string): Promise<CareType[]> {
    return this.#read(() => this.#q.listCareTypes(facility));
  }

  async listPerformers(facility: string): Promise<Performer[]> {
    return this.#read(() => this.#q.listPerformers(facility));
  }

  async listResources(facility: string): Promise<Resource[]> {
    return this.#read(() => this.#q.listResources(facility));
  }

  async getTimeslot(id: string): Promise<Timeslot | undefined> {
    return this.#read(() => this.#q.getTimeslot(id));
  }

  async findTimeslotsAt(facility: string, startTs: string, endTs: string): Promise<Timeslot[]> {
    return this.#read(() => this.#q.findTimeslotsAt(facility, startTs, endTs));
  }

  async findFreeTimeslots(query: FreeTimeslotQuery): Promise<FreeTimeslot[]> {
    return this.#read(() => {
      // Read as the search runs, so the names kept belong to the data it reads.
      const version = this.calendarVersion();
      const byFacility = this.#slotNames.at(version);
      return this.#q.findFreeTimeslots(query, (facility) => {
        const key = foldNoCase(facility);
        let names = byFacility.get(key);
        if (!names) byFacility.set(key, (names = this.#q.slotNames(facility)));
        return names;
      });
    });
  }

  async getBooking(id: string): Promise<Booking | undefined> {
    return this.#read(() => this.#q.getBooking(id));
  }

  async findActiveBookingOnSlot(slotId: string): Promise<Booking | undefined> {
    return this.#read(() => this.#q.findActiveBookingOnSlot(slotId));
  }

  async listActiveBookingsOfSubject(facility: string, subjectOfCare: string): Promise<Booking[]> {
    return this.#read(() => this.#q.listActiveBookingsOfSubject(facility, subjectOfCare));
  }

  async hasBookingHistory(facility: string, subjectOfCare: string): Promise<boolean> {
    return this.#read(() => this.#q.hasBookingHistory(facility, subjectOfCare));
  }

  async listActiveBookings(facility: string): Promise<Booking[]> {
    return this.#read(() => this.#q.listActiveBookings(facility));
  }

  async listExpiring(query: ExpiringQuery): Promise<Booking[]> {
    return this.#read(() => this.#q.listExpiring(query));
  }

  /** A read outside any transaction: waits its turn so it sees only committed data. */
  #read<T>(query: () => T): Promise<T> {
    this.#checkCallable('read');
    return this.#mutex.run(async () => query());
  }

  // Called from inside a transaction callback, the store would queue behind
  // that very transaction and wait forever; fail loudly instead.
  #checkNotInTransaction(what: string): void {
    if (this.#context.getStore()?.isActive)
      throw new TransactionMisuseError(
        `store ${what} called inside a transaction callback: use the tx it was given`,
      );
  }

  #checkCallable(what: string): void {
    this.#checkNotInTransaction(what);
    if (this.#isClosed) throw new Error('the store is closed');
  }
}

/** The `tx` handed to a transaction callback; dead once the callback has settled. */
class SqliteStoreTx implements StoreTx {
  readonly #q: SqliteQueries;
  readonly #state: TxState;

  constructor(q: SqliteQueries, state: TxState) {
    this.#q = q;
    this.#state = state;
  }

  #use(): SqliteQueries {
    if (!this.#state.isActive)
      throw new TransactionMisuseError('tx used after its transaction ended');
    return this.#q;
  }

  async getFacility(hsaId: string): Promise<Facility | undefined> {
    return this.#use().getFacility(hsaId);
  }

  async listFacilities(): Promise<Facility[]> {
    return this.#use().listFacilities();
  }

  async listTimeTypes(facility: string): Promise<TimeType[]> {
    return this.#use().listTimeTypes(facility);
  }

  async listCareTypes(facility: string): Promise<CareType[]> {
    return this.#use().listCareTypes(facility);
  }

  async listPerformers(facility: string): Promise<Performer[]> {
    return this.#use().listPerformers(facility);
  }

  async listResources(facility: string): Promise<Resource[]> {
    return this.#use().listResources(facility);
  }

  async getTimeslot(id: string): Promise<Timeslot | undefined> {
    return this.#use().getTimeslot(id);
  }

  async findTimeslotsAt(facility: string, startTs: string, endTs: string): Promise<Timeslot[]> {
    return this.#use().findTimeslotsAt(facility, startTs, endTs);
  }

  async findFreeTimeslots(query: FreeTimeslotQuery): Promise<FreeTimeslot[]> {
    return this.#use().findFreeTimeslots(query);
  }

  async getBooking(id: string): Promise<Booking | undefined> {
    return this.#use().getBooking(id);
  }

  async findActiveBookingOnSlot(slotId: string): Promise<Booking | undefined> {
    return this.#use().findActiveBookingOnSlot(slotId);
  }

  async listActiveBookingsOfSubject(facility: string, subjectOfCare: string): Promise<Booking[]> {
    return this.#use().listActiveBookingsOfSubject(facility, subjectOfCare);
  }

  async hasBookingHistory(facility: string, subjectOfCare: string): Promise<boolean> {
    return this.#use().hasBookingHistory(facility, subjectOfCare);
  }

  async listActiveBookings(facility: string): Promise<Booking[]> {
    return this.#use().listActiveBookings(facility);
  }

  async listExpiring(query: ExpiringQuery): Promise<Booking[]> {
    return this.#use().listExpiring(query);
  }

  async markExpired(bookingId: string, atUtcMs: number): Promise<boolean> {
    return this.#use().markExpired(bookingId, atUtcMs);
  }

  async insertBooking(booking: Booking): Promise<void> {
    this.#use().insertBooking(booking);
  }

  async updateBooking(booking: Booking, expectedVersion: number): Promise<void> {
    this.#use().updateBooking(booking, expectedVersion);
  }

  async appendOutbox(messages: readonly NewOutboxMessage[]): Promise<void> {
    this.#use().appendOutbox(messages);
  }

  async upsertFacility(facility: Facility): Promise<boolean> {
    return this.#use().upsertFacility(facility);
  }

  async upsertTimeType(timeType: TimeType): Promise<boolean> {
    return this.#use().upsertTimeType(timeType);
  }

  async upsertCareType(careType: CareType): Promise<boolean> {
    return this.#use().upsertCareType(careType);
  }

  async upsertPerformer(performer: Performer): Promise<boolean> {
    return this.#use().upsertPerformer(performer);
  }

  async upsertResource(resource: Resource): Promise<boolean> {
    return this.#use().upsertResource(resource);
  }

  async upsertTimeslot(timeslot: Timeslot): Promise<boolean> {
    return this.#use().upsertTimeslot(timeslot);
  }
}
