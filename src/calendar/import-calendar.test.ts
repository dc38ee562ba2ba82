import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  aFacilityJson,
  aTimeTypeJson,
  FIXTURE_FACILITY,
} from '../../test/support/calendar-file-fixture.ts';
import { BSN_SYSTEM } from '../domain/patient-identifier.ts';
import type { CalendarStore } from '../store/calendar-store.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-calendar-store.ts';
import { CalendarFileError, parseCalendarFile } from './calendar-file.ts';
import { expandCalendar } from './expand-calendar.ts';
import type { ExpandedCalendar } from './expand-calendar.ts';
import { changedRows, importCalendar } from './import-calendar.ts';
import { insertInvitationOnly } from './insert-invitation.ts';

const FACILITY = FIXTURE_FACILITY;
const NOW = Date.UTC(2027, 0, 1, 8, 0);

const BSN = { system: BSN_SYSTEM, value: '123456782' };

/**
 * The test calendar; `timeType` changes fields of its one time type, and
 * `patients` is the file's list of patients' identifiers.
 */
function calendar(
  timeType: Record<string, unknown> = {},
  patients: readonly unknown[] = [],
): ExpandedCalendar {
  const file = parseCalendarFile({
    patients,
    facilities: [
      aFacilityJson({
        timeTypes: [aTimeTypeJson({ rebookAllowed: false, ...timeType })],
        schedules: [
          {
            timeTypeId: 'prov',
            performer: 'SE2321000016-p001',
            weekdays: ['mon'],
            from: '08:00',
            to: '09:00',
            slotMinutes: 30,
          },
        ],
        invitations: [
          {
            id: 'inv-open',
            subjectOfCare: '191212121212',
            firstName: 'Tolvan',
            lastName: 'Tolvansson',
            timeTypeId: 'prov',
            purpose: 'Välkommen på provtagning.',
          },
          {
            id: 'inv-timed',
            subjectOfCare: '191212121212',
            firstName: 'Tolvan',
            lastName: 'Tolvansson',
            timeTypeId: 'prov',
            purpose: 'Kallelse till provtagning.',
            start: '20270104083000',
            end: '20270104090000',
          },
        ],
      }),
    ],
  });
  return expandCalendar(file, { todayDt: '20270101', nowUtcMs: NOW, horizonDays: 14 });
}

const createInvitation = insertInvitationOnly(() => NOW);
const counts = (created: number, changed: number, unchanged: number) => ({
  created,
  changed,
  unchanged,
});
const totalChanges = changedRows;

