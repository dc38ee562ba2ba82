import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { CalendarFileError } from '../calendar/calendar-file.ts';
import { PreviewOutdatedError } from '../calendar/import-preview.ts';
import { createServices, type Services } from '../services.ts';
import type { CalendarStore } from '../store/calendar-store.ts';
import { createStore } from '../store/create-store.ts';
import { aBookingOn } from '../../test/support/builders.ts';
import { describePostgres, freshSchemaUrl } from '../../test/support/postgres.ts';
import {
  calendarUpload,
  UPLOAD_INVITATION_ID,
  UPLOAD_TIME_TYPE,
} from '../../test/support/calendar-upload.ts';
import { testEiChannel } from '../../test/support/test-app.ts';
import { FACILITY } from '../../test/support/test-calendar.ts';
import { importPreviewedCalendar, previewCalendarImport } from './calendar-import.ts';

/** Friday 1 January 2027, 09:00 in Stockholm. */
const NOW = Date.UTC(2027, 0, 1, 8, 0);
const DAY = '20270104';

const calendarText = (options: { webBooking?: boolean; timeTypeName?: string } = {}) =>
  calendarUpload(DAY, options);

/** Everything an import could have written, to compare before and after. */
async function snapshot(store: CalendarStore) {
  return {
    stats: await store.stats(),
    facility: await store.getFacility(FACILITY),
    timeTypes: await store.listTimeTypes(FACILITY),
    performers: await store.listPerformers(FACILITY),
    bookings: await store.listActiveBookings(FACILITY),
    outbox: await store.listOutbox(),
  };
}

function describeCalendarImport(name: string, openStore: () => Promise<CalendarStore>) {
  void describe(name, () => {
    let services: Services;
    beforeEach(async () => {
      services = createServices({
        store: await openStore(),
        channels: [testEiChannel({ url: 'http://127.0.0.1:9/ei' })],
        now: () => NOW,
      });
    });
    afterEach(() => services.store.close());

    const preview = (text = calendarText()) =>
      previewCalendarImport(services.service, text, { horizonDays: 14 });

    void it('previews without writing anything, and the import then gives exactly that report', async () => {
      const before = await snapshot(services.store);
      const previewed = await preview();
      assert.deepEqual(await snapshot(services.store), before, 'the preview wrote nothing');
      assert.deepEqual(previewed.report.timeTypes, { created: 1, changed: 0, unchanged: 0 });
      assert.deepEqual(previewed.report.timeslots, { created: 1, changed: 0, unchanged: 0 });
      assert.deepEqual(previewed.report.invitations, { created: 1, changed: 0, unchanged: 0 });

      const report = await importPreviewedCalendar(services.service, previewed);
      assert.deepEqual(report, previewed.report);
      const after = await snapshot(services.store);
      assert.equal(after.stats.timeslots, before.stats.timeslots + 1);
      assert.deepEqual(
        after.timeTypes.map((t) => t.id),
        [UPLOAD_TIME_TYPE],
      );
      // The invitation reached the engagement index's outbox, as with `tidbok import`.
      assert.deepEqual(
        after.outbox.map((m) => [m.channel, m.key]),
        [['engagement-index', UPLOAD_INVITATION_ID]],
      );
      const again = await preview();
      assert.equal(again.report.timeslots.unchanged, 1);
      assert.equal(again.report.invitations.unchanged, 1);
    });

    void it('previews a web-booking switch with the EI messages it would queue, and queues them only on confirm', async () => {
      await importPreviewedCalendar(
        services.service,
        await preview(calendarText({ webBooking: false })),
      );
      const slot = (
        await services.store.findFreeTimeslots({
          facilities: [FACILITY],
          fromUtcMs: NOW,
          toUtcMs: NOW + 14 * 86_400_000,
          limit: 1,
        })
      )[0]!;
      await services.store.transaction((tx) => tx.insertBooking(aBookingOn(slot)));
      const before = await snapshot(services.store);

      const previewed = await preview(calendarText({ webBooking: true }));
      assert.deepEqual(previewed.report.webBooking.switchedOn, [FACILITY]);
      assert.ok((previewed.report.webBooking.queued['engagement-index'] ?? 0) >= 1);
      assert.deepEqual(await snapshot(services.store), before, 'the preview queued nothing');

      await importPreviewedCalendar(services.service, previewed);
      const after = await snapshot(services.store);
      assert.equal(
        after.outbox.length - before.outbox.length,
        previewed.report.webBooking.queued['engagement-index'],
      );
      assert.equal(after.facility?.webBookingEnabled, true);
    });

    void it('refuses to import when the store changed since the preview, writing nothing', async () => {
      const previewed = await preview();
      // Someone else imports a version of the file with another name meanwhile.
      await importPreviewedCalendar(
        services.service,
        await preview(calendarText({ timeTypeName: 'Blodprov' })),
      );
      const before = await snapshot(services.store);
      await assert.rejects(importPreviewedCalendar(services.service, previewed), (err) => {
        assert.ok(err instanceof PreviewOutdatedError);
        assert.deepEqual(err.report.timeTypes, { created: 0, changed: 1, unchanged: 0 });
        return true;
      });
      assert.deepEqual(await snapshot(services.store), before);
    });

    void it('reports every problem of a bad file and writes nothing', async () => {
      const before = await snapshot(services.store);
      await assert.rejects(preview('{"facilities": [}'), (err) => {
        assert.ok(err instanceof CalendarFileError);
        assert.match(err.problems[0]!, /not valid JSON/);
        return true;
      });
      await assert.rejects(
        preview(JSON.stringify({ facilities: [{ hsaId: FACILITY, name: 'X' }] })),
        (err) => {
          assert.ok(err instanceof CalendarFileError);
          assert.ok(err.problems.some((p) => p.startsWith('facilities[0].webBookingEnabled')));
          return true;
        },
      );
      assert.deepEqual(await snapshot(services.store), before);
    });
  });
}

describeCalendarImport('calendar import preview and confirmation (SQLite)', async () =>
  createStore('sqlite::memory:'),
);
describePostgres('calendar import preview and confirmation (PostgreSQL)', (url) =>
  describeCalendarImport('on a fresh schema', async () => createStore(await freshSchemaUrl(url))),
);
