import { openSqliteStore } from '../../src/store/sqlite/sqlite-calendar-store.ts';
import { SqliteOutboxStore } from '../../src/store/sqlite/sqlite-outbox-store.ts';
import { describeOutboxStore, T0 } from './outbox-store.contract.ts';

describeOutboxStore('SQLite in memory', async () => {
  const calendar = openSqliteStore(':memory:', { now: () => T0 });
  return { calendar, outbox: new SqliteOutboxStore(calendar) };
});
