import { openPostgresStore } from '../../src/store/postgres/postgres-calendar-store.ts';
import { describePostgres, freshSchemaUrl } from '../support/postgres.ts';
import { describeCalendarStore } from './calendar-store.contract.ts';

describePostgres('PostgreSQL store', (url) => {
  // A fresh schema per test: the suite expects an empty store every time.
  describeCalendarStore('PostgreSQL', async () =>
    openPostgresStore(await freshSchemaUrl(url), { maxConnections: 5 }),
  );
});
