/**
 * No stale offer across instances (issue 18): every instance reuses its
 * availability answers while the PostgreSQL calendar version stays the same,
 * so after MakeBooking or UpdateBooking answered OK on one instance, every
 * other instance must at once stop offering the taken slot and offer the
 * freed one, in GetAvailableTimeslots and GetAvailableDates, and offer a
 * patient's first booking there the time types for returning patients,
 * while searches keep the caches hot on all of them.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { openPostgresStore } from '../../src/store/postgres/postgres-calendar-store.ts';
import type { PostgresCalendarStore } from '../../src/store/postgres/postgres-calendar-store.ts';
import {
  availabilityRequest,
  bookOk,
  moveBooking,
  personnummer,
  searchDates,
  searchTimeslots,
} from '../conformance/consumer.ts';
import { startChild, type RunningChild } from '../support/child-process.ts';
import { describePostgres, freshSchemaUrl } from '../support/postgres.ts';
import { PARTNER, seedTestCalendar, type SeededCalendar } from '../support/test-calendar.ts';

const SEARCHER = personnummer(90);

for (const count of [2, 3]) {
  describePostgres(
    `no stale offer across ${count} instances on one PostgreSQL database`,
    (serverUrl) => {
      let store: PostgresCalendarStore;
      let calendar: SeededCalendar;
      const instances: RunningChild[] = [];
      let urls: string[] = [];
      let loading = true;
      let load: Promise<unknown> = Promise.resolve();

      before(async () => {
        const url = await freshSchemaUrl(serverUrl);
        store = openPostgresStore(url);
        calendar = await seedTestCalendar(store);
        for (let i = 0; i < count; i++)
          instances.push(await startChild('./app-process.ts', { TIDBOK_TEST_STORE_URL: url }));
        urls = instances.map((instance) => instance.firstLine.replace(/^listening /, ''));
        // Load: the same searches, again and again, on every instance (two callers each).
        load = Promise.all(
          [...urls, ...urls].map(async (instanceUrl) => {
            while (loading) {
              await searchTimeslots(instanceUrl, slotSearch());
              await searchDates(instanceUrl, partnerSearch());
            }
          }),
        );
      });
      after(async () => {
        loading = false;
        await load;
        await Promise.all(instances.map((instance) => instance.stop()));
        await store.close();
      });

      const slotSearch = () => availabilityRequest(calendar.days, SEARCHER);
      const partnerSearch = () =>
        availabilityRequest(calendar.days, SEARCHER, { healthcare_facility: PARTNER });
      const offeredIds = async (url: string) =>
        (await searchTimeslots(url, slotSearch())).map((s) => s.bookingId);
      const offeredDates = async (url: string) =>
        (await searchDates(url, partnerSearch())).map((d) => d.date);

      void it('stops offering a slot booked, and offers a slot freed, on every other instance at once', async () => {
        for (let round = 0; round < 2 * count; round++) {
          const writer = round % count;
          const others = urls.filter((_, i) => i !== writer);
          const taken = calendar.doctorSlots[2 * round]!;
          const moveTo = calendar.doctorSlots[2 * round + 1]!;
          // Every instance holds an answer that offers both slots.
          for (const url of urls) {
            const offered = await offeredIds(url);
            assert.ok(offered.includes(taken.id) && offered.includes(moveTo.id), 'both offered');
          }

          const bookingId = await bookOk(urls[writer]!, taken, personnummer(100 + round));
          for (const url of others)
            assert.ok(
              !(await offeredIds(url)).includes(taken.id),
              `round ${round}: taken slot offered`,
            );

          const moved = await moveBooking(
            urls[writer]!,
            bookingId,
            moveTo,
            personnummer(100 + round),
          );
          assert.equal(moved.response?.resultCode, 'OK', moved.response?.resultText);
          for (const url of others) {
            const offered = await offeredIds(url);
            assert.ok(offered.includes(taken.id), `round ${round}: freed slot not offered`);
            assert.ok(!offered.includes(moveTo.id), `round ${round}: new slot still offered`);
          }
        }
      });

      void it('offers the time types for returning patients on every other instance once a first booking there is OK', async () => {
        // Each instance keeps a patient's booking history per calendar version; a first
        // booking bumps the version, so no instance may go on treating the patient as new.
        const patient = personnummer(130);
        const offersFollowUp = async (url: string) => {
          const offered = new Set(
            (await searchTimeslots(url, availabilityRequest(calendar.days, patient))).map(
              (s) => s.bookingId,
            ),
          );
          return calendar.followUpSlots.some((s) => offered.has(s.id));
        };
        for (const url of urls)
          assert.equal(await offersFollowUp(url), false, 'offered to a new patient');
        await bookOk(urls[0]!, calendar.doctorSlots.at(-1)!, patient);
        for (const url of urls.slice(1))
          assert.equal(await offersFollowUp(url), true, 'not offered after the first booking');
      });

      void it('stops offering a day booked full, and offers a day freed, in GetAvailableDates', async () => {
        // The partner unit has one slot a day: booking it takes the day off the dates.
        const [first, second] = calendar.partnerSlots;
        const [firstDay, secondDay] = calendar.days;
        for (const url of urls)
          assert.deepEqual((await offeredDates(url)).sort(), [...calendar.days].sort());
        const patient = personnummer(120);
        const bookingId = await bookOk(urls[0]!, first!, patient);
        for (const url of urls.slice(1))
          assert.ok(!(await offeredDates(url)).includes(firstDay!), 'the booked day is offered');
        const moved = await moveBooking(urls[0]!, bookingId, second!, patient);
        assert.equal(moved.response?.resultCode, 'OK', moved.response?.resultText);
        for (const url of urls.slice(1)) {
          const dates = await offeredDates(url);
          assert.ok(dates.includes(firstDay!), 'the freed day is not offered');
          assert.ok(!dates.includes(secondDay!), 'the newly booked day is offered');
        }
      });
    },
  );
}