void describe('importCalendar (SQLite store)', () => {
  let store: CalendarStore;
  beforeEach(() => {
    store = openSqliteStore(':memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  void it('creates every row on the first import and reports the counts', async () => {
    const report = await importCalendar(store, calendar(), { createInvitation });
    assert.deepEqual(report, {
      facilities: counts(1, 0, 0),
      careTypes: counts(1, 0, 0),
      timeTypes: counts(1, 0, 0),
      performers: counts(1, 0, 0),
      resources: counts(1, 0, 0),
      timeslots: counts(4, 0, 0),
      invitations: counts(2, 0, 0),
      patientIdentifiers: counts(0, 0, 0),
      // Added switched on; without the hook nothing is announced.
      webBooking: { switchedOn: [calendar().facilities[0]!.hsaId], switchedOff: [], queued: {} },
    });
    const stats = await store.stats();
    assert.equal(stats.facilities, 1);
    assert.equal(stats.timeslots, 4);
    assert.equal(stats.activeBookings, 2);
  });

  void it('changes nothing when the same calendar is imported again', async () => {
    await importCalendar(store, calendar(), { createInvitation });
    const report = await importCalendar(store, calendar(), { createInvitation });
    assert.equal(totalChanges(report), 0);
    assert.deepEqual(report.timeslots, counts(0, 0, 4));
    assert.deepEqual(report.invitations, counts(0, 0, 2));
  });

  void it('reports an edited row as changed and stores the edit', async () => {
    await importCalendar(store, calendar(), { createInvitation });
    const report = await importCalendar(store, calendar({ name: 'Provtagning, blod' }), {
      createInvitation,
    });
    assert.deepEqual(report.timeTypes, counts(0, 1, 0));
    assert.equal(totalChanges(report), 1);
    const [timeType] = await store.listTimeTypes(FACILITY);
    assert.equal(timeType?.name, 'Provtagning, blod');
  });

  void it("stores a time type's cancellation text, and reports a new text as a change", async () => {
    const fee = 'Avbokning senare än 24 timmar före besöket debiteras.';
    await importCalendar(store, calendar({ cancelInfo: fee }), { createInvitation });
    assert.equal((await store.listTimeTypes(FACILITY))[0]?.cancelInfo, fee);
    const again = await importCalendar(store, calendar({ cancelInfo: fee }), { createInvitation });
    assert.equal(totalChanges(again), 0);
    const dropped = await importCalendar(store, calendar(), { createInvitation });
    assert.deepEqual(dropped.timeTypes, counts(0, 1, 0));
    assert.equal('cancelInfo' in (await store.listTimeTypes(FACILITY))[0]!, false);
  });

  void it("records patients' identifiers, counting each one created, changed or unchanged", async () => {
    const other = { system: 'urn:oid:2.16.840.1.113883.2.4.6.3', value: 'A-1' };
    const withIds = (...identifiers: object[]) =>
      calendar({}, [{ subjectOfCare: '191212121212', identifiers }]);
    const first = await importCalendar(store, withIds(BSN), { createInvitation });
    assert.deepEqual(first.patientIdentifiers, counts(1, 0, 0));
    assert.deepEqual(await store.listPatientIdentifiers('191212121212'), [BSN]);
    const again = await importCalendar(store, withIds(BSN), { createInvitation });
    assert.deepEqual(again.patientIdentifiers, counts(0, 0, 1));
    assert.equal(totalChanges(again), 0);
    const next = await importCalendar(store, withIds({ ...BSN, value: '111222333' }, other), {
      createInvitation,
    });
    assert.deepEqual(next.patientIdentifiers, counts(1, 1, 0));
    // Never deletes: a file without the patient leaves what is recorded.
    await importCalendar(store, calendar(), { createInvitation });
    assert.deepEqual(await store.listPatientIdentifiers('191212121212'), [
      { ...BSN, value: '111222333' },
      other,
    ]);
  });

  void it('books the slot of a timed invitation and stores an open one without a slot', async () => {
    const imported = calendar();
    await importCalendar(store, imported, { createInvitation });
    const timed = imported.invitations.find((i) => i.id === 'inv-timed')!;
    const onSlot = await store.findActiveBookingOnSlot(timed.slotId!);
    assert.equal(onSlot?.id, 'inv-timed');
    assert.equal(onSlot?.isInvitation, true);
    const open = await store.getBooking('inv-open');
    assert.equal(open?.slotId, undefined);
    assert.equal(open?.purpose, 'Välkommen på provtagning.');
    const free = await store.findFreeTimeslots({
      facilities: [FACILITY],
      fromUtcMs: NOW,
      toUtcMs: NOW + 30 * 86_400_000,
    });
    assert.equal(free.length, 3);
  });

  void it('never deletes: rows missing from a later import stay', async () => {
    await importCalendar(store, calendar(), { createInvitation });
    const emptied: ExpandedCalendar = { ...calendar(), timeslots: [], invitations: [] };
    const report = await importCalendar(store, emptied, { createInvitation });
    assert.equal(totalChanges(report), 0);
    assert.equal((await store.stats()).timeslots, 4);
    assert.ok(await store.getBooking('inv-open'));
  });

  void it('refuses, naming the invitation, a timed invitation whose slot a patient already booked', async () => {
    const imported = calendar();
    const timed = imported.invitations.find((i) => i.id === 'inv-timed')!;
    await importCalendar(store, { ...imported, invitations: [] }, { createInvitation });
    await store.transaction((tx) =>
      tx.insertBooking({
        id: 'patient-booking',
        facility: FACILITY,
        subjectOfCare: '200112232384',
        patient: { firstName: 'Sven', lastName: 'Svensson' },
        isInvitation: false,
        slotId: timed.slotId!,
        start: timed.start!,
        end: timed.end!,
        timeTypeId: 'prov',
        status: 'active',
        createdAt: NOW,
        updatedAt: NOW,
        version: 1,
      }),
    );
    await assert.rejects(importCalendar(store, imported, { createInvitation }), (err: Error) => {
      assert.ok(err instanceof CalendarFileError);
      assert.deepEqual(err.problems, [
        "invitation 'inv-timed': its timeslot at 20270104083000 is already booked; choose another time",
      ]);
      return true;
    });
    assert.equal(
      await store.getBooking('inv-open'),
      undefined,
      'nothing of the failed import stays',
    );
  });

  void it('refuses to move, re-time or reassign a booked slot, one line per slot, writing nothing', async () => {
    const first = calendar();
    await importCalendar(store, first, { createInvitation });
    const [booked, otherBooked, free] = first.timeslots.filter(
      (s) => !first.invitations.some((i) => i.slotId === s.id),
    );
    for (const [id, slot] of [
      ['patient-a', booked!],
      ['patient-b', otherBooked!],
    ] as const)
      await store.transaction((tx) =>
        tx.insertBooking({
          id,
          facility: FACILITY,
          subjectOfCare: '200112232384',
          patient: { firstName: 'Sven', lastName: 'Svensson' },
          isInvitation: false,
          slotId: slot.id,
          start: slot.start,
          end: slot.end,
          timeTypeId: 'prov',
          status: 'active',
          createdAt: NOW,
          updatedAt: NOW,
          version: 1,
        }),
      );
    const later = (ms: number, ts: string) => ({ ts, utcMs: ms });
    const edited: ExpandedCalendar = {
      ...first,
      timeslots: first.timeslots.map((s) => {
        if (s.id === booked!.id)
          return { ...s, end: later(s.end.utcMs - 10 * 60_000, `${s.end.ts.slice(0, 10)}2000`) };
        if (s.id === otherBooked!.id)
          return { ...s, performer: 'SE2321000016-p002', resourceId: 'rum1' };
        if (s.id === free!.id) return { ...s, resourceId: 'rum1' };
        return s;
      }),
    };
    await assert.rejects(importCalendar(store, edited, { createInvitation }), (err: Error) => {
      assert.ok(err instanceof CalendarFileError);
      assert.deepEqual(err.problems, [
        `timeslot '${booked!.id}' has an active booking; an import may not change its time (end)`,
        `timeslot '${otherBooked!.id}' has an active booking; an import may not change its performer, resource`,
      ]);
      return true;
    });
    assert.deepEqual(await store.getTimeslot(booked!.id), booked);
    assert.deepEqual(await store.getTimeslot(otherBooked!.id), otherBooked);
    assert.deepEqual(
      await store.getTimeslot(free!.id),
      free,
      'nothing of the refused import stays',
    );
  });

  void it('writes nothing when any part of the import fails', async () => {
    const withBsn = calendar({}, [{ subjectOfCare: '191212121212', identifiers: [BSN] }]);
    await assert.rejects(
      importCalendar(store, withBsn, {
        createInvitation: async () => {
          throw new Error('domain refused the invitation');
        },
      }),
      /domain refused/,
    );
    assert.deepEqual(await store.stats(), {
      facilities: 0,
      timeslots: 0,
      activeBookings: 0,
      outbox: 0,
    });
    assert.deepEqual(await store.listPatientIdentifiers('191212121212'), []);
  });
});
