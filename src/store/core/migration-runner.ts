/**
 * One migration runner for both databases. A database gives its list of
 * numbered DDL steps and how it records them ({@link SchemaSteps}); the
 * runner decides what to apply, as a sequence of statements
 * ({@link migrationStatements}) that the database's driver runs in one
 * transaction: synchronously for SQLite, awaited for PostgreSQL.
 *
 * To add a step (a new table for a channel, say), append it to the
 * database's `MIGRATIONS` with the next version, in `sqlite/migrations.ts`
 * and in `postgres/migrations.ts`. A step, once released, is never edited: a
 * change is a new step.
 */

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** DDL, one or more statements. */
  readonly sql: string;
}

/** A migration recorded in `schema_migrations`. */
export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly appliedAtUtcMs: number;
}

/** A database's schema: its steps, and its SQL to record them. */
export interface SchemaSteps {
  readonly migrations: readonly Migration[];
  /** `CREATE TABLE IF NOT EXISTS schema_migrations (version, name, applied_at_utc_ms)`. */
  readonly createRecordTable: string;
  /** Records a step; parameters: version, name, applied at (UTC ms). */
  readonly recordStep: string;
}

/** A statement the runner needs run; the rows it returns are sent back into the sequence. */
export interface MigrationStatement {
  readonly sql: string;
  readonly params?: readonly (string | number)[];
  /** A query whose rows the runner reads (others are DDL or writes). */
  readonly returnsRows?: boolean;
}

export const APPLIED_MIGRATIONS_SQL =
  'SELECT version, name, applied_at_utc_ms FROM schema_migrations ORDER BY version';

/** The newest version among `migrations` (0 when none). */
export const newestVersion = (migrations: readonly Migration[]): number =>
  Math.max(0, ...migrations.map((m) => m.version));

/**
 * The statements that bring a schema up to date, each fed the rows of the
 * one before: creates the record table, reads the current version, refuses
 * a schema newer than this program knows, then applies and records each
 * missing step in version order. Run it inside one transaction.
 */
export function* migrationStatements(
  schema: SchemaSteps,
  now: () => number,
): Generator<MigrationStatement, void, readonly unknown[]> {
  yield { sql: schema.createRecordTable };
  const [row] = (yield {
    sql: 'SELECT max(version) AS v FROM schema_migrations',
    returnsRows: true,
  }) as readonly {
    v: number | null;
  }[];
  const current = row?.v ?? 0;
  const newest = newestVersion(schema.migrations);
  if (current > newest)
    throw new Error(
      `the database schema is at version ${current}, newer than this program knows (${newest})`,
    );
  for (const m of [...schema.migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    yield { sql: m.sql };
    yield { sql: schema.recordStep, params: [m.version, m.name, now()] };
  }
}

export function toAppliedMigration(r: {
  version: number;
  name: string;
  applied_at_utc_ms: number;
}): AppliedMigration {
  return { version: r.version, name: r.name, appliedAtUtcMs: r.applied_at_utc_ms };
}
