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
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
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
import { AsyncMutex } from '../sqlite/async-mutex.ts';
import { appliedMigrations, migrate, type AppliedMigration } from './migrations.ts';
import * as q from './postgres-queries.ts';
import type { Queryable } from './postgres-queries.ts';

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

/** The state of one transaction, shared by its `tx` and the async context of its callback. */
interface TxState {
  isActive: boolean;
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

export class PostgresCalendarStore implements CalendarStore {
  readonly capabilities: StoreCapabilities = { supportsSeveralProcesses: true };
  readonly #pool: pg.Pool;
  readonly #now: () => number;
  readonly #shouldMigrate: boolean;
  readonly #context = new AsyncLocalStorage<TxState>();
  readonly #running = new Set<Promise<unknown>>();
  #readiness: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  /** Use {@link openPostgresStore}: it configures the pool. */
  constructor(pool: pg.Pool, options: PostgresStoreOptions = {}) {
    this.#pool = pool;
    this.#now = options.now ?? Date.now;
    this.#shouldMigrate = options.migrate ?? true;
    // An idle connection that breaks (server restart) is dropped from the
    // pool, and the next statement opens a new one; without a listener the
    // error would end the process.
    pool.on('error', () => undefined);
    // Only named statements use the plan cache, and only the free-slot search
    // is named (postgres-queries.ts): plan it once per connection, with the
    // parameters unknown, rather than on every call. Every other statement is
    // unnamed and still planned with its actual values.
    pool.on('connect', (client) => {
      client.query('SET plan_cache_mode = force_generic_plan').catch(() => undefined);
    });
    // Start at once, so start-up problems show early; callers see the outcome.
    this.#ensureReady().catch(() => undefined);
  }

  /** Resolves once the schema is up to date; rejects with why it cannot be. */
  ready(): Promise<void> {
    this.#checkCallable('ready');
    return this.#ensureReady();
  }

  /** The schema migrations recorded in the database (for a health check). */
  async appliedMigrations(): Promise<AppliedMigration[]> {
    return this.#read((db) => appliedMigrations(db as pg.Pool));
  }

  /**
   * Runs `fn` with the pool, outside any transaction: each statement commits
   * on its own. For components that share the database, such as the outbox
   * dispatch store; close() waits for it.
   */
  async withConnection<T>(fn: (db: Queryable) => Promise<T>): Promise<T> {
    return this.#read(fn);
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    this.#checkCallable('transaction');
    return this.#track(async () => {
      await this.#ensureReady();
      const client = await this.#pool.connect();
      let isBroken = false;
      const end = async (sql: 'COMMIT' | 'ROLLBACK') => {
        try {
          return await client.query(sql);
        } catch (error) {
          isBroken = true;
          throw error;
        }
      };
      try {
        await client.query('BEGIN');
        const state: TxState = { isActive: true };
        const tx = new PostgresStoreTx(client, state, this.#now);
        let result: T;
        try {
          result = await this.#context.run(state, () => fn(tx));
        } catch (error) {
          state.isActive = false;
          await tx.settled();
          await end('ROLLBACK');
          throw error;
        }
        state.isActive = false;
        await tx.settled();
        const commit = await end('COMMIT');
        // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK.
        if (commit.command !== 'COMMIT')
          throw new Error('the transaction was rolled back: one of its statements had failed');
        return result;
      } finally {
        client.release(isBroken);
      }
    });
  }

  async stats(): Promise<{
    facilities: number;
    timeslots: number;
    activeBookings: number;
    outbox: number;
  }> {
    return this.#read((db) => q.stats(db));
  }

  async listOutbox(query?: { afterId?: number; limit?: number }): Promise<OutboxMessage[]> {
    return this.#read((db) => q.listOutbox(db, query));
  }

