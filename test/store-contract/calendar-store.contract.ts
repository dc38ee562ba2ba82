/**
 * The behaviour every CalendarStore must show, whatever database is behind
 * it. An implementation's runner calls {@link describeCalendarStore} with a
 * factory for fresh, empty stores; nothing here may depend on one database.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { instantToTs, tsToInstants } from '../../src/domain/local-time.ts';
import type { Booking, Timeslot } from '../../src/domain/types.ts';
import type { CalendarStore, CalendarView, StoreTx } from '../../src/store/calendar-store.ts';
import {
  AlreadyExistsError,
  ConcurrentUpdateError,
  NotFoundError,
  TimeslotTakenError,
  TransactionMisuseError,
} from '../../src/store/errors.ts';
import {
  aBookingOn,
  at,
  aCareType,
  aFacility,
  anOpenInvitation,
  aPerformer,
  aResource,
  aTimeslot,
  aTimeType,
  FACILITY,
  future,
  nextVersion,
  OTHER_FACILITY,
  OTHER_PATIENT,
  PATIENT,
} from '../support/builders.ts';

export interface CalendarStoreContractOptions {
  /** Tests this implementation cannot pass yet, by exact name, with the reason shown in the report. */
  readonly skip?: readonly { readonly reason: string; readonly tests: readonly string[] }[];
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Stores the default calendar: two facilities, with a care type, time types, a performer and a resource. */
async function seed(store: CalendarStore): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.upsertFacility(aFacility({ partnerFacilities: [OTHER_FACILITY] }));
    await tx.upsertFacility(aFacility({ hsaId: OTHER_FACILITY, name: 'Vårdcentralen Björken' }));
    for (const facility of [FACILITY, OTHER_FACILITY]) {
      await tx.upsertCareType(aCareType({ facility }));
      await tx.upsertCareType(aCareType({ facility, id: 'CT2', name: 'Barnhälsovård' }));
      await tx.upsertTimeType(aTimeType({ facility }));
      await tx.upsertTimeType(
        aTimeType({ facility, id: 'TT2', name: 'Provtagning', careTypeIds: [] }),
      );
      await tx.upsertPerformer(aPerformer({ facility }));
      await tx.upsertPerformer(
        aPerformer({ facility, hsaId: 'SE2321000016-P002', firstName: 'Bo', lastName: 'Al' }),
      );
      await tx.upsertResource(aResource({ facility }));
      await tx.upsertResource(aResource({ facility, id: 'R2', name: 'Rum 2' }));
    }
  });
}

async function addSlots(store: CalendarStore, ...slots: Timeslot[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const slot of slots) await tx.upsertTimeslot(slot);
  });
}

async function book(store: CalendarStore, booking: Booking): Promise<Booking> {
  await store.transaction((tx) => tx.insertBooking(booking));
  return booking;
}

async function freeIds(
  store: CalendarStore,
  query: Partial<Parameters<CalendarStore['findFreeTimeslots']>[0]> = {},
): Promise<string[]> {
  const free = await store.findFreeTimeslots({
    facilities: [FACILITY],
    fromUtcMs: Date.now(),
    toUtcMs: future(30),
    ...query,
  });
  return free.map((s) => s.id);
}

/** The last Sunday of October next year, when Swedish clocks go back from 03:00 to 02:00. */
function nextAutumnChangeDay(): string {
  const year = new Date().getUTCFullYear() + 1;
  const lastDay = new Date(Date.UTC(year, 9, 31));
  const day = 31 - lastDay.getUTCDay();
  return `${year}10${String(day).padStart(2, '0')}`;
}

