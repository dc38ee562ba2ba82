/**
 * The transaction guard and the `tx` it hands out, the same for every
 * database: a `tx` refuses every call once its transaction has ended, and
 * the store refuses to be called from inside a transaction callback (a
 * serialising store would wait for that very transaction forever).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Booking, PatientIdentifier } from '../../domain/types.ts';
import type { NewOutboxMessage, StoreTx } from '../calendar-store.ts';
import { TransactionMisuseError } from '../errors.ts';
import { StatementReader, type StatementRunner, type Statements } from './statements.ts';
import type { UpsertKind, UpsertRecord } from './upserts.ts';

/** How a transaction's statements reach its connection. */
export interface TxConnection<S extends Statements> {
  /** Runs a statement in the transaction. */
  readonly run: StatementRunner<S>;
  /**
   * Runs a write that may break a constraint so that, when it throws, it
   * has changed nothing and the transaction goes on (PostgreSQL: inside a
   * savepoint, since a failed statement aborts the whole transaction).
   */
  readonly write: StatementRunner<S>;
}

/** The state of one transaction, shared by its `tx` and the async context of its callback. */
interface TxState {
  isActive: boolean;
}

/** Knows whether the caller runs inside a transaction callback, and whether the store is closed. */
export class TransactionGuard {
  readonly #context = new AsyncLocalStorage<TxState>();
  #isClosed = false;

  /** Runs `fn` with a fresh `tx` on `connection`; the `tx` is dead once `fn` has settled. */
  async run<S extends Statements, T>(
    connection: TxConnection<S>,
    fn: (tx: StoreTx) => Promise<T>,
  ): Promise<T> {
    const state: TxState = { isActive: true };
    try {
      return await this.#context.run(state, () => fn(new GuardedTx(connection, state)));
    } finally {
      state.isActive = false;
    }
  }

  /** Refuses new work from now on; work already started goes on. */
  close(): void {
    this.#isClosed = true;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Throws unless the store may be called here: not closed, not inside a transaction callback. */
  checkCallable(what: string): void {
    this.checkNotInTransaction(what);
    if (this.#isClosed) throw new Error('the store is closed');
  }

  // Called from inside a transaction callback, the store would run outside
  // the caller's transaction (and a serialising store would wait forever).
  checkNotInTransaction(what: string): void {
    if (this.#context.getStore()?.isActive)
      throw new TransactionMisuseError(
        `store ${what} called inside a transaction callback: use the tx it was given`,
      );
  }
}

/** The `tx` handed to a transaction callback; dead once the callback has settled. */
class GuardedTx<S extends Statements> extends StatementReader<S> implements StoreTx {
  readonly #connection: TxConnection<S>;
  readonly #state: TxState;

  constructor(connection: TxConnection<S>, state: TxState) {
    super();
    this.#connection = connection;
    this.#state = state;
  }

  protected read<T>(statement: (s: S) => T | Promise<T>): Promise<T> {
    return this.#check() ?? this.#connection.run(statement);
  }

  #write<T>(statement: (s: S) => T | Promise<T>): Promise<T> {
    return this.#check() ?? this.#connection.write(statement);
  }

  #check(): Promise<never> | undefined {
    return this.#state.isActive
      ? undefined
      : Promise.reject(new TransactionMisuseError('tx used after its transaction ended'));
  }

  markExpired(bookingId: string, atUtcMs: number): Promise<boolean> {
    // An UPDATE guarded by its WHERE clause breaks no constraint.
    return this.read((s) => s.markExpired(bookingId, atUtcMs));
  }

  setPatientIdentifier(subjectOfCare: string, identifier: PatientIdentifier): Promise<boolean> {
    return this.#write((s) => s.setPatientIdentifier(subjectOfCare, identifier));
  }

  removePatientIdentifier(subjectOfCare: string, system: string): Promise<boolean> {
    return this.#write((s) => s.removePatientIdentifier(subjectOfCare, system));
  }

  insertBooking(booking: Booking): Promise<void> {
    return this.#write((s) => s.insertBooking(booking));
  }

  updateBooking(booking: Booking, expectedVersion: number): Promise<void> {
    if (booking.version !== expectedVersion + 1)
      return (
        this.#check() ??
        Promise.reject(
          new RangeError(
            `booking ${booking.id}: the new state must carry version ${expectedVersion + 1}, not ${booking.version}`,
          ),
        )
      );
    return this.#write((s) => s.updateBooking(booking, expectedVersion));
  }

  listEnabledWebhookSubscriptions() {
    return this.read((s) => s.listEnabledWebhookSubscriptions());
  }

  appendOutbox(messages: readonly NewOutboxMessage[]): Promise<void> {
    // No constraint to break.
    return this.read((s) => s.appendOutbox(messages));
  }

  // Each catalogue upsert is the same guarded write of its kind of record.
  readonly upsertFacility = this.#upsert('facility');
  readonly upsertTimeType = this.#upsert('timeType');
  readonly upsertCareType = this.#upsert('careType');
  readonly upsertPerformer = this.#upsert('performer');
  readonly upsertResource = this.#upsert('resource');
  readonly upsertTimeslot = this.#upsert('timeslot');

  #upsert<K extends UpsertKind>(kind: K) {
    return (record: UpsertRecord<K>): Promise<boolean> =>
      this.#write((s) => s.upsert(kind, record));
  }
}
