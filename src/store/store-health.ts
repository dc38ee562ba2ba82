/**
 * Readiness of a store: it answers a cheap query, and its schema is at the
 * version this program expects. Lives in `store/` so nothing else names a
 * database kind.
 */
import type { CalendarStore } from './calendar-store.ts';

export interface StoreHealth {
  /** The store answered a query. */
  readonly reachable: boolean;
  /** Every migration this program knows is applied (undefined when the store cannot tell). */
  readonly migrationsApplied: boolean | undefined;
  readonly schemaVersion?: number;
  readonly expectedSchemaVersion?: number;
  /** Why the store is not reachable (no personal data: driver messages only). */
  readonly error?: string;
}

export async function checkStoreHealth(store: CalendarStore): Promise<StoreHealth> {
  try {
    const applied = await store.appliedMigrations();
    const schemaVersion = Math.max(0, ...applied.map((m) => m.version));
    const expectedSchemaVersion = store.newestMigration;
    return {
      reachable: true,
      migrationsApplied: schemaVersion === expectedSchemaVersion,
      schemaVersion,
      expectedSchemaVersion,
    };
  } catch (err) {
    return { reachable: false, migrationsApplied: false, error: (err as Error).message };
  }
}
