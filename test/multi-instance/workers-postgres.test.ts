/**
 * `TIDBOK_WORKERS=2` on one PostgreSQL database: the multi-instance set-up
 * on one machine behind one port, with the guarantees of one process
 * (issue 18).
 */
import { describePostgres, freshSchemaUrl } from '../support/postgres.ts';
import { describeWorkers } from '../support/worker-pool-suite.ts';

describePostgres('two workers on one PostgreSQL database', (serverUrl) => {
  describeWorkers('PostgreSQL', () => freshSchemaUrl(serverUrl));
});
