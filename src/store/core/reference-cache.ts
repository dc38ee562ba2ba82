/**
 * A store's reference data (facilities, and each facility's time types,
 * care types, performers and resources) kept for one calendar version, the
 * same on every database. Every SOAP request looks up its LogicalAddress,
 * and a schedule or booking details answer names the types and performers
 * of each booking; they change rarely, and any change bumps the version, on
 * whichever instance or process it is made, so nothing kept is ever served
 * after a write that could change it. Whether a patient has booked at a
 * facility before is kept the same way: every search at a unit with time
 * types for returning patients asks it, and only a booking write, which
 * bumps the version, can change it.
 */
import type { CareType, Facility, Performer, Resource, TimeType } from '../../domain/types.ts';
import type { Statements } from './statements.ts';

/** How COLLATE NOCASE (SQLite) compares: ASCII letters folded; a safe key for PostgreSQL's ICU collation too. */
export const foldNoCase = (value: string) =>
  value.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());

/**
 * Most values one version keeps: requests for names that do not exist
 * (unknown facilities) must not grow the memory without bound.
 */
const MOST_KEPT = 10_000;

/** Values kept for one calendar version, by key: a new version starts with none. */
export class PerVersion<V> {
  #version = '';
  #byKey = new Map<string, V>();

  /** The values of `version`, emptied first if the version has changed. */
  at(version: string): ReadonlyMap<string, V> {
    if (version !== this.#version) {
      this.#version = version;
      this.#byKey = new Map();
    }
    return this.#byKey;
  }

  /** Keeps `value` only if `version` is still the one kept (a newer one may have come meanwhile). */
  keep(version: string, key: string, value: V): void {
    if (version === this.#version && this.#byKey.size < MOST_KEPT) this.#byKey.set(key, value);
  }
}

/** The reference lists of a facility, by the store verb that reads them. */
export interface ReferenceLists {
  listTimeTypes: TimeType;
  listCareTypes: CareType;
  listPerformers: Performer;
  listResources: Resource;
}

/**
 * Reference data by calendar version. The caller reads the version first,
 * then asks: data read after the version can only be as new or newer, and a
 * newer version is never served data kept under an older one.
 */
export class ReferenceCache<S extends Statements> {
  readonly #read: <T>(statement: (s: S) => T | Promise<T>) => Promise<T>;
  readonly #facilities = new PerVersion<Facility>();
  readonly #lists = new PerVersion<readonly unknown[]>();
  readonly #history = new PerVersion<boolean>();

  /** `read`: how the store runs a read outside any transaction. */
  constructor(read: <T>(statement: (s: S) => T | Promise<T>) => Promise<T>) {
    this.#read = read;
  }

  async facility(version: string, hsaId: string): Promise<Facility | undefined> {
    const key = foldNoCase(hsaId);
    const known = this.#facilities.at(version).get(key);
    if (known) return known;
    const facility = await this.#read((s) => s.getFacility(hsaId));
    // Only facilities that exist are kept: an unknown address is asked again.
    if (facility) this.#facilities.keep(version, key, facility);
    return facility;
  }

  /** A reference list as of `version`, read once per version (frozen: every request shares it). */
  async list<K extends keyof ReferenceLists>(
    version: string,
    verb: K,
    facility: string,
  ): Promise<ReferenceLists[K][]> {
    const key = `${verb}:${foldNoCase(facility)}`;
    const known = this.#lists.at(version).get(key);
    if (known) return known as ReferenceLists[K][];
    const found = Object.freeze(
      (await this.#read((s) => s[verb](facility))) as ReferenceLists[K][],
    ) as ReferenceLists[K][];
    this.#lists.keep(version, key, found);
    return found;
  }

  /**
   * `hasBookingHistory` as of `version`. Keyed by the exact spelling: the
   * databases compare both without case, so another spelling is read
   * again, never answered from this one. NUL cannot occur in a stored text.
   */
  async bookingHistory(version: string, facility: string, subjectOfCare: string): Promise<boolean> {
    const key = `${facility}\u0000${subjectOfCare}`;
    const known = this.#history.at(version).get(key);
    if (known !== undefined) return known;
    const found = await this.#read((s) => s.hasBookingHistory(facility, subjectOfCare));
    this.#history.keep(version, key, found);
    return found;
  }
}
