/**
 * One producer instance in a process of its own, for multi-instance tests:
 * the real app on the store named by TIDBOK_TEST_STORE_URL, on a random
 * loopback port. Prints `listening <url>` once it serves; SIGTERM closes it.
 *
 * Run: node --import tsx test/support/app-process.ts
 */
import { createApp } from '../../src/app.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { PRODUCER_HSA_ID } from './test-app.ts';

const storeUrl = process.env['TIDBOK_TEST_STORE_URL'];
if (!storeUrl) throw new Error('app-process needs TIDBOK_TEST_STORE_URL');

const app = createApp({ store: storeUrl, logger: silentLogger, producerHsaId: PRODUCER_HSA_ID });
// Fails here, visibly, if the database cannot be reached or migrated.
await app.store.stats();
const url = await app.listen(0, '127.0.0.1');
process.stdout.write(`listening ${url}\n`);
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
