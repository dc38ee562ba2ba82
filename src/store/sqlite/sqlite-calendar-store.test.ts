import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS, migrate } from './migrations.ts';
import type { StoreTx } from '../calendar-store.ts';
import { openSqliteStore } from './sqlite-calendar-store.ts';
import {
  aCareType,
  aFacility,
  aPerformer,
  aTimeslot,
  aTimeType,
  FACILITY,
  future,
} from '../../../test/support/builders.ts';
import {
  FREE_TIMESLOTS_OF_PERFORMER_SQL,
  FREE_TIMESLOTS_SQL,
  SCHEDULE_OF_SUBJECT_SQL,
} from './sqlite-queries.ts';

const dir = mkdtempSync(join(tmpdir(), 'tidbok-sqlite-'));

/** The builders' facility with its care type, time type and performer. */
async function seedUnit(tx: StoreTx): Promise<void> {
  await tx.upsertFacility(aFacility());
  await tx.upsertCareType(aCareType());
  await tx.upsertTimeType(aTimeType());
  await tx.upsertPerformer(aPerformer());
}
after(() => rmSync(dir, { recursive: true, force: true }));

function plan(sql: string, params: unknown = {}): string[] {
  const db = new Database(':memory:');
  try {
    migrate(db);
    const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[];
    return rows.map((r) => r.detail);
  } finally {
    db.close();
  }
}

/** Asserts that some step of a query plan mentions `text`; a failure shows the whole plan. */
function assertStep(details: readonly string[], text: string): void {
  assert.ok(
    details.some((d) => d.includes(text)),
    details.join('\n'),
  );
}

/** Asserts that a query plan sorts nothing in a temporary tree. */
function assertNoSort(details: readonly string[]): void {
  assert.ok(!details.some((d) => d.includes('TEMP B-TREE')), details.join('\n'));
}

void describe('SQLite query plans', () => {
  void it('finds free slots by walking the facility/start index in order, with no table scan or sort', () => {
    const details = plan(FREE_TIMESLOTS_SQL, {
      facility: 'SE2321000016-ABCD',
      from: 0,
      to: 1,
      time_type_ids: '["TT1"]',
      care_type_id: 'CT1',
      performers: '["P1"]',
      resource_id: 'R1',
      limit: 20,
    });
    assert.ok(
      details.some((d) => d.startsWith('SEARCH t USING INDEX timeslots_by_facility_start')),
      details.join('\n'),
    );
    assertStep(details, 'bookings_one_active_per_slot');
    assert.ok(!details.some((d) => /^SCAN (t|b|tt|ct|p|r|f)\b/.test(d)), details.join('\n'));
    assertNoSort(details);
  });

  void it("finds one performer's free slots by walking the facility/performer/start index in order", () => {
    const details = plan(FREE_TIMESLOTS_OF_PERFORMER_SQL, {
      facility: 'SE2321000016-ABCD',
      performer: 'SE2321000016-P001',
      from: 0,
      to: 1,
      time_type_ids: '["TT1"]',
      care_type_id: null,
      resource_id: null,
      limit: 20,
    });
    assertStep(
      details,
      'timeslots_by_facility_performer_start (facility=? AND performer=? AND start_utc_ms>? AND start_utc_ms<?)',
    );
    assertNoSort(details);
  });

  void it("reads a patient's schedule in order from its index alone, with no sort", () => {
    const details = plan(SCHEDULE_OF_SUBJECT_SQL, ['SE2321000016-ABCD', '191212121212']);
    assertStep(
      details,
      'USING COVERING INDEX bookings_schedule_shown (facility=? AND subject_of_care=?)',
    );
    assertNoSort(details);
  });

  void it('finds timeslots at a local time through the local-time index', () => {
    const details = plan(
      'SELECT * FROM timeslots WHERE facility = ? AND start_ts = ? AND end_ts = ? ORDER BY +start_utc_ms, id',
      ['f', 'a', 'b'],
    );
    assertStep(
      details,
      'timeslots_by_facility_local_time (facility=? AND start_ts=? AND end_ts=?)',
    );
  });

  void it('binds no LIMIT bare, which would recompile the statement on every run (see bound-limit.ts)', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    for (const file of readdirSync(here).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
    )) {
      const source = readFileSync(join(here, file), 'utf8');
      assert.doesNotMatch(source, /LIMIT\s+[@?:$]/, file);
    }
  });
});

