/**
 * The test app with the Kivra channel enabled through the registry's module:
 * every booking change queues its letter, and the app's own Kivra dispatcher
 * delivers it to an in-process Kivra simulator.
 */
import { enableChannel } from '../../src/channels/channel-module.ts';
import { kivra as kivraModule } from '../../src/channels/kivra/index.ts';
import type { KivraConfig } from '../../src/channels/kivra/kivra-config.ts';
import { KIVRA_CHANNEL } from '../../src/channels/kivra/kivra-listener.ts';
import {
  startKivraSimulator,
  type KivraSimulator,
  type KivraSimulatorOptions,
} from '../../src/dev/kivra-simulator.ts';
import { RetrySchedule } from '../../src/outbox/retry-schedule.ts';
import type { AppOptions } from '../../src/app.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { startTestApp, testLogger, type TestApp } from '../support/test-app.ts';

export interface KivraTestOptions {
  readonly kivra?: Partial<KivraConfig>;
  /** Gap between two letters to one recipient (ms); the channel's own 1.2 s when absent. */
  readonly keyGapMs?: number;
  readonly simulator?: KivraSimulatorOptions;
  readonly logger?: Logger;
  readonly app?: Partial<AppOptions>;
}

export interface KivraTestApp extends TestApp {
  readonly kivra: KivraSimulator;
  readonly config: KivraConfig;
  /** Waits until no Kivra letter is pending or in flight. */
  drained(timeoutMs?: number): Promise<void>;
}

export async function startKivraTestApp(options: KivraTestOptions = {}): Promise<KivraTestApp> {
  const kivra = await startKivraSimulator(options.simulator);
  const config: KivraConfig = {
    url: kivra.url,
    clientId: kivra.clientId,
    clientSecret: kivra.clientSecret,
    tenantKey: kivra.tenantKey,
    timeoutMs: 2_000,
    ...options.kivra,
  };
  const t = await startTestApp({
    logger: options.logger ?? testLogger(),
    channels: [enableChannel(kivraModule, config)],
    dispatch: {
      pollIntervalMs: 25,
      leaseMs: 10_000,
      retrySchedule: new RetrySchedule({ baseMs: 20, capMs: 200 }),
      ...(options.keyGapMs === undefined ? {} : { keyGapMs: options.keyGapMs }),
    },
    ...options.app,
  });
  t.app.startDispatcher();
  return {
    ...t,
    kivra,
    config,
    async drained(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const status = await t.app.outbox.status(KIVRA_CHANNEL);
        if (status.pending === 0 && status.inFlight === 0) return;
        if (Date.now() > deadline)
          throw new Error(
            `Kivra letters not drained: ${status.pending} pending, ${status.inFlight} in flight`,
          );
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      await t.close();
      await kivra.close();
    },
  };
}
