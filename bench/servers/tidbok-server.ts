/**
 * tidbok as it ships (`createApp`, production logger on stdout at the level
 * LOG_LEVEL names, info by default), on the SQLite file BENCH_STORE names.
 */
import { createApp } from '../../src/app.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { failChild, serveChild } from './child-protocol.ts';

const store = process.env['BENCH_STORE'];
if (!store) failChild(new Error('BENCH_STORE is not set'));

const app = createApp({
  store: `sqlite:${store}`,
  logger: createLogger(),
  producerHsaId: 'SE2321000016-TIDB',
});
serveChild(app.server, () => app.close()).catch(failChild);
