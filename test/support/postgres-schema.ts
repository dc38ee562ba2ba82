/**
 * A throwaway PostgreSQL schema, for scripts outside the test runner (the
 * benchmark): no node:test hooks here, the caller drops what it creates.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  connectPostgresStore,
  type PostgresCalendarStore,
  type PostgresStoreOptions,
} from '../../src/store/postgres/postgres-calendar-store.ts';

/** `url` with the connection's search_path set to `schema` (pg reads `options` from the URL). */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

export interface ThrowawaySchema {
  /** `serverUrl` pointed at the new schema: give it to `createStore`, `createApp` or a child process. */
  readonly url: string;
  readonly schema: string;
  /** Drops the schema and everything in it. Close the stores on it first. */
  drop(): Promise<void>;
}

/** Creates an empty schema named `<prefix>_<random>` on the server at `serverUrl`. */
export async function createThrowawaySchema(
  serverUrl: string,
  prefix = 'tidbok_tmp',
): Promise<ThrowawaySchema> {
  const schema = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE SCHEMA ${schema}`);
  return {
    url: withSearchPath(serverUrl, schema),
    schema,
    drop: () => run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}

/**
 * An empty, migrated PostgreSQL store in a schema of its own, for the
 * benchmark: seed it (e.g. `seedLargeCalendar(store)`), point app instances
 * at `url`, and call `dispose()` at the end to close it and drop the schema.
 */
export async function openThrowawayPostgresStore(
  serverUrl: string,
  options: PostgresStoreOptions = {},
): Promise<{ store: PostgresCalendarStore; url: string; dispose(): Promise<void> }> {
  const schema = await createThrowawaySchema(serverUrl, 'tidbok_bench');
  try {
    const store = await connectPostgresStore(schema.url, options);
    return {
      store,
      url: schema.url,
      async dispose() {
        await store.close();
        await schema.drop();
      },
    };
  } catch (error) {
    await schema.drop();
    throw error;
  }
}
