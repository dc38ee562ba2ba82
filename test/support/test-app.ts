/** Starts the real app on a random loopback port with an in-memory SQLite store and the test calendar. */
import { createApp, type App } from '../../src/app.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import type { AppOptions } from '../../src/app.ts';
import { seedTestCalendar, type SeededCalendar } from './test-calendar.ts';

export const PRODUCER_HSA_ID = 'SE2321000016-TIDB';

export interface TestApp {
  readonly app: App;
  readonly url: string;
  readonly calendar: SeededCalendar;
  close(): Promise<void>;
}

export async function startTestApp(options: Partial<AppOptions> = {}): Promise<TestApp> {
  const app = createApp({
    store: 'sqlite::memory:',
    logger: silentLogger,
    producerHsaId: PRODUCER_HSA_ID,
    ...options,
  });
  const calendar = await seedTestCalendar(app.store, options.now?.() ?? Date.now());
  const url = await app.listen(0, '127.0.0.1');
  return { app, url, calendar, close: () => app.close() };
}