void describe('SQLite migrations', () => {
  void it('records each applied migration once and applies nothing again on reopening', async () => {
    const path = join(dir, 'reopen', 'nested', 'calendar.db');
    const first = openSqliteStore(path);
    const applied = await first.appliedMigrations();
    assert.deepEqual(
      applied.map((m) => m.version),
      MIGRATIONS.map((m) => m.version),
    );
    await first.close();
    const second = openSqliteStore(path);
    assert.deepEqual(await second.appliedMigrations(), applied);
    await second.close();
  });

  void it('opens a file database in WAL mode', async () => {
    const path = join(dir, 'wal.db');
    await openSqliteStore(path).close();
    const db = new Database(path);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  });

  void it('applies only the steps not yet applied, and none of them when one fails', () => {
    const db = new Database(':memory:');
    const step1 = { version: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER) STRICT;' };
    const step2 = { version: 2, name: 'two', sql: 'CREATE TABLE b (x INTEGER) STRICT;' };
    const broken = { version: 3, name: 'broken', sql: 'CREATE TABLE c (x INTEGER); NOT SQL;' };
    assert.deepEqual(
      migrate(db, [step1]).map((m) => m.version),
      [1],
    );
    assert.throws(() => migrate(db, [step1, step2, broken]));
    assert.deepEqual(
      db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN ('a', 'b', 'c')")
        .pluck()
        .all(),
      ['a'],
      'the failed run left no table behind',
    );
    assert.deepEqual(
      migrate(db, [step1, step2]).map((m) => m.version),
      [1, 2],
    );
    db.close();
  });

  void it('refuses a database whose schema is newer than this program', () => {
    const db = new Database(':memory:');
    migrate(db, [{ version: MIGRATIONS.at(-1)!.version + 1, name: 'future', sql: 'SELECT 1;' }]);
    assert.throws(() => migrate(db, MIGRATIONS), /newer than this program knows/);
    db.close();
  });
});

void describe('SqliteCalendarStore facility lookups (kept per calendar version)', () => {
  const unit = (name: string, hsaId = 'SE2321000016-FAC1') => ({
    hsaId,
    name,
    webBookingEnabled: true,
    partnerFacilities: [],
  });

  void it('sees every change, whether committed here or by another connection to the file', async () => {
    const path = join(dir, 'facility-lookups.db');
    const store = openSqliteStore(path);
    // Another process on the same file, such as `tidbok import`.
    const other = openSqliteStore(path);
    try {
      await store.transaction((tx) => tx.upsertFacility(unit('Vårdcentralen')));
      assert.equal((await store.getFacility('SE2321000016-FAC1'))?.name, 'Vårdcentralen');
      assert.equal(
        (await store.getFacility('se2321000016-fac1'))?.hsaId,
        'SE2321000016-FAC1',
        'found case-insensitively, as stored',
      );

      await other.transaction((tx) => tx.upsertFacility(unit('Vårdcentralen Norr')));
      assert.equal((await store.getFacility('SE2321000016-FAC1'))?.name, 'Vårdcentralen Norr');

      await store.transaction((tx) => tx.upsertFacility(unit('Vårdcentralen Syd')));
      assert.equal((await store.getFacility('se2321000016-FAC1'))?.name, 'Vårdcentralen Syd');

      assert.equal(await store.getFacility('SE2321000016-NEW1'), undefined);
      await other.transaction((tx) => tx.upsertFacility(unit('Ny enhet', 'SE2321000016-NEW1')));
      assert.equal(
        (await store.getFacility('SE2321000016-NEW1'))?.name,
        'Ny enhet',
        'an unknown address is not remembered as unknown',
      );
    } finally {
      await other.close();
      await store.close();
    }
    await assert.rejects(store.getFacility('SE2321000016-FAC1'), /closed/);
  });
});

