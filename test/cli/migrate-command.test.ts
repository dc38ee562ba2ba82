/**
 * `tidbok migrate` as an operator runs it before a rollout: a child process
 * on a SQLite file and on a PostgreSQL schema.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS as POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.ts';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.ts';
import { describePostgres, freshSchemaUrl } from '../support/postgres.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/tidbok.mjs');

function tidbok(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '', TIDBOK_DB: '', TIDBOK_DEBUG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The migration lines of the output: version and name. */
const listed = (stdout: string) =>
  stdout
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => line.replace(/ \(applied .*\)$/, '').trim());

/** Each store has its own steps: an index one store needs is not the other's. */
const expected = (migrations: typeof SQLITE_MIGRATIONS) =>
  migrations.map((m) => `${m.version}  ${m.name}`);

const dir = mkdtempSync(join(tmpdir(), 'tidbok-migrate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

void describe('tidbok migrate', () => {
  void it('creates the schema of a new SQLite store and lists every migration, the same when run again', async () => {
    const db = join(dir, 'new.db');
    for (const run of [1, 2]) {
      const result = await tidbok(['migrate', '--db', db]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stdout,
        new RegExp(`is at version ${SQLITE_MIGRATIONS.length}:`),
        `run ${run}`,
      );
      assert.deepEqual(listed(result.stdout), expected(SQLITE_MIGRATIONS), `run ${run}`);
    }
  });

  void it('is listed by tidbok --help', async () => {
    const result = await tidbok(['--help']);
    assert.match(result.stdout, /^ {2}migrate +Apply pending schema migrations/m);
  });

  void it('fails with a message, not a stack, when the database cannot be reached', async () => {
    const result = await tidbok(['migrate', '--db', 'postgres://tidbok:secret@127.0.0.1:1/none']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /ECONNREFUSED/);
    assert.doesNotMatch(result.stderr + result.stdout, /secret/, 'the password is never printed');
  });
});

describePostgres('tidbok migrate on PostgreSQL', (serverUrl) => {
  void it('applies each migration once when run twice at the same moment', async () => {
    const url = await freshSchemaUrl(serverUrl);
    // Two operators (or an operator and a starting instance) at the same moment.
    const results = await Promise.all([
      tidbok(['migrate', '--db', url]),
      tidbok(['migrate', '--db', url]),
    ]);
    for (const result of results) {
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(listed(result.stdout), expected(POSTGRES_MIGRATIONS));
    }
  });
});
