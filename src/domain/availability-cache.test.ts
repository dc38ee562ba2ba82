import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  openSqliteStore,
  type SqliteCalendarStore,
} from '../store/sqlite/sqlite-calendar-store.ts';
import {
  FACILITY,
  PATIENT,
  PATIENT_INFO,
  seedTestCalendar,
  type SeededCalendar,
  OTHER_PATIENT,
  PARTNER,
} from '../../test/support/test-calendar.ts';
import { SchedulingService, type AvailabilityQuery } from './scheduling-service.ts';
import type { Booking, Timeslot } from './types.ts';

/** An active booking of `slot` at FACILITY by `subjectOfCare`. */
function activeBooking(id: string, slot: Timeslot, subjectOfCare: string, now: number): Booking {
  return {
    id,
    facility: FACILITY,
    subjectOfCare,
    patient: PATIENT_INFO,
    isInvitation: false,
    slotId: slot.id,
    start: slot.start,
    end: slot.end,
    timeTypeId: slot.timeTypeId,
    status: 'active',
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

describe('reused availability answers never show what the store no longer holds', () => {
  let dir: string;
  let store: SqliteCalendarStore;
  let other: SqliteCalendarStore;
  let calendar: SeededCalendar;
  let now = Date.now();
  let service: SchedulingService;
  const query = (): AvailabilityQuery => ({
    facility: FACILITY,
    startDt: calendar.days[0]!,
    endDt: calendar.days[0]!,
    performers: [],
    timeTypeId: 'TT-LAK',
    subjectOfCare: PATIENT,
    isAgent: false,
  });
  const offered = async () => (await service.findAvailability(query())).slots.map((s) => s.id);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidbok-cache-'));
    store = openSqliteStore(join(dir, 'calendar.db'));
    calendar = await seedTestCalendar(store, now);
    // A second connection to the same file: another process, such as `tidbok import`.
    other = openSqliteStore(join(dir, 'calendar.db'));
    service = new SchedulingService({ store, now: () => now });
  });
  after(async () => {
    await store.close();
    await other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a repeated search with the very same answer while nothing changed', async () => {
    const first = await service.findAvailability(query());
    const second = await service.findAvailability(query());
    assert.equal(second, first, 'the same object: reused, not searched again');
  });

  it('drops a slot that another process booked on the same database file', async () => {
    const slot = calendar.doctorSlots[1]!;
    assert.ok((await offered()).includes(slot.id));
    await other.transaction((tx) =>
      // Another patient: the searching patient's own history (part of the key) stays the same.
      tx.insertBooking(activeBooking('booked-elsewhere', slot, OTHER_PATIENT, now)),
    );
    assert.ok(!(await offered()).includes(slot.id));
  });

  it('drops a slot booked through this process', async () => {
    const slot = calendar.doctorSlots[2]!;
    assert.ok((await offered()).includes(slot.id));
    const made = await service.makeBooking({
      facility: FACILITY,
      id: slot.id,
      startTs: slot.start.ts,
      endTs: slot.end.ts,
      subjectOfCare: OTHER_PATIENT,
      patient: PATIENT_INFO,
      origin: 'soap',
    });
    assert.ok(made.ok);
    assert.ok(!(await offered()).includes(slot.id));
  });

  it('stops offering a slot once its time has come, although nothing was written', async () => {
    const before = await offered();
    const first = calendar.doctorSlots.find((s) => s.id === before[0])!;
    now = first.start.utcMs + 1;
    const after = await offered();
    assert.ok(!after.includes(first.id));
    assert.deepEqual(after, before.slice(1));
  });
});

describe('reused availability answers and time types for returning patients only', () => {
  let store: SqliteCalendarStore;
  let calendar: SeededCalendar;
  let service: SchedulingService;
  let historyLookups = 0;
  const now = Date.now();
  const search = (facility: string, subjectOfCare: string, isAgent = false) =>
    service.findAvailability({
      facility,
      startDt: calendar.days[0]!,
      endDt: calendar.days[calendar.days.length - 1]!,
      performers: [],
      subjectOfCare,
      isAgent,
    });
  const timeTypesOffered = async (facility: string, subjectOfCare: string, isAgent = false) =>
    [...new Set((await search(facility, subjectOfCare, isAgent)).slots.map((s) => s.timeTypeId))]
      .sort()
      .join(',');

  before(async () => {
    store = openSqliteStore(':memory:');
    calendar = await seedTestCalendar(store, now);
    // OTHER_PATIENT has been to FACILITY before; PATIENT has not.
    const slot = calendar.doctorSlots[0]!;
    await store.transaction((tx) =>
      tx.insertBooking(activeBooking('earlier-visit', slot, OTHER_PATIENT, now)),
    );
    const counted = new Proxy(store, {
      get(target, name, receiver) {
        if (name === 'hasBookingHistory') historyLookups += 1;
        const value: unknown = Reflect.get(target, name, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    service = new SchedulingService({ store: counted, now: () => now });
  });
  after(() => store.close());

  it('keeps showing each patient only the time types they may book, search after search', async () => {
    for (let round = 0; round < 2; round++) {
      assert.equal(await timeTypesOffered(FACILITY, OTHER_PATIENT), 'TT-LAK,TT-PROV,TT-UPP');
      assert.equal(await timeTypesOffered(FACILITY, PATIENT), 'TT-LAK,TT-PROV');
      assert.equal(await timeTypesOffered(FACILITY, OTHER_PATIENT, true), 'TT-LAK,TT-PROV');
    }
  });

  it('shares one answer between all patients of a unit without such time types', async () => {
    historyLookups = 0;
    const first = await search(PARTNER, OTHER_PATIENT);
    const lookupsForFirst = historyLookups;
    assert.ok(first.slots.length > 0);
    assert.equal(await search(PARTNER, PATIENT), first);
    assert.equal(await search(PARTNER, PATIENT, true), first);
    assert.equal(historyLookups, lookupsForFirst, 'no booking history looked up once it is shared');
  });
});
