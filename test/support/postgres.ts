/**
 * PostgreSQL for tests: the server named by TEST_DATABASE_URL, one fresh
 * schema per store (or per test) so that test files running side by side
 * never see each other's rows, dropped when the file ends.
 *
 * Without TEST_DATABASE_URL the PostgreSQL tests skip and say how to run
 * them; in CI (`CI` set) they fail instead, so a CI that lost its database
 * cannot pass by skipping.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { withSearchPath } from './postgres-schema.ts';

export { withSearchPath };

/** The server URL for PostgreSQL tests, when configured. */
export const testDatabaseUrl: string | undefined = process.env['TEST_DATABASE_URL'] || undefined;

const HOW_TO_RUN =
  'PostgreSQL tests need a server: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm test';

/**
 * `describe(name, body)` when TEST_DATABASE_URL is set; otherwise a skipped
 * suite that says how to run it, or (in CI) a failing test.
 */
export function describePostgres(name: string, body: (url: string) => void): void {
  const url = testDatabaseUrl;
  if (url !== undefined) {
    void describe(name, () => body(url));
    return;
  }
  if (process.env['CI']) {
    void it(`${name}: needs TEST_DATABASE_URL in CI`, () => {
      assert.fail(
        `TEST_DATABASE_URL is not set, so the PostgreSQL tests cannot run. ${HOW_TO_RUN}`,
      );
    });
    return;
  }
  void it(name, { skip: HOW_TO_RUN }, () => undefined);
}

const created: string[] = [];
let admin: pg.Pool | undefined;

function adminPool(url: string): pg.Pool {
  admin ??= new pg.Pool({ connectionString: url, max: 2 });
  return admin;
}

// Registered at load, on the file's root: a hook registered from inside a
// test would run when that test ends, not when the file does.
after(async () => {
  const pool = admin;
  admin = undefined;
  if (!pool) return;
  for (const name of created.splice(0)) await pool.query(`DROP SCHEMA ${name} CASCADE`);
  await pool.end();
});

/**
 * Creates an empty schema on the test server and returns a URL whose
 * connections use it. Every schema created in a file is dropped after it.
 */
export async function freshSchemaUrl(url: string): Promise<string> {
  const schema = `tidbok_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminPool(url).query(`CREATE SCHEMA ${schema}`);
  created.push(schema);
  return withSearchPath(url, schema);
}
