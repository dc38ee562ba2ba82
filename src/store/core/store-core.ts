/**
 * What every CalendarStore does the same way, whatever the database: reads
 * and transactions checked by one {@link TransactionGuard}, every verb passed
 * to the database's {@link Statements}. A database implementation extends
 * {@link StoreCore} with its driver calls: how a read outside a transaction
 * runs, how a transaction begins and ends, and how it closes.
 *
 * Adding a table (a new channel's data, say) touches, per database, its
 * migration list (`<db>/migrations.ts`, one new step at the end) and, when
 * the store gains verbs, its statements; the shapes of rows shared by both
 * go in `rows.ts`.
 */
import type { OutboxStore } from '../../outbox/outbox-store.ts';
import type {
  CalendarStore,
  CalendarView,
  OutboxMessage,
  StoreCapabilities,
  StoreStats,
  StoreTx,
} from '../calendar-store.ts';
import { StoreUnavailableError, type UnavailableReason } from '../errors.ts';
import { TransactionGuard, type TxConnection } from './guarded-tx.ts';
import type { AppliedMigration } from './migration-runner.ts';
import { ReferenceCache } from './reference-cache.ts';
import { RequestView } from './request-view.ts';
import { StatementReader, type Statements } from './statements.ts';

export abstract class StoreCore<S extends Statements>
  extends StatementReader<S>
  implements CalendarStore
{
  abstract readonly capabilities: StoreCapabilities;
  /** The newest schema version this program knows for the database. */
  abstract readonly newestMigration: number;
  protected readonly guard = new TransactionGuard();
  readonly #unavailable: Record<UnavailableReason, number> = { busy: 0, 'connection-lost': 0 };
  /** Facilities and their reference lists by calendar version, shared by all views. */
  readonly #reference = new ReferenceCache<S>((statement) => this.read(statement));

  /** See {@link CalendarView.calendarVersion}: every database can tell. */
  abstract calendarVersion(): string | Promise<string>;

  view(): CalendarView {
    return new RequestView<S>(
      this,
      (statement) => this.read(statement),
      () => {
        this.guard.checkCallable('read');
        return this.calendarVersion();
      },
      this.#reference,
    );
  }

  // Reference data read on the store itself comes from the same cache, at
  // the version read for each call.

  override getFacility(hsaId: string) {
    return this.view().getFacility(hsaId);
  }

  override listTimeTypes(facility: string) {
    return this.view().listTimeTypes(facility);
  }

  override listCareTypes(facility: string) {
    return this.view().listCareTypes(facility);
  }

  override listPerformers(facility: string) {
    return this.view().listPerformers(facility);
  }

  override listResources(facility: string) {
    return this.view().listResources(facility);
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    this.guard.checkCallable('transaction');
    return this.onceMore(() => this.inTransaction((connection) => this.guard.run(connection, fn)));
  }

  /** How often the database was unavailable, by reason, since the store opened (for `/metrics`). */
  unavailableCounts(): Readonly<Record<UnavailableReason, number>> {
    return { ...this.#unavailable };
  }

  /**
   * Runs `work`, and once more when the database was unavailable and nothing
   * was written (a lost connection, a write lock held elsewhere): such a
   * failure is usually over by the next try. Every failure is counted.
   */
  protected async onceMore<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      this.#unavailable[error.reason] += 1;
      if (!error.nothingWritten) throw error;
    }
    try {
      return await work();
    } catch (error) {
      if (error instanceof StoreUnavailableError) this.#unavailable[error.reason] += 1;
      throw error;
    }
  }

  async stats(): Promise<StoreStats> {
    return this.read((s) => s.stats());
  }

  listOutbox(query?: { afterId?: number; limit?: number }): Promise<OutboxMessage[]> {
    return this.read((s) => s.listOutbox(query));
  }

  async close(): Promise<void> {
    this.guard.checkNotInTransaction('close');
    // Work started before close still runs; anything called after it is refused.
    this.guard.close();
    return this.closed();
  }

  // async, so that a refused call rejects rather than throws.
  protected async read<T>(statement: (s: S) => T | Promise<T>): Promise<T> {
    this.guard.checkCallable('read');
    return this.readCommitted(statement);
  }

  /** The schema migrations recorded in the database, oldest first. */
  abstract appliedMigrations(): Promise<AppliedMigration[]>;

  /** The outbox dispatch verbs on this store's database. */
  abstract outboxStore(): OutboxStore;

  /** Runs a statement outside any transaction, so that it sees only committed data. */
  protected abstract readCommitted<T>(statement: (s: S) => T | Promise<T>): Promise<T>;

  /**
   * Begins a transaction, runs `body` with its connection, and commits when
   * `body` resolves or rolls back when it throws (rethrowing the error). A
   * database that cannot be reached, or is held by another process, is a
   * {@link StoreUnavailableError}, telling whether anything may have been
   * written.
   */
  protected abstract inTransaction<T>(
    body: (connection: TxConnection<S>) => Promise<T>,
  ): Promise<T>;

  /**
   * Called by every {@link close}, once the guard refuses new work: waits
   * for running work, then releases the database; the same promise each time.
   */
  protected abstract closed(): Promise<void>;
}
