/**
 * Subscriptions kept in each database: the same suite on SQLite and on
 * PostgreSQL (fresh schema per test, needs TEST_DATABASE_URL).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  postgresRunner,
  sqliteRunner,
  SqlWebhookSubscriptionRows,
} from '../../src/channels/webhooks/sql-webhook-subscription-rows.ts';
import type { StoredWebhookSubscription } from '../../src/channels/webhooks/webhook-subscription.ts';
import type { CalendarStore } from '../../src/store/calendar-store.ts';
import {
  openPostgresStore,
  type PostgresCalendarStore,
} from '../../src/store/postgres/postgres-calendar-store.ts';
import {
  openSqliteStore,
  type SqliteCalendarStore,
} from '../../src/store/sqlite/sqlite-calendar-store.ts';
import { describePostgres, freshSchemaUrl } from '../support/postgres.ts';

function subscription(
  overrides: Partial<StoredWebhookSubscription> = {},
): StoredWebhookSubscription {
  return {
    id: 'wh_1',
    url: 'https://hooks.example.se/a',
    facilities: ['SE2321000016-1hz5', 'SE2321000016-7p3k'],
    events: ['booking.created', 'booking.cancelled'],
    format: 'healthengine',
    includePersonalData: true,
    enabled: true,
    disabledReason: undefined,
    createdAtUtcMs: 1_780_000_000_000,
    failingSinceUtcMs: undefined,
    sealedSecret: 'v1.c2VhbGVk',
    sealedPreviousSecret: undefined,
    previousSecretUntilUtcMs: undefined,
    ...overrides,
  };
}

interface Opened {
  readonly store: CalendarStore;
  readonly rows: SqlWebhookSubscriptionRows;
}

function describeRows(name: string, open: () => Promise<Opened>) {
  describe(`webhook subscriptions on ${name}`, () => {
    let opened: Opened | undefined;
    afterEach(async () => {
      await opened?.store.close();
      opened = undefined;
    });
    const rows = async () => {
      opened = await open();
      return opened.rows;
    };

    it('keeps every field as written, lists oldest first and counts', async () => {
      const r = await rows();
      const first = subscription();
      const second = subscription({
        id: 'wh_2',
        facilities: undefined,
        format: 'standard',
        includePersonalData: false,
        createdAtUtcMs: first.createdAtUtcMs + 1,
      });
      await r.insert(second);
      await r.insert(first);
      assert.deepEqual(await r.get('wh_1'), first);
      assert.deepEqual(await r.list(), [first, second]);
      assert.equal(await r.count(), 2);
      assert.equal(await r.get('wh_none'), undefined);
      await assert.rejects(r.insert(first), 'an id is unique');
    });

    it('rotates secrets, disables and enables with the failing streak forgotten', async () => {
      const r = await rows();
      await r.insert(subscription());
      assert.equal(await r.setSecrets('wh_1', 'v1.bmV3', 'v1.c2VhbGVk', 1_790_000_000_000), true);
      assert.equal(await r.markFailing('wh_1', 1_000), 1_000);
      assert.equal(await r.markFailing('wh_1', 2_000), 1_000, 'the streak keeps its start');
      assert.equal(await r.setEnabled('wh_1', false, 'HTTP 410: the receiver is gone'), true);
      assert.deepEqual(await r.get('wh_1'), {
        ...subscription(),
        sealedSecret: 'v1.bmV3',
        sealedPreviousSecret: 'v1.c2VhbGVk',
        previousSecretUntilUtcMs: 1_790_000_000_000,
        failingSinceUtcMs: 1_000,
        enabled: false,
        disabledReason: 'HTTP 410: the receiver is gone',
      });
      assert.equal(await r.setEnabled('wh_1', true, undefined), true);
      const enabled = await r.get('wh_1');
      assert.equal(enabled?.enabled, true);
      assert.equal(enabled?.disabledReason, undefined);
      assert.equal(enabled?.failingSinceUtcMs, undefined);
      await r.markFailing('wh_1', 5_000);
      await r.clearFailing('wh_1');
      assert.equal((await r.get('wh_1'))?.failingSinceUtcMs, undefined);
    });

    it('says when the subscription does not exist', async () => {
      const r = await rows();
      assert.equal(await r.setSecrets('wh_none', 'x', undefined, undefined), false);
      assert.equal(await r.setEnabled('wh_none', true, undefined), false);
      assert.equal(await r.remove('wh_none'), false);
      await r.insert(subscription());
      assert.equal(await r.remove('wh_1'), true);
      assert.deepEqual(await r.list(), []);
    });
  });
}

describeRows('SQLite', async () => {
  const store: SqliteCalendarStore = openSqliteStore(':memory:');
  return { store, rows: new SqlWebhookSubscriptionRows(sqliteRunner(store)) };
});

describePostgres('webhook subscriptions on PostgreSQL', (url) => {
  describeRows('PostgreSQL', async () => {
    const store: PostgresCalendarStore = openPostgresStore(await freshSchemaUrl(url), {
      maxConnections: 2,
    });
    return { store, rows: new SqlWebhookSubscriptionRows(postgresRunner(store)) };
  });
});
