/**
 * What a database implementation provides to the store core: its SQL, one
 * method per store verb ({@link Statements}), run on whatever connection it
 * is bound to. The core does the rest once for every database: the reader
 * delegation ({@link StatementReader}), the transaction's `tx` and its guard
 * (`guarded-tx.ts`), and the store's life cycle (`store-core.ts`).
 */
import type { CalendarReader, CalendarStore, StoreTx } from '../calendar-store.ts';
import type { UpsertKind, UpsertRecord } from './upserts.ts';

/** A verb as a database may implement it: synchronously (SQLite) or not (PostgreSQL). */
type SyncOrAsync<F> = F extends (...args: infer A) => Promise<infer R>
  ? (...args: A) => R | Promise<R>
  : never;

/** The tx verbs a database implements one by one; the upserts go through {@link Statements.upsert}. */
type StatementVerb = Exclude<keyof StoreTx, `upsert${string}`> | 'stats' | 'listOutbox';

/** The store verbs, each one statement (or a few) of one database, on one connection. */
export type Statements = {
  [K in StatementVerb]: SyncOrAsync<
    K extends keyof StoreTx ? StoreTx[K] : CalendarStore[K & ('stats' | 'listOutbox')]
  >;
} & {
  /** Inserts or replaces a calendar record (`StoreTx.upsertFacility` and the like). */
  upsert<K extends UpsertKind>(kind: K, record: UpsertRecord<K>): boolean | Promise<boolean>;
};

/** Runs a database's statements on the connection it chooses. */
export type StatementRunner<S extends Statements> = <T>(
  statement: (s: S) => T | Promise<T>,
) => Promise<T>;

/**
 * Every read verb, passed to {@link read}: the one place that lists them, for
 * the store (reads outside a transaction) and for a transaction's `tx`.
 */
export abstract class StatementReader<S extends Statements> implements CalendarReader {
  /** Runs a read on the connection this reader reads from. */
  protected abstract read<T>(statement: (s: S) => T | Promise<T>): Promise<T>;

  getFacility(hsaId: string) {
    return this.read((s) => s.getFacility(hsaId));
  }

  listFacilities() {
    return this.read((s) => s.listFacilities());
  }

  listTimeTypes(facility: string) {
    return this.read((s) => s.listTimeTypes(facility));
  }

  listCareTypes(facility: string) {
    return this.read((s) => s.listCareTypes(facility));
  }

  listPerformers(facility: string) {
    return this.read((s) => s.listPerformers(facility));
  }

  listResources(facility: string) {
    return this.read((s) => s.listResources(facility));
  }

  getTimeslot(id: string) {
    return this.read((s) => s.getTimeslot(id));
  }

  findTimeslotsAt(facility: string, startTs: string, endTs: string) {
    return this.read((s) => s.findTimeslotsAt(facility, startTs, endTs));
  }

  findFreeTimeslots(query: Parameters<CalendarReader['findFreeTimeslots']>[0]) {
    return this.read((s) => s.findFreeTimeslots(query));
  }

  getBooking(id: string) {
    return this.read((s) => s.getBooking(id));
  }

  findActiveBookingOnSlot(slotId: string) {
    return this.read((s) => s.findActiveBookingOnSlot(slotId));
  }

  listActiveBookingsOfSubject(facility: string, subjectOfCare: string) {
    return this.read((s) => s.listActiveBookingsOfSubject(facility, subjectOfCare));
  }

  listScheduleOfSubject(facility: string, subjectOfCare: string) {
    return this.read((s) => s.listScheduleOfSubject(facility, subjectOfCare));
  }

  hasBookingHistory(facility: string, subjectOfCare: string) {
    return this.read((s) => s.hasBookingHistory(facility, subjectOfCare));
  }

  listActiveBookings(facility: string) {
    return this.read((s) => s.listActiveBookings(facility));
  }

  listExpiring(query: Parameters<CalendarReader['listExpiring']>[0]) {
    return this.read((s) => s.listExpiring(query));
  }

  listPatientIdentifiers(subjectOfCare: string) {
    return this.read((s) => s.listPatientIdentifiers(subjectOfCare));
  }
}
