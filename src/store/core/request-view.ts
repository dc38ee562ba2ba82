/**
 * The view one request reads the calendar through (`CalendarStore.view`):
 * the store's reads, with the calendar version read at most once and the
 * reference data and booking histories answered at that version from the
 * store's cache.
 */
import type { CalendarReader, CalendarView, FreeTimeslotQuery } from '../calendar-store.ts';
import type { ReferenceCache, ReferenceLists } from './reference-cache.ts';
import { StatementReader, type StatementRunner, type Statements } from './statements.ts';

export class RequestView<S extends Statements> extends StatementReader<S> implements CalendarView {
  readonly #store: CalendarReader;
  readonly #run: StatementRunner<S>;
  readonly #readVersion: () => string | Promise<string>;
  readonly #reference: ReferenceCache<S>;
  /** The version as first read: a promise until PostgreSQL has answered, then the value. */
  #version: string | Promise<string> | undefined;

  /**
   * @param store - the store this view reads.
   * @param run - runs a read outside any transaction, as the store does.
   * @param readVersion - reads the store's calendar version (once per view).
   */
  constructor(
    store: CalendarReader,
    run: StatementRunner<S>,
    readVersion: () => string | Promise<string>,
    reference: ReferenceCache<S>,
  ) {
    super();
    this.#store = store;
    this.#run = run;
    this.#readVersion = readVersion;
    this.#reference = reference;
  }

  protected read<T>(statement: (s: S) => T | Promise<T>): Promise<T> {
    return this.#run(statement);
  }

  calendarVersion(): string | Promise<string> {
    if (this.#version === undefined) {
      const read = this.#readVersion();
      this.#version = read;
      // Settled once, so later callers (the answer cache) need not wait for a promise.
      if (typeof read === 'object')
        read.then(
          (version) => (this.#version = version),
          () => undefined,
        );
    }
    return this.#version;
  }

  override async getFacility(hsaId: string) {
    return this.#reference.facility(await this.calendarVersion(), hsaId);
  }

  override listTimeTypes(facility: string) {
    return this.#list('listTimeTypes', facility);
  }

  override listCareTypes(facility: string) {
    return this.#list('listCareTypes', facility);
  }

  override listPerformers(facility: string) {
    return this.#list('listPerformers', facility);
  }

  override listResources(facility: string) {
    return this.#list('listResources', facility);
  }

  override async hasBookingHistory(facility: string, subjectOfCare: string) {
    return this.#reference.bookingHistory(await this.calendarVersion(), facility, subjectOfCare);
  }

  async #list<K extends keyof ReferenceLists>(verb: K, facility: string) {
    return this.#reference.list(await this.calendarVersion(), verb, facility);
  }

  /** The store's own: a database may do more there than its statement (SQLite keeps slot names). */
  override findFreeTimeslots(query: FreeTimeslotQuery) {
    return this.#store.findFreeTimeslots(query);
  }
}
