import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { describePostgres, freshSchemaUrl } from '../support/postgres.ts';
import { checks } from '../../src/verify/check-catalogue.ts';
import { failedChecks, verifyTestProducer } from './verify-support.ts';

const bookingCheckIds = Object.values(checks)
  .filter((c) => 'books' in c && c.books)
  .map((c) => c.id);

function suite(name: string, store: () => Promise<string>) {
  describe(name, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ store: await store() });
    });
    after(() => t.close());

    it('passes every check, books and cancels, and leaves no booking behind', async () => {
      const before = await t.app.store.stats();
      const report = await verifyTestProducer(t.url, { nationalCheck: true });
      const { ids, why } = failedChecks(report);
      assert.deepEqual(ids, [], why);
      const ran = new Set(report.checks.map((c) => c.id));
      for (const id of [
        ...bookingCheckIds,
        'schema-MakeBooking',
        'schema-UpdateBooking',
        'schema-CancelBooking',
      ])
        assert.ok(ran.has(id), `${id} ran`);
      assert.equal(report.failed, 0);
      assert.equal(report.passed, report.checks.length);
      const afterRun = await t.app.store.stats();
      assert.equal(
        afterRun.activeBookings,
        before.activeBookings,
        'every booking verify made is cancelled',
      );
    });

    it('with --read-only runs no check that books, and books nothing', async () => {
      const before = await t.app.store.stats();
      const report = await verifyTestProducer(t.url, { readOnly: true, nationalCheck: true });
      const { ids, why } = failedChecks(report);
      assert.deepEqual(ids, [], why);
      const ran = report.checks.map((c) => c.id);
      for (const id of bookingCheckIds) assert.ok(!ran.includes(id), `${id} is skipped`);
      for (const id of ['schema-MakeBooking', 'schema-UpdateBooking', 'schema-CancelBooking'])
        assert.ok(!ran.includes(id), `${id}: nothing was sent`);
      assert.ok(ran.includes(checks.addressUnknown.id) && ran.includes(checks.malformedXml.id));
      assert.deepEqual(await t.app.store.stats(), before);
    });
  });
}

suite('verify against tidbok on SQLite', async () => 'sqlite::memory:');
describePostgres('verify against tidbok on PostgreSQL', (url) => {
  suite('PostgreSQL store', () => freshSchemaUrl(url));
});