  async close(): Promise<void> {
    this.#checkNotInTransaction('close');
    // Work started before close still runs; anything called after it is refused.
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#running, this.#readiness]);
      await this.#pool.end();
    })();
    return this.#closing;
  }

  async getFacility(hsaId: string): Promise<Facility | undefined> {
    return this.#read((db) => q.getFacility(db, hsaId));
  }

  async listFacilities(): Promise<Facility[]> {
    return this.#read((db) => q.listFacilities(db));
  }

  async listTimeTypes(facility: string): Promise<TimeType[]> {
    return this.#read((db) => q.listTimeTypes(db, facility));
  }

  async listCareTypes(facility: string): Promise<CareType[]> {
    return this.#read((db) => q.listCareTypes(db, facility));
  }

  async listPerformers(facility: string): Promise<Performer[]> {
    return this.#read((db) => q.listPerformers(db, facility));
  }

  async listResources(facility: string): Promise<Resource[]> {
    return this.#read((db) => q.listResources(db, facility));
  }

  async getTimeslot(id: string): Promise<Timeslot | undefined> {
    return this.#read((db) => q.getTimeslot(db, id));
  }

  async findTimeslotsAt(facility: string, startTs: string, endTs: string): Promise<Timeslot[]> {
    return this.#read((db) => q.findTimeslotsAt(db, facility, startTs, endTs));
  }

  async findFreeTimeslots(query: FreeTimeslotQuery): Promise<FreeTimeslot[]> {
    return this.#read((db) => q.findFreeTimeslots(db, query));
  }

  async getBooking(id: string): Promise<Booking | undefined> {
    return this.#read((db) => q.getBooking(db, id));
  }

  async findActiveBookingOnSlot(slotId: string): Promise<Booking | undefined> {
    return this.#read((db) => q.findActiveBookingOnSlot(db, slotId));
  }

  async listActiveBookingsOfSubject(facility: string, subjectOfCare: string): Promise<Booking[]> {
    return this.#read((db) => q.listActiveBookingsOfSubject(db, facility, subjectOfCare));
  }

  async hasBookingHistory(facility: string, subjectOfCare: string): Promise<boolean> {
    return this.#read((db) => q.hasBookingHistory(db, facility, subjectOfCare));
  }

  async listActiveBookings(facility: string): Promise<Booking[]> {
    return this.#read((db) => q.listActiveBookings(db, facility));
  }

  async listExpiring(query: ExpiringQuery): Promise<Booking[]> {
    return this.#read((db) => q.listExpiring(db, query));
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
    try {
      await migrate(client, undefined, this.#now);
    } catch (error) {
      isBroken = true;
      throw error;
    } finally {
      client.release(isBroken);
    }
  }

  /** A read (or single statement) on the pool, outside any transaction: sees only committed data. */
  #read<T>(query: (db: Queryable) => Promise<T>): Promise<T> {
    this.#checkCallable('read');
    return this.#track(async () => {
      await this.#ensureReady();
      return query(this.#pool);
    });
  }

  #track<T>(work: () => Promise<T>): Promise<T> {
    const promise = work();
    this.#running.add(promise);
    const forget = () => this.#running.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  // Called from inside a transaction callback, the store would run outside
  // the caller's transaction (and a serialising store would wait forever);
  // the seam forbids it everywhere, so fail loudly.
  #checkNotInTransaction(what: string): void {
    if (this.#context.getStore()?.isActive)
      throw new TransactionMisuseError(
        `store ${what} called inside a transaction callback: use the tx it was given`,
      );
  }

  #checkCallable(what: string): void {
    this.#checkNotInTransaction(what);
    if (this.#closing) throw new Error('the store is closed');
  }
}

/**
 * The `tx` handed to a transaction callback; dead once the callback has
 * settled. Its statements run one at a time on the transaction's connection,
 * even when the callback does not await each call, so a savepoint always
 * wraps exactly its own write.
 */
class PostgresStoreTx implements StoreTx {
  readonly #client: pg.PoolClient;
  readonly #state: TxState;
  readonly #now: () => number;
  readonly #mutex = new AsyncMutex();

  constructor(client: pg.PoolClient, state: TxState, now: () => number) {
    this.#client = client;
    this.#state = state;
    this.#now = now;
  }

  /** Resolves once every statement queued on this tx has finished. */
  settled(): Promise<void> {
    return this.#mutex.run(async () => undefined);
  }

  #run<T>(statement: (db: Queryable) => Promise<T>): Promise<T> {
    if (!this.#state.isActive)
      return Promise.reject(new TransactionMisuseError('tx used after its transaction ended'));
    return this.#mutex.run(() => statement(this.#client));
  }

