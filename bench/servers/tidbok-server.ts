/**
 * tidbok as it ships (`createApp`, production logger on stdout at the level
 * LOG_LEVEL names, info by default), on the SQLite file BENCH_STORE names,
 * or on the store BENCH_STORE_URL names (a target for another database sets it).
 */
import { createApp } from '../../src/app.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { failChild, serveChild } from './child-protocol.ts';

const url =
  process.env['BENCH_STORE_URL'] ??
  (process.env['BENCH_STORE'] ? `sqlite:${process.env['BENCH_STORE']}` : undefined);
if (!url) failChild(new Error('neither BENCH_STORE_URL nor BENCH_STORE is set'));

const app = createApp({
  store: url,
  logger: createLogger(),
  producerHsaId: 'SE2321000016-TIDB',
});
serveChild(app.server, () => app.close()).catch(failChild);
