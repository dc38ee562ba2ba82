/**
 * `TIDBOK_WORKERS=2` on one SQLite file: several processes on one database
 * file (WAL, `BEGIN IMMEDIATE` writes, `PRAGMA data_version` for the
 * answer cache), with the guarantees of one process (issue 18).
 */
import { join } from 'node:path';
import { describe } from 'node:test';
import { describeWorkers } from '../support/worker-pool-suite.ts';

void describe('two workers on one SQLite file', () => {
  describeWorkers('SQLite', async (dir) => join(dir, 'tidbok.db'));
});
