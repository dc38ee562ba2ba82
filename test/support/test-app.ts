/** Starts the real app on a random loopback port with an in-memory SQLite store and the test calendar. */
import { createApp, type App } from '../../src/app.ts';
import { join } from 'node:path';
import { pino } from 'pino';
import { createLogger, silentLogger, type Logger } from '../../src/logging/logger.ts';
import type { AppOptions } from '../../src/app.ts';
import { seedTestCalendar, type SeededCalendar } from './test-calendar.ts';
import {
  startEiSimulator,
  type EiSimulator,
  type EiSimulatorOptions,
} from '../../src/dev/ei-simulator.ts';
import { RetrySchedule } from '../../src/outbox/retry-schedule.ts';
import { enableChannel, type EnabledChannel } from '../../src/channels/channel-module.ts';
import { engagementIndex } from '../../src/channels/engagement-index/index.ts';
import type { EiConfig } from '../../src/channels/engagement-index/engagement-mapping.ts';

export const PRODUCER_HSA_ID = 'SE2321000016-TIDB';

let suiteLogger: Logger | undefined;

/**
 * The logger test apps use: silent, unless the test runner set
 * `TIDBOK_TEST_LOG_DIR`; then every line goes, at debug level, to a file
 * there that `scripts/run-tests.mjs` searches for clear person ids after the run.
 */
export function testLogger(): Logger {
  const dir = process.env['TIDBOK_TEST_LOG_DIR'];
  if (!dir) return silentLogger;
  suiteLogger ??= createLogger({
    level: 'debug',
    destination: pino.destination({ dest: join(dir, `test-app-${process.pid}.log`), sync: true }),
  });
  return suiteLogger;
}

export interface TestApp {
  readonly app: App;
  readonly url: string;
  readonly calendar: SeededCalendar;
  close(): Promise<void>;
}

export async function startTestApp(options: Partial<AppOptions> = {}): Promise<TestApp> {
  const app = createApp({
    store: 'sqlite::memory:',
    logger: testLogger(),
    producerHsaId: PRODUCER_HSA_ID,
    // Admin API tests talk to the one listener; the separate listener has a test of its own.
    adminListener: 'soap',
    ...options,
  });
  const calendar = await seedTestCalendar(app.store, options.now?.() ?? Date.now());
  const url = await app.listen(0, '127.0.0.1');
  return { app, url, calendar, close: () => app.close() };
}

export interface EiTestApp extends TestApp {
  readonly ei: EiSimulator;
  /** Waits until the outbox has nothing pending or in flight (or fails after `timeoutMs`). */
  drained(timeoutMs?: number): Promise<void>;
}

export const TEST_EI_CONFIG = {
  logicalAddress: '5565594230',
  sourceSystem: PRODUCER_HSA_ID,
  dataController: 'SE2321000016-PUA1',
  timeoutMs: 2_000,
  batchSize: 1000,
} as const;

/** The engagement-index channel with the test settings, and `overrides` (e.g. the simulator's URL). */
export function testEiChannel(overrides: Partial<EiConfig> = {}): EnabledChannel {
  return enableChannel(engagementIndex, { ...TEST_EI_CONFIG, ...overrides });
}

/** Knobs of {@link startEiTestApp} beyond the app's own options. */
export interface EiTestOptions {
  /** Gap between two deliveries of one key (ms); 0 by default, the real one is 6 000. */
  readonly keyGapMs?: number;
  /** How long the channel waits for EI's answer (ms); `TEST_EI_CONFIG.timeoutMs` by default. */
  readonly eiTimeoutMs?: number;
  /** Backoff after a failed call; 20 ms base, 200 ms cap by default, so fault tests run fast. */
  readonly retrySchedule?: RetrySchedule;
  /** Options of the simulator (e.g. `collectWindowMs`); its hsaId is always the test EI's. */
  readonly simulator?: Omit<EiSimulatorOptions, 'hsaId'>;
}

/**
 * The test app reporting to an in-process EI simulator, with the dispatcher
 * running on short polls. `keyGapMs` defaults to 0 so tests need not wait out
 * EI's collect window; tests of that window pass their own.
 */
export async function startEiTestApp(
  options: Partial<AppOptions> & EiTestOptions = {},
): Promise<EiTestApp> {
  const { keyGapMs, eiTimeoutMs, retrySchedule, simulator, ...appOptions } = options;
  const ei = await startEiSimulator({ ...simulator, hsaId: TEST_EI_CONFIG.logicalAddress });
  const t = await startTestApp({
    channels: [testEiChannel({ url: ei.url, timeoutMs: eiTimeoutMs ?? TEST_EI_CONFIG.timeoutMs })],
    dispatch: {
      keyGapMs: keyGapMs ?? 0,
      pollIntervalMs: 50,
      leaseMs: 5_000,
      retrySchedule: retrySchedule ?? new RetrySchedule({ baseMs: 20, capMs: 200 }),
    },
    ...appOptions,
  });
  t.app.startDispatcher();
  return {
    ...t,
    ei,
    async drained(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const status = await t.app.outbox.status();
        if (status.pending === 0 && status.inFlight === 0) return;
        if (Date.now() > deadline)
          throw new Error(
            `outbox not drained: ${status.pending} pending, ${status.inFlight} in flight`,
          );
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      await t.close();
      await ei.close();
    },
  };
}
