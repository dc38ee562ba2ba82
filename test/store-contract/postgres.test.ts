import { openPostgresStore } from '../../src/store/postgres/postgres-calendar-store.ts';
import { PostgresOutboxStore } from '../../src/store/postgres/postgres-outbox-store.ts';
import { describePostgres, freshSchemaUrl } from '../support/postgres.ts';
import { describeCalendarStore } from './calendar-store.contract.ts';
import { describeOutboxStore, T0 } from './outbox-store.contract.ts';

describePostgres('PostgreSQL store', (url) => {
  // A fresh schema per test: the suites expect an empty store every time.
  describeCalendarStore('PostgreSQL', async () =>
    openPostgresStore(await freshSchemaUrl(url), { maxConnections: 5 }),
  );
  describeOutboxStore('PostgreSQL', async () => {
    const calendar = openPostgresStore(await freshSchemaUrl(url), {
      maxConnections: 2,
      now: () => T0,
    });
    return { calendar, outbox: new PostgresOutboxStore(calendar) };
  });
});
