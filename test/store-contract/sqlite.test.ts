import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-calendar-store.ts';
import { describeCalendarStore } from './calendar-store.contract.ts';

describeCalendarStore('SQLite in memory', async () => openSqliteStore(':memory:'));

// The file path exercises what :memory: skips: creating folders, WAL mode, reopening.
const dir = mkdtempSync(join(tmpdir(), 'tidbok-store-'));
let n = 0;
describeCalendarStore('SQLite file', async () => {
  n += 1;
  return openSqliteStore(join(dir, `run-${n}`, 'calendar.db'));
});
after(() => rmSync(dir, { recursive: true, force: true }));
