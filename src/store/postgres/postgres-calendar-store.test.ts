/**
 * What the shared contract suite cannot see: migrations racing at start-up,
 * two instances (two pools) on one database, and the pool's life cycle.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import pg from 'pg';
import { describePostgres, freshSchemaUrl } from '../../../test/support/postgres.ts';
import {
  aBookingOn,
  aCareType,
  aFacility,
  aTimeslot,
  aTimeType,
  FACILITY,
  future,
  nextVersion,
  OTHER_PATIENT,
} from '../../../test/support/builders.ts';
import type { CalendarStore } from '../calendar-store.ts';
import { ConcurrentUpdateError, TimeslotTakenError } from '../errors.ts';
import { MIGRATIONS } from './migrations.ts';
import {
  connectPostgresStore,
  openPostgresStore,
  type PostgresCalendarStore,
} from './postgres-calendar-store.ts';

const open: PostgresCalendarStore[] = [];
after(async () => {
  await Promise.all(open.map((s) => s.close()));
});

function instance(url: string): PostgresCalendarStore {
  const store = openPostgresStore(url, { maxConnections: 5 });
  open.push(store);
  return store;
}

async function seedOneFacility(store: CalendarStore, ...slots: ReturnType<typeof aTimeslot>[]) {
  await store.transaction(async (tx) => {
    await tx.upsertFacility(aFacility());
    await tx.upsertCareType(aCareType());
    await tx.upsertTimeType(aTimeType());
    for (const slot of slots) await tx.upsertTimeslot(slot);
  });
}

describePostgres('PostgreSQL store specifics', (serverUrl) => {
  void it('migrates once when four instances start on an empty schema at the same time', async () => {
    const url = await freshSchemaUrl(serverUrl);
    const stores = await Promise.all([1, 2, 3, 4].map(() => connectPostgresStore(url)));
    open.push(...stores);
    const applied = await stores[0]!.appliedMigrations();
    assert.deepEqual(
      applied.map((m) => m.version),
      MIGRATIONS.map((m) => m.version),
    );
    for (const store of stores) assert.deepEqual((await store.stats()).facilities, 0);
  });

  void it('refuses to run on a schema newer than the program knows', async () => {
    const url = await freshSchemaUrl(serverUrl);
    const first = await connectPostgresStore(url);
    await first.withConnection((db) =>
      db.query(
        `INSERT INTO schema_migrations (version, name, applied_at_utc_ms) VALUES (999, 'future', 0)`,
      ),
    );
    await first.close();
    await assert.rejects(connectPostgresStore(url), /schema is at version 999, newer/);
  });

  void it('lets exactly one of 200 transactions on two instances claim a slot', async () => {
    const url = await freshSchemaUrl(serverUrl);
    const [a, b] = [instance(url), instance(url)];
    const slot = aTimeslot();
    await seedOneFacility(a, slot);
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 === 0 ? a : b).transaction(async (tx) => {
          const booking = aBookingOn(slot);
          await tx.insertBooking(booking);
          return booking.id;
        }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    assert.equal(won.length, 1);
    for (const r of results)
      if (r.status === 'rejected')
        assert.ok(r.reason instanceof TimeslotTakenError, String(r.reason));
    assert.equal((await b.findActiveBookingOnSlot(slot.id))?.id, won[0]!.value);
  });

  void it('lets one of two bookings moved onto the same slot from two instances at once have it', async () => {
    const url = await freshSchemaUrl(serverUrl);
    const [a, b] = [instance(url), instance(url)];
    const [first, second, target] = [
      aTimeslot({ startUtcMs: future(1) }),
      aTimeslot({ startUtcMs: future(2) }),
      aTimeslot({ startUtcMs: future(3) }),
    ];
    await seedOneFacility(a, first!, second!, target!);
    const mine = aBookingOn(first!);
    const theirs = aBookingOn(second!, { subjectOfCare: OTHER_PATIENT });
    await a.transaction(async (tx) => {
      await tx.insertBooking(mine);
      await tx.insertBooking(theirs);
    });
    const moveTo = (booking: typeof mine) =>
      nextVersion(booking, { slotId: target!.id, start: target!.start, end: target!.end });
    const results = await Promise.allSettled([
      a.transaction((tx) => tx.updateBooking(moveTo(mine), mine.version)),
      b.transaction((tx) => tx.updateBooking(moveTo(theirs), theirs.version)),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const lost = results.find((r) => r.status === 'rejected');
    assert.ok(lost?.status === 'rejected' && lost.reason instanceof TimeslotTakenError);
    const holder = await a.findActiveBookingOnSlot(target!.id);
    const loser = holder?.id === mine.id ? theirs : mine;
    assert.deepEqual(await a.getBooking(loser.id), loser, 'the loser stays where it was');
  });

  void it('lets one of a cancel and a move of the same booking on two instances win; the other sees ConcurrentUpdateError', async () => {
    const url = await freshSchemaUrl(serverUrl);
    const [a, b] = [instance(url), instance(url)];
    const [from, to] = [aTimeslot({ startUtcMs: future(1) }), aTimeslot({ startUtcMs: future(2) })];
    await seedOneFacility(a, from!, to!);
    const booking = aBookingOn(from!);
    await a.transaction((tx) => tx.insertBooking(booking));
    const cancel = nextVersion(booking, { status: 'cancelled' });
    const move = nextVersion(booking, { slotId: to!.id, start: to!.start, end: to!.end });
    // The first instance holds its update open until the second has tried.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let markUpdated!: () => void;
    const updated = new Promise<void>((resolve) => (markUpdated = resolve));
    const cancelling = a.transaction(async (tx) => {
      await tx.updateBooking(cancel, booking.version);
      markUpdated();
      await held;
    });
    await updated;
    const moving = b.transaction((tx) => tx.updateBooking(move, booking.version));
    release();
    await cancelling;
    await assert.rejects(moving, ConcurrentUpdateError);
    assert.deepEqual(await b.getBooking(booking.id), cancel);
    assert.equal(await b.findActiveBookingOnSlot(to!.id), undefined);
  });

  void it('keeps HSA-ids case-insensitive in the database itself, so every instance agrees', async () => {
    const url = await freshSchemaUrl(serverUrl);
    const store = instance(url);
    await seedOneFacility(store);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await assert.rejects(
        client.query(
          `INSERT INTO facilities (hsa_id, name, web_booking_enabled) VALUES ($1, 'x', true)`,
          [FACILITY.toLowerCase()],
        ),
        /facilities_pkey/,
      );
    } finally {
      await client.end();
    }
  });
});