void describe('SqliteCalendarStore free-slot names (kept per calendar version)', () => {
  void it('shows a renamed performer or time type at once, whether renamed here or by another connection', async () => {
    const path = join(dir, 'slot-names.db');
    const store = openSqliteStore(path);
    const other = openSqliteStore(path);
    const names = async () =>
      (
        await store.findFreeTimeslots({
          facilities: [FACILITY],
          fromUtcMs: Date.now(),
          toUtcMs: future(30),
          performers: ['SE2321000016-P001'],
        })
      ).map((s) => [s.performerName, s.timeTypeName]);
    try {
      await store.transaction(async (tx) => {
        await seedUnit(tx);
        await tx.upsertTimeslot(aTimeslot({ performer: 'SE2321000016-P001' }));
      });
      assert.deepEqual(await names(), [['Dr Anna Ek', 'Läkarbesök']]);
      assert.deepEqual(await names(), [['Dr Anna Ek', 'Läkarbesök']], 'the same when asked again');

      await store.transaction((tx) => tx.upsertPerformer(aPerformer({ lastName: 'Ekström' })));
      assert.deepEqual(await names(), [['Dr Anna Ekström', 'Läkarbesök']]);

      // Another process on the same file, such as `tidbok import`.
      await other.transaction((tx) => tx.upsertTimeType(aTimeType({ name: 'Läkartid' })));
      assert.deepEqual(await names(), [['Dr Anna Ekström', 'Läkartid']]);
    } finally {
      await other.close();
      await store.close();
    }
  });
});

void describe('SqliteCalendarStore reference lists (kept per calendar version)', () => {
  void it('lists the time types, care types, performers and resources as last committed, here or by another connection', async () => {
    const path = join(dir, 'reference-lists.db');
    const store = openSqliteStore(path);
    // Another process on the same file, such as `tidbok import`.
    const other = openSqliteStore(path);
    const names = async () => ({
      timeTypes: (await store.listTimeTypes(FACILITY)).map((t) => t.name),
      careTypes: (await store.listCareTypes(FACILITY.toLowerCase())).map((c) => c.name),
      performers: (await store.listPerformers(FACILITY)).map((p) => p.lastName),
      resources: (await store.listResources(FACILITY)).map((r) => r.name),
    });
    try {
      await store.transaction(async (tx) => {
        await seedUnit(tx);
        await tx.upsertResource({ facility: FACILITY, id: 'R1', name: 'Rum 1' });
      });
      assert.deepEqual(await names(), {
        timeTypes: ['Läkarbesök'],
        careTypes: ['Allmänmedicin'],
        performers: ['Ek'],
        resources: ['Rum 1'],
      });
      const shared = await store.listResources(FACILITY);
      assert.throws(() => shared.push(shared[0]!), TypeError, 'a kept list cannot be changed');

      await other.transaction(async (tx) => {
        await tx.upsertCareType(aCareType({ name: 'Barnmedicin' }));
        await tx.upsertPerformer(aPerformer({ lastName: 'Ekholm' }));
      });
      assert.deepEqual(await names(), {
        timeTypes: ['Läkarbesök'],
        careTypes: ['Barnmedicin'],
        performers: ['Ekholm'],
        resources: ['Rum 1'],
      });

      await store.transaction(async (tx) => {
        await tx.upsertTimeType(aTimeType({ name: 'Återbesök' }));
        await tx.upsertResource({ facility: FACILITY, id: 'R2', name: 'Rum 2' });
      });
      assert.deepEqual(await names(), {
        timeTypes: ['Återbesök'],
        careTypes: ['Barnmedicin'],
        performers: ['Ekholm'],
        resources: ['Rum 1', 'Rum 2'],
      });
    } finally {
      await other.close();
      await store.close();
    }
  });
});