export function describeCalendarStore(
  name: string,
  makeStore: () => Promise<CalendarStore>,
  options: CalendarStoreContractOptions = {},
): void {
  const skipReason = (test: string): string | undefined =>
    options.skip?.find((s) => s.tests.includes(test))?.reason;

  /** One test on a fresh store, closed afterwards. */
  const test = (title: string, body: (store: CalendarStore) => Promise<void>): void => {
    const reason = skipReason(title);
    void it(title, reason === undefined ? {} : { skip: reason }, async () => {
      const store = await makeStore();
      try {
        await body(store);
      } finally {
        await store.close();
      }
    });
  };

  void describe(`CalendarStore contract: ${name}`, () => {
    void describe('facilities and calendar maintenance', () => {
      test('finds a facility by HSA-id in any case and returns the stored spelling', async (store) => {
        await seed(store);
        for (const asked of [FACILITY, FACILITY.toLowerCase(), 'se2321000016-AbCd']) {
          const found = await store.getFacility(asked);
          assert.equal(found?.hsaId, FACILITY, `looked up as ${asked}`);
        }
        assert.equal(await store.getFacility('SE2321000016-NONE'), undefined);
      });

      test('lists facilities with their name, web booking flag and partner facilities', async (store) => {
        await seed(store);
        await store.transaction(async (tx) => {
          await tx.upsertFacility(
            aFacility({ hsaId: 'SE2321000016-0001', name: 'Stängd', webBookingEnabled: false }),
          );
        });
        const facilities = await store.listFacilities();
        assert.deepEqual(
          [...facilities].sort((a, b) => a.hsaId.localeCompare(b.hsaId)),
          [
            aFacility({ hsaId: 'SE2321000016-0001', name: 'Stängd', webBookingEnabled: false }),
            aFacility({ partnerFacilities: [OTHER_FACILITY] }),
            aFacility({ hsaId: OTHER_FACILITY, name: 'Vårdcentralen Björken' }),
          ],
        );
      });

      test('reports an upsert as a change only when the data differ, so importing twice changes nothing', async (store) => {
        const slot = aTimeslot({ performer: 'SE2321000016-P001', resourceId: 'R1' });
        const importAll = async (tx: StoreTx, variant: string) => {
          // One at a time, facility first: the others refer to it.
          const results: boolean[] = [];
          for (const step of [
            () => tx.upsertFacility(aFacility({ name: `VC ${variant}` })),
            () => tx.upsertCareType(aCareType({ name: `Care ${variant}` })),
            () => tx.upsertTimeType(aTimeType({ name: `Type ${variant}` })),
            () => tx.upsertPerformer(aPerformer({ lastName: `Ek ${variant}` })),
            () => tx.upsertResource(aResource({ name: `Room ${variant}` })),
            () => tx.upsertTimeslot({ ...slot, careTypeId: variant === 'a' ? 'CT1' : 'CT2' }),
          ])
            results.push(await step());
          return results;
        };
        assert.deepEqual(
          await store.transaction((tx) => importAll(tx, 'a')),
          [true, true, true, true, true, true],
          'first import inserts everything',
        );
        assert.deepEqual(
          await store.transaction((tx) => importAll(tx, 'a')),
          [false, false, false, false, false, false],
          'the same import again changes nothing',
        );
        assert.deepEqual(
          await store.transaction((tx) => importAll(tx, 'b')),
          [true, true, true, true, true, true],
          'an import with other data changes everything',
        );
        assert.equal((await store.getFacility(FACILITY))?.name, 'VC b');
        assert.equal((await store.listCareTypes(FACILITY))[0]?.name, 'Care b');
        assert.equal((await store.listTimeTypes(FACILITY))[0]?.name, 'Type b');
        assert.equal((await store.listPerformers(FACILITY))[0]?.lastName, 'Ek b');
        assert.equal((await store.listResources(FACILITY))[0]?.name, 'Room b');
        assert.equal((await store.getTimeslot(slot.id))?.careTypeId, 'CT2');
      });

      test('notices a change in any single field of a time type, including optional ones', async (store) => {
        await store.transaction((tx) => tx.upsertFacility(aFacility()));
        const base = aTimeType();
        const variants = [
          { careTypeIds: ['CT1', 'CT2'] },
          { cancelAllowed: false },
          { rebookAllowed: false },
          { messageAllowed: true },
          { webBookable: false },
          { audience: 'returning-patients' as const },
          { bookingInfo: 'Kom fastande' },
          { cancelInfo: 'Avbokning senare än 24 timmar före besöket debiteras' },
        ];
        for (const change of variants) {
          const changed = { ...base, ...change };
          const [first, again, back] = await store.transaction(async (tx) => [
            await tx.upsertTimeType(changed),
            await tx.upsertTimeType(changed),
            await tx.upsertTimeType(base),
          ]);
          const label = JSON.stringify(change);
          assert.equal(first, true, `${label} counts as a change`);
          assert.equal(again, false, `${label} twice is no change`);
          assert.equal(back, true, `undoing ${label} counts as a change`);
        }
        assert.deepEqual(await store.listTimeTypes(FACILITY), [base]);
      });

      test('keeps a facility postal address, notices a change of it, and removes it', async (store) => {
        const address = { street: 'Storgatan 1', postalCode: '753 20', city: 'Uppsala' };
        const withAddress = aFacility({ postalAddress: address });
        const results = await store.transaction(async (tx) => [
          await tx.upsertFacility(aFacility()),
          await tx.upsertFacility(withAddress),
          await tx.upsertFacility(withAddress),
          await tx.upsertFacility(aFacility({ postalAddress: { ...address, city: 'Enköping' } })),
        ]);
        assert.deepEqual(results, [true, true, false, true]);
        assert.deepEqual((await store.getFacility(FACILITY))?.postalAddress, {
          ...address,
          city: 'Enköping',
        });
        await store.transaction((tx) => tx.upsertFacility(aFacility()));
        assert.deepEqual(await store.listFacilities(), [aFacility()]);
      });

      test('matches HSA-id keys on upsert in any case, keeping the first spelling', async (store) => {
        const results = await store.transaction(async (tx) => [
          await tx.upsertFacility(aFacility()),
          await tx.upsertFacility(aFacility({ hsaId: FACILITY.toLowerCase() })),
          await tx.upsertPerformer(aPerformer()),
          await tx.upsertPerformer(
            aPerformer({ facility: FACILITY.toLowerCase(), hsaId: 'se2321000016-p001' }),
          ),
        ]);
        assert.deepEqual(results, [true, false, true, false]);
        assert.deepEqual(await store.listFacilities(), [aFacility()]);
        assert.deepEqual(await store.listPerformers(FACILITY.toLowerCase()), [aPerformer()]);
      });

      test('lists the types, performers and resources of one facility in key order, matching it in any case', async (store) => {
        await seed(store);
        const facility = FACILITY.toLowerCase();
        assert.deepEqual(await store.listCareTypes(facility), [
          aCareType(),
          aCareType({ id: 'CT2', name: 'Barnhälsovård' }),
        ]);
        assert.deepEqual(await store.listTimeTypes(facility), [
          aTimeType(),
          aTimeType({ id: 'TT2', name: 'Provtagning', careTypeIds: [] }),
        ]);
        assert.deepEqual(await store.listPerformers(facility), [
          aPerformer(),
          aPerformer({ hsaId: 'SE2321000016-P002', firstName: 'Bo', lastName: 'Al' }),
        ]);
        assert.deepEqual(await store.listResources(facility), [
          aResource(),
          aResource({ id: 'R2', name: 'Rum 2' }),
        ]);
        assert.deepEqual(await store.listTimeTypes('SE2321000016-NONE'), []);
      });

      test('keeps a time type without booking or cancellation info and one with them apart', async (store) => {
        await seed(store);
        const fee = 'Avbokning senare än 24 timmar före besöket debiteras';
        await store.transaction((tx) =>
          tx.upsertTimeType(aTimeType({ id: 'TT3', bookingInfo: 'Kom fastande', cancelInfo: fee })),
        );
        const types = await store.listTimeTypes(FACILITY);
        for (const field of ['bookingInfo', 'cancelInfo'] as const)
          assert.equal(field in types[0]!, false, `an absent ${field} stays absent`);
        assert.equal(types[2]?.bookingInfo, 'Kom fastande');
        assert.equal(types[2]?.cancelInfo, fee);
      });

      test('replaces a timeslot by id and returns it as stored', async (store) => {
        await seed(store);
        const slot = aTimeslot();
        await addSlots(store, slot);
        assert.deepEqual(await store.getTimeslot(slot.id), slot);
        const moved = aTimeslot({
          id: slot.id,
          startUtcMs: future(2),
          timeTypeId: 'TT2',
          careTypeId: 'CT2',
          performer: 'SE2321000016-P002',
          resourceId: 'R2',
        });
        await addSlots(store, moved);
        assert.deepEqual(await store.getTimeslot(slot.id), moved);
        assert.equal(await store.getTimeslot('no-such-slot'), undefined);
      });

      test('refuses calendar data that names a facility or time type not stored, with NotFoundError', async (store) => {
        await seed(store);
        await assert.rejects(
          store.transaction((tx) => tx.upsertTimeslot(aTimeslot({ timeTypeId: 'NOPE' }))),
          NotFoundError,
        );
        await assert.rejects(
          store.transaction((tx) =>
            tx.upsertTimeType(aTimeType({ facility: 'SE2321000016-NONE' })),
          ),
          NotFoundError,
        );
        assert.equal((await store.stats()).timeslots, 0);
      });
    });

    void describe('findFreeTimeslots', () => {
      test('returns free slots in start order with the names of facility, time type, care type, performer and resource', async (store) => {
        await seed(store);
        const later = aTimeslot({
          startUtcMs: future(2),
          careTypeId: 'CT1',
          performer: 'SE2321000016-P001',
          resourceId: 'R1',
        });
        const earlier = aTimeslot({ startUtcMs: future(1), timeTypeId: 'TT2' });
        await addSlots(store, later, earlier);
        const free = await store.findFreeTimeslots({
          facilities: [FACILITY],
          fromUtcMs: Date.now(),
          toUtcMs: future(30),
        });
        assert.deepEqual(free, [
          { ...earlier, facilityName: 'Vårdcentralen Ekbacken', timeTypeName: 'Provtagning' },
          {
            ...later,
            facilityName: 'Vårdcentralen Ekbacken',
            timeTypeName: 'Läkarbesök',
            careTypeName: 'Allmänmedicin',
            performerName: 'Dr Anna Ek',
            resourceName: 'Rum 1',
          },
        ]);
      });

      test('leaves out slots that have an active booking', async (store) => {
        await seed(store);
        const booked = aTimeslot({ startUtcMs: future(1) });
        const free = aTimeslot({ startUtcMs: future(1, 1) });
        await addSlots(store, booked, free);
        await book(store, aBookingOn(booked));
        assert.deepEqual(await freeIds(store), [free.id]);
      });

      test('leaves out slots that start before fromUtcMs or at or after toUtcMs', async (store) => {
        await seed(store);
        const from = future(2);
        const to = future(4);
        const before = aTimeslot({ startUtcMs: from - MINUTE });
        const atFrom = aTimeslot({ startUtcMs: from });
        const inside = aTimeslot({ startUtcMs: future(3) });
        const atTo = aTimeslot({ startUtcMs: to });
        const past = aTimeslot({ startUtcMs: Date.now() - DAY });
        await addSlots(store, before, atFrom, inside, atTo, past);
        assert.deepEqual(await freeIds(store, { fromUtcMs: from, toUtcMs: to }), [
          atFrom.id,
          inside.id,
        ]);
        assert.deepEqual(
          await freeIds(store, { fromUtcMs: Date.now() }),
          [before.id, atFrom.id, inside.id, atTo.id],
          'a slot in the past is never free',
        );
      });

      test('filters by time types, care type, performers and resource', async (store) => {
        await seed(store);
        const plain = aTimeslot({ startUtcMs: future(1) });
        const other = aTimeslot({
          startUtcMs: future(1, 1),
          timeTypeId: 'TT2',
          careTypeId: 'CT2',
          performer: 'SE2321000016-P002',
          resourceId: 'R2',
        });
        const full = aTimeslot({
          startUtcMs: future(1, 2),
          careTypeId: 'CT1',
          performer: 'SE2321000016-P001',
          resourceId: 'R1',
        });
        await addSlots(store, plain, other, full);
        assert.deepEqual(await freeIds(store), [plain.id, other.id, full.id], 'no filter');
        assert.deepEqual(await freeIds(store, { timeTypeIds: ['TT2'] }), [other.id]);
        assert.deepEqual(await freeIds(store, { timeTypeIds: ['TT1', 'TT2'] }), [
          plain.id,
          other.id,
          full.id,
        ]);
        assert.deepEqual(await freeIds(store, { careTypeId: 'CT1' }), [full.id]);
        assert.deepEqual(await freeIds(store, { performers: ['SE2321000016-P002'] }), [other.id]);
        assert.deepEqual(
          await freeIds(store, { performers: ['SE2321000016-P001', 'SE2321000016-P002'] }),
          [other.id, full.id],
        );
        assert.deepEqual(await freeIds(store, { resourceId: 'R1' }), [full.id]);
        assert.deepEqual(
          await freeIds(store, { timeTypeIds: ['TT1'], careTypeId: 'CT2' }),
          [],
          'filters combine',
        );
      });

      test('matches performers in any case', async (store) => {
        await seed(store);
        const slot = aTimeslot({ performer: 'SE2321000016-P001' });
        await addSlots(store, slot);
        assert.deepEqual(await freeIds(store, { performers: ['se2321000016-p001'] }), [slot.id]);
      });

      test('merges the slots of several performers in start order, each once, cut at the limit', async (store) => {
        await seed(store);
        const p1 = 'SE2321000016-P001';
        const p2 = 'SE2321000016-P002';
        const slots = [
          aTimeslot({ startUtcMs: future(1), performer: p2 }),
          aTimeslot({ startUtcMs: future(1, 1), performer: p1 }),
          aTimeslot({ startUtcMs: future(1, 2), performer: p2 }),
          aTimeslot({ startUtcMs: future(1, 3), performer: p1 }),
          aTimeslot({ startUtcMs: future(1, 4) }), // no performer: never matches a named one
        ];
        await addSlots(store, ...slots);
        const named = slots.slice(0, 4).map((s) => s.id);
        assert.deepEqual(await freeIds(store, { performers: [p1, p2, p1.toLowerCase()] }), named);
        assert.deepEqual(
          await freeIds(store, { performers: [p2, p1], limit: 3 }),
          named.slice(0, 3),
        );
        assert.deepEqual(
          await freeIds(store, { performers: [] }),
          [],
          'an empty list names no one',
        );
      });

      test('searches several facilities named in any case and merges their slots in start order', async (store) => {
        await seed(store);
        const a1 = aTimeslot({ startUtcMs: future(1) });
        const b1 = aTimeslot({ facility: OTHER_FACILITY, startUtcMs: future(1, 1) });
        const a2 = aTimeslot({ startUtcMs: future(1, 2) });
        const b2 = aTimeslot({ facility: OTHER_FACILITY, startUtcMs: future(1, 3) });
        await addSlots(store, a1, b1, a2, b2);
        assert.deepEqual(
          await freeIds(store, { facilities: [FACILITY.toLowerCase(), OTHER_FACILITY] }),
          [a1.id, b1.id, a2.id, b2.id],
        );
        assert.deepEqual(
          await freeIds(store, { facilities: [OTHER_FACILITY], limit: 1 }),
          [b1.id],
          'only the facilities asked for',
        );
        assert.deepEqual(
          await freeIds(store, { facilities: [FACILITY, FACILITY.toLowerCase()] }),
          [a1.id, a2.id],
          'a facility named twice gives its slots once',
        );
        assert.deepEqual(await freeIds(store, { facilities: [] }), []);
      });

      test('stops at the limit, keeping the earliest slots across facilities', async (store) => {
        await seed(store);
        const slots = Array.from({ length: 10 }, (_, i) =>
          aTimeslot({
            facility: i % 2 === 0 ? FACILITY : OTHER_FACILITY,
            startUtcMs: future(1, 9 - i),
          }),
        );
        await addSlots(store, ...slots);
        const expected = slots
          .slice()
          .reverse()
          .map((s) => s.id);
        assert.deepEqual(
          await freeIds(store, { facilities: [FACILITY, OTHER_FACILITY], limit: 3 }),
          expected.slice(0, 3),
        );
        assert.deepEqual(
          await freeIds(store, { facilities: [FACILITY, OTHER_FACILITY] }),
          expected,
          'no limit returns all',
        );
      });

      test('orders slots that start at the same instant by id', async (store) => {
        await seed(store);
        const start = future(1);
        const slots = ['c', 'a', 'b'].map((id) =>
          aTimeslot({ id: `same-${id}`, startUtcMs: start }),
        );
        const otherFacility = aTimeslot({
          id: 'same-0',
          facility: OTHER_FACILITY,
          startUtcMs: start,
        });
        await addSlots(store, ...slots, otherFacility);
        assert.deepEqual(await freeIds(store), ['same-a', 'same-b', 'same-c']);
        assert.deepEqual(await freeIds(store, { facilities: [FACILITY, OTHER_FACILITY] }), [
          'same-0',
          'same-a',
          'same-b',
          'same-c',
        ]);
      });
    });

    void describe('bookings', () => {
      test('claims a slot with insertBooking; a second booking of it throws TimeslotTakenError and one active booking remains', async (store) => {
        await seed(store);
        const slot = aTimeslot();
        await addSlots(store, slot);
        const first = await book(store, aBookingOn(slot));
        const second = aBookingOn(slot, { subjectOfCare: OTHER_PATIENT });
        await assert.rejects(
          store.transaction((tx) => tx.insertBooking(second)),
          (error) => {
            assert.ok(error instanceof TimeslotTakenError);
            assert.equal(error.slotId, slot.id);
            return true;
          },
        );
        assert.equal((await store.findActiveBookingOnSlot(slot.id))?.id, first.id);
        assert.equal(await store.getBooking(second.id), undefined);
        assert.equal((await store.listActiveBookings(FACILITY)).length, 1);
        assert.equal((await store.stats()).activeBookings, 1);
      });

      test('lets exactly one of 100 concurrent transactions claim a slot and refuses the other 99 with TimeslotTakenError', async (store) => {
        await seed(store);
        const slot = aTimeslot();
        await addSlots(store, slot);
        const attempts = Array.from({ length: 100 }, () => aBookingOn(slot));
        const results = await Promise.allSettled(
          attempts.map((booking) =>
            store.transaction(async (tx) => {
              await tx.getTimeslot(slot.id);
              await tx.insertBooking(booking);
              return booking.id;
            }),
          ),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        assert.equal(won.length, 1);
        assert.equal(lost.length, 99);
        for (const r of lost) assert.ok(r.reason instanceof TimeslotTakenError, String(r.reason));
        const active = await store.listActiveBookings(FACILITY);
        assert.deepEqual(
          active.map((b) => b.id),
          [won[0]!.value],
        );
        assert.equal((await store.stats()).activeBookings, 1);
      });

      test('refuses a booking of a slot that does not exist with NotFoundError', async (store) => {
        await seed(store);
        const booking = aBookingOn(aTimeslot());
        await assert.rejects(
          store.transaction((tx) => tx.insertBooking(booking)),
          NotFoundError,
        );
        assert.equal(await store.getBooking(booking.id), undefined);
      });

      test('refuses a booking at a facility that does not exist with NotFoundError', async (store) => {
        await seed(store);
        const booking = anOpenInvitation({ facility: 'SE2321000016-NONE' });
        await assert.rejects(
          store.transaction((tx) => tx.insertBooking(booking)),
          NotFoundError,
        );
      });

      test('refuses a booking whose id is already in use with AlreadyExistsError', async (store) => {
        await seed(store);
        const [first, second] = [aTimeslot(), aTimeslot({ startUtcMs: future(2) })];
        await addSlots(store, first!, second!);
        const booking = await book(store, aBookingOn(first!));
        await assert.rejects(
          store.transaction((tx) => tx.insertBooking(aBookingOn(second!, { id: booking.id }))),
          AlreadyExistsError,
        );
        assert.equal((await store.getBooking(booking.id))?.slotId, first!.id);
        assert.equal(await store.findActiveBookingOnSlot(second!.id), undefined);
      });

      test('stores an open invitation without a slot and returns it unchanged', async (store) => {
        await seed(store);
        const invitation = await book(store, anOpenInvitation());
        assert.deepEqual(await store.getBooking(invitation.id), invitation);
        assert.deepEqual(
          (await store.listActiveBookings(FACILITY)).map((b) => b.id),
          [invitation.id],
        );
      });

      test('returns a booking with every field exactly as it was stored', async (store) => {
        await seed(store);
        const slot = aTimeslot({
          careTypeId: 'CT1',
          performer: 'SE2321000016-P001',
          resourceId: 'R1',
        });
        await addSlots(store, slot);
        const booking = aBookingOn(slot, {
          patient: {
            firstName: 'Tolvan',
            middleName: 'Mellan',
            lastName: 'Tolvansson',
            phone: '0701234567',
            email: 'tolvan@example.se',
            address: 'Storgatan 1, 111 22 Stockholm',
            coaddress: 'c/o Elva',
          },
          isInvitation: true,
          purpose: '&lt;para&gt;Kontroll&lt;/para&gt;',
          reason: 'Ont i knät',
          notification: 'sms',
          expiresOn: '20991231',
          createdAt: 1_700_000_000_000,
          updatedAt: 1_700_000_000_001,
          version: 3,
        });
        await book(store, booking);
        assert.deepEqual(await store.getBooking(booking.id), booking);
        assert.equal(await store.getBooking('no-such-booking'), undefined);
      });

      test('refuses an update at a stale version with ConcurrentUpdateError and changes nothing', async (store) => {
        await seed(store);
        const slot = aTimeslot();
        await addSlots(store, slot);
        const booking = await book(store, aBookingOn(slot));
        const firstChange = nextVersion(booking, { reason: 'first' });
        await store.transaction((tx) => tx.updateBooking(firstChange, booking.version));
        const staleChange = nextVersion(booking, { status: 'cancelled', reason: 'stale' });
        await assert.rejects(
          store.transaction((tx) => tx.updateBooking(staleChange, booking.version)),
          (error) => error instanceof ConcurrentUpdateError && error.bookingId === booking.id,
        );
        assert.deepEqual(await store.getBooking(booking.id), firstChange);
      });

      test('refuses an update whose new state does not carry the next version, with RangeError', async (store) => {
        await seed(store);
        const booking = await book(store, anOpenInvitation());
        await assert.rejects(
          store.transaction((tx) =>
            tx.updateBooking(
              { ...booking, reason: 'x', version: booking.version },
              booking.version,
            ),
          ),
          RangeError,
        );
        assert.deepEqual(await store.getBooking(booking.id), booking);
      });

      test('refuses an update of a booking that does not exist with NotFoundError', async (store) => {
        await seed(store);
        const ghost = anOpenInvitation();
        await assert.rejects(
          store.transaction((tx) => tx.updateBooking(nextVersion(ghost), ghost.version)),
          NotFoundError,
        );
      });

      test('moves a booking to another slot, freeing the old slot and claiming the new one in one update', async (store) => {
        await seed(store);
        const from = aTimeslot({ startUtcMs: future(1) });
        const to = aTimeslot({ startUtcMs: future(2) });
        await addSlots(store, from, to);
        const booking = await book(store, aBookingOn(from));
        const moved = nextVersion(booking, { slotId: to.id, start: to.start, end: to.end });
        await store.transaction((tx) => tx.updateBooking(moved, booking.version));
        assert.deepEqual(await store.getBooking(booking.id), moved);
        assert.equal(await store.findActiveBookingOnSlot(from.id), undefined);
        assert.equal((await store.findActiveBookingOnSlot(to.id))?.id, booking.id);
        assert.deepEqual(await freeIds(store), [from.id]);
        await book(store, aBookingOn(from, { subjectOfCare: OTHER_PATIENT }));
        assert.deepEqual(await freeIds(store), [], 'the freed slot can be claimed again');
      });

      test('refuses a move onto a taken slot with TimeslotTakenError and leaves the booking where it was', async (store) => {
        await seed(store);
        const mine = aTimeslot({ startUtcMs: future(1) });
        const theirs = aTimeslot({ startUtcMs: future(2) });
        await addSlots(store, mine, theirs);
        const booking = await book(store, aBookingOn(mine));
        const other = await book(store, aBookingOn(theirs, { subjectOfCare: OTHER_PATIENT }));
        const moved = nextVersion(booking, {
          slotId: theirs.id,
          start: theirs.start,
          end: theirs.end,
        });
        await assert.rejects(
          store.transaction((tx) => tx.updateBooking(moved, booking.version)),
          TimeslotTakenError,
        );
        assert.deepEqual(await store.getBooking(booking.id), booking);
        assert.equal((await store.findActiveBookingOnSlot(mine.id))?.id, booking.id);
        assert.equal((await store.findActiveBookingOnSlot(theirs.id))?.id, other.id);
      });

      test('refuses a move onto a slot that does not exist with NotFoundError', async (store) => {
        await seed(store);
        const slot = aTimeslot();
        await addSlots(store, slot);
        const booking = await book(store, aBookingOn(slot));
        await assert.rejects(
          store.transaction((tx) =>
            tx.updateBooking(nextVersion(booking, { slotId: 'no-such-slot' }), booking.version),
          ),
          NotFoundError,
        );
        assert.deepEqual(await store.getBooking(booking.id), booking);
      });

      test('frees the slot when a booking is cancelled, so another patient can claim it', async (store) => {
        await seed(store);
        const slot = aTimeslot();
        await addSlots(store, slot);
        const booking = await book(store, aBookingOn(slot));
        const cancelled = nextVersion(booking, {
          status: 'cancelled',
          cancelMessage: 'Vi ringer upp',
        });
        await store.transaction((tx) => tx.updateBooking(cancelled, booking.version));
        assert.equal(await store.findActiveBookingOnSlot(slot.id), undefined);
        assert.deepEqual(await freeIds(store), [slot.id]);
        const next = await book(store, aBookingOn(slot, { subjectOfCare: OTHER_PATIENT }));
        assert.equal((await store.findActiveBookingOnSlot(slot.id))?.id, next.id);
        assert.deepEqual(
          await store.getBooking(booking.id),
          cancelled,
          'the cancelled booking stays readable with its slot',
        );
      });

      test('refuses to reactivate a cancelled booking whose slot was claimed meanwhile', async (store) => {
        await seed(store);
        const slot = aTimeslot();
        await addSlots(store, slot);
        const booking = await book(store, aBookingOn(slot));
        const cancelled = nextVersion(booking, { status: 'cancelled' });
        await store.transaction((tx) => tx.updateBooking(cancelled, booking.version));
        await book(store, aBookingOn(slot, { subjectOfCare: OTHER_PATIENT }));
        await assert.rejects(
          store.transaction((tx) =>
            tx.updateBooking(nextVersion(cancelled, { status: 'active' }), cancelled.version),
          ),
          TimeslotTakenError,
        );
        assert.equal((await store.getBooking(booking.id))?.status, 'cancelled');
      });

      test("lists a patient's active bookings at a facility by start, open invitations last", async (store) => {
        await seed(store);
        const early = aTimeslot({ startUtcMs: future(1) });
        const late = aTimeslot({ startUtcMs: future(5) });
        const cancelledSlot = aTimeslot({ startUtcMs: future(3) });
        const elsewhere = aTimeslot({ facility: OTHER_FACILITY, startUtcMs: future(2) });
        const othersSlot = aTimeslot({ startUtcMs: future(4) });
        await addSlots(store, early, late, cancelledSlot, elsewhere, othersSlot);
        const open = await book(store, anOpenInvitation());
        const lateBooking = await book(store, aBookingOn(late));
        const earlyBooking = await book(store, aBookingOn(early));
        const toCancel = await book(store, aBookingOn(cancelledSlot));
        await store.transaction((tx) =>
          tx.updateBooking(nextVersion(toCancel, { status: 'cancelled' }), toCancel.version),
        );
        await book(store, aBookingOn(elsewhere));
        await book(store, aBookingOn(othersSlot, { subjectOfCare: OTHER_PATIENT }));
        const mine = await store.listActiveBookingsOfSubject(FACILITY.toLowerCase(), PATIENT);
        assert.deepEqual(
          mine.map((b) => b.id),
          [earlyBooking.id, lateBooking.id, open.id],
        );
        assert.deepEqual(await store.listActiveBookingsOfSubject(FACILITY, '200001012384'), []);
      });

      test("lists a patient's schedule: timed bookings by start, with only what a consumer is shown", async (store) => {
        await seed(store);
        const early = aTimeslot({ startUtcMs: future(1) });
        const late = aTimeslot({ startUtcMs: future(5) });
        const invited = aTimeslot({ startUtcMs: future(3) });
        const cancelledSlot = aTimeslot({ startUtcMs: future(2) });
        const elsewhere = aTimeslot({ facility: OTHER_FACILITY, startUtcMs: future(2) });
        await addSlots(store, early, late, invited, cancelledSlot, elsewhere);
        await book(store, anOpenInvitation());
        const lateBooking = await book(
          store,
          aBookingOn(late, {
            reason: 'Ont i knät',
            notification: 'SMS',
            purpose: 'Ta med glasögon',
          }),
        );
        const earlyBooking = await book(store, aBookingOn(early));
        const timedInvitation = await book(
          store,
          aBookingOn(invited, { isInvitation: true, purpose: 'Årlig kontroll' }),
        );
        const toCancel = await book(store, aBookingOn(cancelledSlot));
        await store.transaction((tx) =>
          tx.updateBooking(nextVersion(toCancel, { status: 'cancelled' }), toCancel.version),
        );
        await book(store, aBookingOn(elsewhere));

        const schedule = await store.listScheduleOfSubject(FACILITY.toLowerCase(), PATIENT);
        const shownFields = [
          'id',
          'facility',
          'subjectOfCare',
          'isInvitation',
          'slotId',
          'start',
          'end',
          'timeTypeId',
          'careTypeId',
          'performer',
          'resourceId',
          'purpose',
          'reason',
        ] as const;
        const shown = (b: Booking) =>
          Object.fromEntries(shownFields.filter((k) => b[k] !== undefined).map((k) => [k, b[k]]));
        // No patient details, notification wish, status or audit trail: a schedule does not show them.
        assert.deepEqual(schedule, [earlyBooking, timedInvitation, lateBooking].map(shown));
        assert.deepEqual(await store.listScheduleOfSubject(FACILITY, OTHER_PATIENT), []);
      });

      test('answers reference data through a view at the calendar version it read first, and a new view after a write sees the change', async (store) => {
        await seed(store);
        const before = store.view();
        const names = async (view: CalendarView) =>
          (await view.listTimeTypes(FACILITY)).map((t) => t.name).join(',');
        const facilityName = async (view: CalendarView) =>
          (await view.getFacility(FACILITY.toLowerCase()))?.name;
        assert.equal(await names(before), 'Läkarbesök,Provtagning');
        const versionBefore = await before.calendarVersion?.();
        await store.transaction(async (tx) => {
          await tx.upsertTimeType(aTimeType({ name: 'Läkarbesök 30 min' }));
          await tx.upsertFacility(
            aFacility({ name: 'Vårdcentralen Almen', partnerFacilities: [OTHER_FACILITY] }),
          );
        });
        // The old view keeps the version it read; the store and a new view read the new one.
        assert.equal(await before.calendarVersion?.(), versionBefore);
        assert.notEqual(await store.calendarVersion?.(), versionBefore);
        const after = store.view();
        assert.equal(await names(after), 'Läkarbesök 30 min,Provtagning');
        assert.equal(await facilityName(after), 'Vårdcentralen Almen');
        assert.equal(
          (await store.listTimeTypes(FACILITY)).map((t) => t.name).join(','),
          'Läkarbesök 30 min,Provtagning',
        );
        assert.equal((await store.getFacility(FACILITY))?.name, 'Vårdcentralen Almen');
        // Reads other than reference data always go to the database.
        const slot = aTimeslot({ startUtcMs: future(1) });
        await addSlots(store, slot);
        assert.equal((await after.getTimeslot(slot.id))?.id, slot.id);
      });

      test('knows whether a patient ever had a booking at a facility, cancelled ones included', async (store) => {
        await seed(store);
        const booking = await book(store, anOpenInvitation());
        await store.transaction((tx) =>
          tx.updateBooking(nextVersion(booking, { status: 'cancelled' }), booking.version),
        );
        assert.equal(await store.hasBookingHistory(FACILITY, PATIENT), true);
        assert.equal(await store.hasBookingHistory(FACILITY.toLowerCase(), PATIENT), true);
        assert.equal(await store.hasBookingHistory(FACILITY, OTHER_PATIENT), false);
        assert.equal(await store.hasBookingHistory(OTHER_FACILITY, PATIENT), false);
      });

      test('answers booking history through a view at the calendar version it read, and a new view after a booking sees it', async (store) => {
        await seed(store);
        const before = store.view();
        assert.equal(await before.hasBookingHistory(FACILITY, PATIENT), false);
        await book(store, anOpenInvitation());
        const after = store.view();
        assert.equal(await after.hasBookingHistory(FACILITY, PATIENT), true);
        assert.equal(await after.hasBookingHistory(FACILITY.toLowerCase(), PATIENT), true);
        assert.equal(await after.hasBookingHistory(FACILITY, OTHER_PATIENT), false);
      });

      test('lists the active bookings of a facility by id, leaving out cancelled ones and other facilities', async (store) => {
        await seed(store);
        const slots = [aTimeslot(), aTimeslot(), aTimeslot({ facility: OTHER_FACILITY })];
        await addSlots(store, ...slots);
        await book(store, aBookingOn(slots[0]!, { id: 'b-2' }));
        await book(store, anOpenInvitation({ id: 'b-1' }));
        const cancelled = await book(store, aBookingOn(slots[1]!, { id: 'b-0' }));
        await store.transaction((tx) =>
          tx.updateBooking(nextVersion(cancelled, { status: 'cancelled' }), cancelled.version),
        );
        await book(store, aBookingOn(slots[2]!, { id: 'b-3' }));
        assert.deepEqual(
          (await store.listActiveBookings(FACILITY.toLowerCase())).map((b) => b.id),
          ['b-1', 'b-2'],
        );
      });

      test('finds the active booking on a slot and ignores cancelled ones', async (store) => {
        await seed(store);
        const slot = aTimeslot();
        await addSlots(store, slot);
        assert.equal(await store.findActiveBookingOnSlot(slot.id), undefined);
        const booking = await book(store, aBookingOn(slot));
        assert.deepEqual(await store.findActiveBookingOnSlot(slot.id), booking);
        await store.transaction((tx) =>
          tx.updateBooking(nextVersion(booking, { status: 'cancelled' }), booking.version),
        );
        assert.equal(await store.findActiveBookingOnSlot(slot.id), undefined);
      });

      test('finds timeslots by local start and end at a facility, booked or not', async (store) => {
        await seed(store);
        const start = future(1);
        const free = aTimeslot({ startUtcMs: start });
        const booked = aTimeslot({ startUtcMs: start, performer: 'SE2321000016-P002' });
        const longer = aTimeslot({ startUtcMs: start, end: at(start + 30 * MINUTE) });
        const elsewhere = aTimeslot({ facility: OTHER_FACILITY, startUtcMs: start });
        await addSlots(store, free, booked, longer, elsewhere);
        await book(store, aBookingOn(booked));
        const found = await store.findTimeslotsAt(
          FACILITY.toLowerCase(),
          free.start.ts,
          free.end.ts,
        );
        assert.deepEqual(found.map((s) => s.id).sort(), [free.id, booked.id].sort());
        assert.deepEqual(await store.findTimeslotsAt(FACILITY, free.end.ts, free.end.ts), []);
      });
    });

    void describe('transactions and the outbox', () => {
      test('lets a running transaction finish on close, then refuses new calls', async (store) => {
        await seed(store);
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let markStarted!: () => void;
        const started = new Promise<void>((resolve) => (markStarted = resolve));
        const running = store.transaction(async (tx) => {
          markStarted();
          await held;
          return (await tx.getFacility(FACILITY))?.hsaId;
        });
        await started;
        const closing = store.close();
        release();
        await assert.rejects(store.getFacility(FACILITY), /closed/);
        await assert.rejects(store.stats(), /closed/);
        await assert.rejects(
          store.transaction(async () => undefined),
          /closed/,
        );
        assert.equal(await running, FACILITY, 'the running transaction finished');
        await closing;
      });

      test('commits a booking and its outbox messages together and returns what the callback returned', async (store) => {
        await seed(store);
        const slot = aTimeslot();
        await addSlots(store, slot);
        const booking = aBookingOn(slot);
        const result = await store.transaction(async (tx) => {
          await tx.insertBooking(booking);
          await tx.appendOutbox([
            { channel: 'engagement-index', key: booking.id, payload: { op: 'add' } },
          ]);
          return 'done';
        });
        assert.equal(result, 'done');
        assert.deepEqual(await store.getBooking(booking.id), booking);
        assert.equal((await store.listOutbox()).length, 1);
      });

      test('rolls back the booking and its outbox messages when the callback throws, and rethrows its error', async (store) => {
        await seed(store);
        const slot = aTimeslot();
        await addSlots(store, slot);
        const booking = aBookingOn(slot);
        const failure = new Error('EI message could not be built');
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.insertBooking(booking);
            await tx.appendOutbox([
              { channel: 'engagement-index', key: booking.id, payload: { op: 'add' } },
            ]);
            throw failure;
          }),
          (error) => error === failure,
        );
        assert.equal(await store.getBooking(booking.id), undefined);
        assert.equal(await store.findActiveBookingOnSlot(slot.id), undefined);
        assert.deepEqual(await store.listOutbox(), []);
        assert.deepEqual(await store.stats(), {
          facilities: 2,
          timeslots: 1,
          activeBookings: 0,
          outbox: 0,
        });
      });

      test('keeps outbox messages in append order across transactions, with payload, key and not-before', async (store) => {
        const notBefore = future(0, 1);
        const before = Date.now();
        await store.transaction((tx) =>
          tx.appendOutbox([
            { channel: 'engagement-index', key: 'k1', payload: { n: 1, text: 'Åsa' } },
            { channel: 'webhook', key: 'k2', payload: [1, 2], notBeforeUtcMs: notBefore },
          ]),
        );
        await store.transaction(async (tx) => {
          await tx.appendOutbox([{ channel: 'engagement-index', key: 'k1', payload: 'third' }]);
          await tx.appendOutbox([{ channel: 'engagement-index', key: 'k2', payload: null }]);
        });
        const after = Date.now();
        const messages = await store.listOutbox();
        assert.deepEqual(
          messages.map((m) => [m.channel, m.key, m.payload]),
          [
            ['engagement-index', 'k1', { n: 1, text: 'Åsa' }],
            ['webhook', 'k2', [1, 2]],
            ['engagement-index', 'k1', 'third'],
            ['engagement-index', 'k2', null],
          ],
        );
        const ids = messages.map((m) => m.id);
        assert.deepEqual(
          ids,
          [...ids].sort((a, b) => a - b),
          'ids grow in append order',
        );
        assert.equal(new Set(ids).size, 4);
        assert.equal(messages[1]?.notBeforeUtcMs, notBefore);
        for (const m of messages) {
          assert.ok(m.createdAtUtcMs >= before && m.createdAtUtcMs <= after, 'created now');
          if (m !== messages[1]) assert.equal(m.notBeforeUtcMs, m.createdAtUtcMs);
        }
      });

      test('lists outbox messages after a given id, up to a limit', async (store) => {
        await store.transaction((tx) =>
          tx.appendOutbox(
            ['a', 'b', 'c', 'd'].map((key) => ({ channel: 'engagement-index', key, payload: key })),
          ),
        );
        const all = await store.listOutbox();
        const page = await store.listOutbox({ afterId: all[0]!.id, limit: 2 });
        assert.deepEqual(
          page.map((m) => m.key),
          ['b', 'c'],
        );
        assert.deepEqual(await store.listOutbox({ afterId: all[3]!.id }), []);
      });

      test('keeps a transaction usable after one of its writes fails, and that write changes nothing', async (store) => {
        await seed(store);
        const slot = aTimeslot();
        await addSlots(store, slot);
        const first = aBookingOn(slot);
        const second = aBookingOn(slot, { subjectOfCare: OTHER_PATIENT });
        await store.transaction(async (tx) => {
          await tx.insertBooking(first);
          await assert.rejects(tx.insertBooking(second), TimeslotTakenError);
          await tx.appendOutbox([{ channel: 'engagement-index', key: first.id, payload: 1 }]);
        });
        assert.deepEqual(await store.getBooking(first.id), first);
        assert.equal(await store.getBooking(second.id), undefined);
        assert.equal((await store.listOutbox()).length, 1);
      });

      test('shows a transaction its own writes before it commits', async (store) => {
        await seed(store);
        const slot = aTimeslot();
        await addSlots(store, slot);
        const booking = aBookingOn(slot);
        await store.transaction(async (tx) => {
          await tx.insertBooking(booking);
          assert.deepEqual(await tx.getBooking(booking.id), booking);
          assert.deepEqual(
            await tx.findFreeTimeslots({
              facilities: [FACILITY],
              fromUtcMs: Date.now(),
              toUtcMs: future(30),
            }),
            [],
          );
        });
      });

      test("never shows a reader another transaction's uncommitted writes", async (store) => {
        await seed(store);
        const slot = aTimeslot();
        await addSlots(store, slot);
        const booking = aBookingOn(slot);
        let markInserted!: () => void;
        const inserted = new Promise<void>((resolve) => (markInserted = resolve));
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        const writer = store.transaction(async (tx) => {
          await tx.insertBooking(booking);
          markInserted();
          await released;
          throw new Error('changed my mind');
        });
        await inserted;
        const read = store.getBooking(booking.id);
        release();
        await assert.rejects(writer, /changed my mind/);
        assert.equal(await read, undefined);
        assert.equal(await store.getBooking(booking.id), undefined);
      });

      test('refuses use of a tx after its transaction has ended, with TransactionMisuseError', async (store) => {
        await seed(store);
        let committed: StoreTx | undefined;
        await store.transaction(async (tx) => {
          committed = tx;
        });
        let rolledBack: StoreTx | undefined;
        await assert.rejects(
          store.transaction(async (tx) => {
            rolledBack = tx;
            throw new Error('abort');
          }),
          /abort/,
        );
        for (const tx of [committed!, rolledBack!]) {
          await assert.rejects(tx.getFacility(FACILITY), TransactionMisuseError);
          await assert.rejects(tx.insertBooking(anOpenInvitation()), TransactionMisuseError);
          await assert.rejects(
            tx.appendOutbox([{ channel: 'c', key: 'k', payload: 1 }]),
            TransactionMisuseError,
          );
        }
        assert.deepEqual((await store.stats()).activeBookings, 0);
        assert.deepEqual(await store.listOutbox(), []);
      });

      test('refuses a nested transaction with TransactionMisuseError', async (store) => {
        await seed(store);
        const invitation = anOpenInvitation();
        await store.transaction(async (tx) => {
          await tx.insertBooking(invitation);
          await assert.rejects(
            store.transaction(async () => 'nested'),
            TransactionMisuseError,
          );
        });
        assert.deepEqual(
          await store.getBooking(invitation.id),
          invitation,
          'the outer transaction still commits',
        );
      });

      test('refuses calls on the store itself from inside a transaction callback, with TransactionMisuseError', async (store) => {
        await seed(store);
        await store.transaction(async () => {
          await assert.rejects(store.getFacility(FACILITY), TransactionMisuseError);
          await assert.rejects(store.stats(), TransactionMisuseError);
          await assert.rejects(store.listOutbox(), TransactionMisuseError);
        });
        assert.equal((await store.getFacility(FACILITY))?.hsaId, FACILITY);
      });
    });

    void describe('local time', () => {
      test('stores two slots with the same local start in the repeated autumn hour and tells them apart by instant', async (store) => {
        await seed(store);
        const startTs = `${nextAutumnChangeDay()}023000`;
        const instants = tsToInstants(startTs);
        assert.equal(instants.length, 2, `${startTs} happens twice`);
        const [summer, winter] = instants as [number, number];
        const endTs = instantToTs(summer + 15 * MINUTE);
        assert.equal(instantToTs(winter + 15 * MINUTE), endTs);
        const first = aTimeslot({ id: 'dst-b', startUtcMs: summer });
        const second = aTimeslot({ id: 'dst-a', startUtcMs: winter });
        assert.equal(first.start.ts, second.start.ts);
        await addSlots(store, first, second);
        assert.deepEqual(await store.findTimeslotsAt(FACILITY, startTs, endTs), [first, second]);
        const free = await store.findFreeTimeslots({
          facilities: [FACILITY],
          fromUtcMs: summer - DAY,
          toUtcMs: winter + DAY,
        });
        assert.deepEqual(
          free.map((s) => [s.id, s.start.utcMs]),
          [
            ['dst-b', summer],
            ['dst-a', winter],
          ],
          'ordered by instant, not by local text or id',
        );
        await book(store, aBookingOn(first));
        assert.deepEqual(await freeIds(store, { fromUtcMs: summer - DAY, toUtcMs: winter + DAY }), [
          'dst-a',
        ]);
      });
    });

    void describe('housekeeping marks', () => {
      test('lists ended bookings and expired open invitations, in id order, until marked', async (store) => {
        await seed(store);
        const now = Date.now();
        const [past, later, otherUnit] = [
          aTimeslot({ startUtcMs: now - 2 * DAY }),
          aTimeslot({ startUtcMs: now + DAY }),
          aTimeslot({ facility: OTHER_FACILITY, startUtcMs: now - DAY }),
        ];
        await addSlots(store, past!, later!, otherUnit!);
        const ended = await book(store, aBookingOn(past!, { id: 'e-2' }));
        await book(store, aBookingOn(later!, { id: 'e-9' }));
        const endedElsewhere = await book(store, aBookingOn(otherUnit!, { id: 'e-3' }));
        const expired = await book(store, anOpenInvitation({ id: 'e-1', expiresOn: '20200101' }));
        await book(store, anOpenInvitation({ id: 'e-8', expiresOn: '20991231' }));
        await book(store, anOpenInvitation({ id: 'e-7', expiresOn: undefined }));
        const query = { endedBeforeUtcMs: now, expiresBeforeDt: '20250101', limit: 10 };

        const listed = await store.listExpiring(query);
        assert.deepEqual(
          listed.map((b) => b.id),
          [expired.id, ended.id, endedElsewhere.id],
        );
        assert.deepEqual(listed[1], ended, 'returned as stored');
        assert.deepEqual(
          (await store.listExpiring({ ...query, limit: 2 })).map((b) => b.id),
          [expired.id, ended.id],
        );

        await store.transaction(async (tx) => {
          assert.equal(await tx.markExpired(ended.id, now), true);
          assert.equal(await tx.markExpired(ended.id, now), false, 'marked once only');
          assert.equal(await tx.markExpired('no-such-booking', now), false);
        });
        assert.deepEqual(
          (await store.transaction((tx) => tx.listExpiring(query))).map((b) => b.id),
          [expired.id, endedElsewhere.id],
        );
        assert.deepEqual(
          await store.getBooking(ended.id),
          ended,
          'the booking itself is unchanged',
        );
      });

      test('never lists or marks a cancelled booking, and a rolled-back mark is undone', async (store) => {
        await seed(store);
        const slot = aTimeslot({ startUtcMs: Date.now() - DAY });
        await addSlots(store, slot);
        const booking = await book(store, aBookingOn(slot));
        const query = { endedBeforeUtcMs: Date.now(), expiresBeforeDt: '20250101', limit: 10 };
        await assert.rejects(
          store.transaction(async (tx) => {
            assert.equal(await tx.markExpired(booking.id, Date.now()), true);
            throw new Error('roll back');
          }),
          /roll back/,
        );
        assert.deepEqual(
          (await store.listExpiring(query)).map((b) => b.id),
          [booking.id],
        );
        await store.transaction((tx) =>
          tx.updateBooking(nextVersion(booking, { status: 'cancelled' }), booking.version),
        );
        assert.deepEqual(await store.listExpiring(query), []);
        assert.equal(
          await store.transaction((tx) => tx.markExpired(booking.id, Date.now())),
          false,
        );
      });
    });

    void describe('patient identifiers', () => {
      test('records one identifier per patient and system', async (store) => {
        const bsn = { system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: '123456782' };
        const other = { system: 'urn:oid:2.16.578.1.12.4.1.4.1', value: '01017012345' };
        assert.deepEqual(await store.listPatientIdentifiers(PATIENT), []);
        await store.transaction(async (tx) => {
          assert.equal(await tx.setPatientIdentifier(PATIENT, bsn), true);
          assert.equal(await tx.setPatientIdentifier(PATIENT, bsn), false, 'unchanged');
          assert.equal(await tx.setPatientIdentifier(PATIENT, other), true);
          assert.deepEqual(await tx.listPatientIdentifiers(PATIENT), [bsn, other]);
        });
        const replaced = { ...bsn, value: '111222333' };
        await store.transaction(async (tx) => {
          assert.equal(await tx.setPatientIdentifier(PATIENT, replaced), true, 'replaced');
          assert.equal(await tx.removePatientIdentifier(PATIENT, other.system), true);
          assert.equal(await tx.removePatientIdentifier(PATIENT, other.system), false);
        });
        assert.deepEqual(await store.listPatientIdentifiers(PATIENT), [replaced]);
        assert.deepEqual(await store.listPatientIdentifiers(OTHER_PATIENT), []);
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.removePatientIdentifier(PATIENT, bsn.system);
            throw new Error('roll back');
          }),
          /roll back/,
        );
        assert.deepEqual(await store.listPatientIdentifiers(PATIENT), [replaced], 'rolled back');
      });
    });

    void describe('stats', () => {
      test('counts facilities, timeslots, active bookings and outbox messages', async (store) => {
        assert.deepEqual(await store.stats(), {
          facilities: 0,
          timeslots: 0,
          activeBookings: 0,
          outbox: 0,
        });
        await seed(store);
        const slots = [aTimeslot(), aTimeslot(), aTimeslot()];
        await addSlots(store, ...slots);
        const cancelled = await book(store, aBookingOn(slots[0]!));
        await store.transaction(async (tx) => {
          await tx.updateBooking(
            nextVersion(cancelled, { status: 'cancelled' }),
            cancelled.version,
          );
          await tx.insertBooking(aBookingOn(slots[1]!));
          await tx.insertBooking(anOpenInvitation());
          await tx.appendOutbox([{ channel: 'engagement-index', key: 'k', payload: {} }]);
        });
        assert.deepEqual(await store.stats(), {
          facilities: 2,
          timeslots: 3,
          activeBookings: 2,
          outbox: 1,
        });
      });
    });
  });
}