  /** A write that may break a constraint: on failure it is rolled back alone, and the transaction goes on. */
  #write<T>(statement: (db: Queryable) => Promise<T>): Promise<T> {
    return this.#run(async (db) => {
      await db.query('SAVEPOINT tidbok_write');
      let result: T;
      try {
        result = await statement(db);
      } catch (error) {
        await db.query('ROLLBACK TO SAVEPOINT tidbok_write');
        await db.query('RELEASE SAVEPOINT tidbok_write');
        throw error;
      }
      await db.query('RELEASE SAVEPOINT tidbok_write');
      return result;
    });
  }

  async getFacility(hsaId: string): Promise<Facility | undefined> {
    return this.#run((db) => q.getFacility(db, hsaId));
  }

  async listFacilities(): Promise<Facility[]> {
    return this.#run((db) => q.listFacilities(db));
  }

  async listTimeTypes(facility: string): Promise<TimeType[]> {
    return this.#run((db) => q.listTimeTypes(db, facility));
  }

  async listCareTypes(facility: string): Promise<CareType[]> {
    return this.#run((db) => q.listCareTypes(db, facility));
  }

  async listPerformers(facility: string): Promise<Performer[]> {
    return this.#run((db) => q.listPerformers(db, facility));
  }

  async listResources(facility: string): Promise<Resource[]> {
    return this.#run((db) => q.listResources(db, facility));
  }

  async getTimeslot(id: string): Promise<Timeslot | undefined> {
    return this.#run((db) => q.getTimeslot(db, id));
  }

  async findTimeslotsAt(facility: string, startTs: string, endTs: string): Promise<Timeslot[]> {
    return this.#run((db) => q.findTimeslotsAt(db, facility, startTs, endTs));
  }

  async findFreeTimeslots(query: FreeTimeslotQuery): Promise<FreeTimeslot[]> {
    return this.#run((db) => q.findFreeTimeslots(db, query));
  }

  async getBooking(id: string): Promise<Booking | undefined> {
    return this.#run((db) => q.getBooking(db, id));
  }

  async findActiveBookingOnSlot(slotId: string): Promise<Booking | undefined> {
    return this.#run((db) => q.findActiveBookingOnSlot(db, slotId));
  }

  async listActiveBookingsOfSubject(facility: string, subjectOfCare: string): Promise<Booking[]> {
    return this.#run((db) => q.listActiveBookingsOfSubject(db, facility, subjectOfCare));
  }

  async hasBookingHistory(facility: string, subjectOfCare: string): Promise<boolean> {
    return this.#run((db) => q.hasBookingHistory(db, facility, subjectOfCare));
  }

  async listActiveBookings(facility: string): Promise<Booking[]> {
    return this.#run((db) => q.listActiveBookings(db, facility));
  }

  async listExpiring(query: ExpiringQuery): Promise<Booking[]> {
    return this.#run((db) => q.listExpiring(db, query));
  }

  async markExpired(bookingId: string, atUtcMs: number): Promise<boolean> {
    // An UPDATE guarded by its WHERE clause breaks no constraint: no savepoint needed.
    return this.#run((db) => q.markExpired(db, bookingId, atUtcMs));
  }

  async insertBooking(booking: Booking): Promise<void> {
    return this.#write((db) => q.insertBooking(db, booking));
  }

  async updateBooking(booking: Booking, expectedVersion: number): Promise<void> {
    if (!this.#state.isActive)
      throw new TransactionMisuseError('tx used after its transaction ended');
    if (booking.version !== expectedVersion + 1)
      throw new RangeError(
        `booking ${booking.id}: the new state must carry version ${expectedVersion + 1}, not ${booking.version}`,
      );
    return this.#write((db) => q.updateBooking(db, booking, expectedVersion));
  }

  async appendOutbox(messages: readonly NewOutboxMessage[]): Promise<void> {
    // No constraint to break: it needs no savepoint.
    return this.#run((db) => q.appendOutbox(db, messages, this.#now()));
  }

  async upsertFacility(facility: Facility): Promise<boolean> {
    return this.#write((db) => q.upsertFacility(db, facility));
  }

  async upsertTimeType(timeType: TimeType): Promise<boolean> {
    return this.#write((db) => q.upsertTimeType(db, timeType));
  }

  async upsertCareType(careType: CareType): Promise<boolean> {
    return this.#write((db) => q.upsertCareType(db, careType));
  }

  async upsertPerformer(performer: Performer): Promise<boolean> {
    return this.#write((db) => q.upsertPerformer(db, performer));
  }

  async upsertResource(resource: Resource): Promise<boolean> {
    return this.#write((db) => q.upsertResource(db, resource));
  }

  async upsertTimeslot(timeslot: Timeslot): Promise<boolean> {
    return this.#write((db) => q.upsertTimeslot(db, timeslot));
  }
}
