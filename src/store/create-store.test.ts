import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createOutboxStore, createStore } from './create-store.ts';
import { PostgresOutboxStore } from './postgres/postgres-outbox-store.ts';
import { SqliteOutboxStore } from './sqlite/sqlite-outbox-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'tidbok-create-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

void describe('createStore', () => {
  void it('opens an in-memory SQLite store for sqlite::memory:', async () => {
    const store = createStore('sqlite::memory:');
    assert.equal(store.capabilities.supportsSeveralProcesses, false);
    assert.deepEqual((await store.stats()).facilities, 0);
    await store.close();
  });

  void it('opens a SQLite file for sqlite:<path>, sqlite://<path> and a plain path', async () => {
    for (const [url, file] of [
      [`sqlite:${join(dir, 'a', 'one.db')}`, join(dir, 'a', 'one.db')],
      [`sqlite://${join(dir, 'b', 'two.db')}`, join(dir, 'b', 'two.db')],
      [join(dir, 'c', 'three.db'), join(dir, 'c', 'three.db')],
    ] as const) {
      const store = createStore(url);
      await store.close();
      assert.ok(existsSync(file), `${url} created ${file}`);
    }
  });

  void it('opens a PostgreSQL store for postgres:// and postgresql://, and reports an unreachable server on use', async () => {
    // Port 1 on loopback: nothing listens there, so no test server is needed.
    for (const url of ['postgres://u@127.0.0.1:1/tidbok', 'postgresql://127.0.0.1:1/tidbok']) {
      const store = createStore(url);
      assert.equal(store.capabilities.supportsSeveralProcesses, true);
      await assert.rejects(store.stats(), /ECONNREFUSED|connect/);
      await store.close();
    }
  });

  void it('gives each kind of store the outbox store on its own database', async () => {
    const sqlite = createStore('sqlite::memory:');
    const postgres = createStore('postgres://u@127.0.0.1:1/tidbok');
    assert.ok(createOutboxStore(sqlite) instanceof SqliteOutboxStore);
    assert.ok(createOutboxStore(postgres) instanceof PostgresOutboxStore);
    await sqlite.close();
    await postgres.close();
  });

  void it('refuses an unknown URL scheme and an empty sqlite path', () => {
    assert.throws(() => createStore('mysql://127.0.0.1/x'), /unknown store URL scheme/);
    assert.throws(() => createStore('sqlite:'), /needs a path/);
  });
});
