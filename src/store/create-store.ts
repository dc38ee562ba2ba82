/**
 * Picks the CalendarStore implementation from a database URL, so nothing
 * outside `store/` names a database kind.
 */
import type { CalendarStore } from './calendar-store.ts';
import type { OutboxStore } from '../outbox/outbox-store.ts';
import type { AppliedMigration } from './core/migration-runner.ts';
import { migratePostgres, openPostgresStore } from './postgres/postgres-calendar-store.ts';
import { openSqliteStore } from './sqlite/sqlite-calendar-store.ts';

export type { AppliedMigration };

/**
 * Opens the store a URL names:
 * - `sqlite:<path>`, `sqlite://<path>`, `sqlite::memory:` or a plain file path: SQLite;
 * - `postgres://…` or `postgresql://…`: PostgreSQL, several instances may share it
 *   (the schema is migrated before the first statement; see docs/postgresql.md).
 */
export function createStore(url: string): CalendarStore {
  if (isPostgresUrl(url)) return openPostgresStore(url);
  const path = sqlitePath(url);
  return openSqliteStore(path);
}

/**
 * Brings the schema of the store a URL names up to date (`tidbok migrate`),
 * the same as an instance does when it starts, and returns the migrations
 * now applied, oldest first.
 */
export async function migrateStore(url: string): Promise<AppliedMigration[]> {
  if (isPostgresUrl(url)) return migratePostgres(url);
  const store = openSqliteStore(sqlitePath(url));
  try {
    return await store.appliedMigrations();
  } finally {
    await store.close();
  }
}

function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

function sqlitePath(url: string): string {
  if (!/^sqlite:/i.test(url)) {
    if (/^[a-z][a-z0-9+.-]+:\/\//i.test(url))
      throw new Error(`unknown store URL scheme in "${url.split('://')[0]}://…"`);
    return url;
  }
  const rest = url.slice('sqlite:'.length);
  const path = rest.startsWith('//') ? rest.slice(2) : rest;
  if (path === '') throw new Error('a sqlite: store URL needs a path or :memory:');
  return path;
}

/** The outbox dispatch verbs over the same database as `store`. */
export function createOutboxStore(store: CalendarStore): OutboxStore {
  return store.outboxStore();
}
