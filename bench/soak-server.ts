/**
 * The producer for the soak run: what `npm start` runs (file store, demo
 * calendar, embedded EI simulator, dispatcher), plus `GET /soak/memory`
 * reporting the process's memory after a garbage collection.
 * Start with `node --expose-gc --import tsx bench/soak-server.ts <db path> <EI url>`; the EI
 * simulator runs in the soak driver, so its record of every call does not
 * count in this process's memory.
 */
import { createApp } from '../src/app.ts';
import { importCalendarFile } from '../src/calendar/import-calendar-file.ts';
import { createLogger } from '../src/logging/logger.ts';
import { enableChannel } from '../src/channels/channel-module.ts';
import { engagementIndex } from '../src/channels/engagement-index/index.ts';

const [dbPath, eiUrl] = process.argv.slice(2);
if (!dbPath || !eiUrl) throw new Error('usage: soak-server.ts <sqlite file> <EI url>');
const logger = createLogger({ level: 'warn' });
const app = createApp({
  store: dbPath,
  logger,
  producerHsaId: 'SE2321000016-TIDBOK',
  channels: [
    enableChannel(engagementIndex, {
      url: eiUrl,
      logicalAddress: '5565594230',
      sourceSystem: 'SE2321000016-TIDBOK',
      dataController: 'SE2321000016-TIDBOK',
      timeoutMs: 2_000,
      batchSize: 1000,
    }),
  ],
  extraRoutes: [
    (req, res, url) => {
      if (url.pathname !== '/soak/memory') return false;
      (globalThis as { gc?: () => void }).gc?.();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(process.memoryUsage()));
      return true;
    },
  ],
});
await importCalendarFile(app.service, 'fixtures/demo-calendar.json');
const url = await app.listen(0, '127.0.0.1');
app.startDispatcher();
process.stdout.write(`soak server on ${url}\n`);
process.once('SIGTERM', () => {
  void app.close({ timeoutMs: 10_000 }).then(() => process.exit(0));
});
