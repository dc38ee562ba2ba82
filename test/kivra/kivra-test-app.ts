/**
 * The test app with the Kivra channel on: every booking change queues its
 * letter, and a dispatcher delivers it to an in-process Kivra simulator.
 */
import { KivraChannel, type KivraChannelOptions } from '../../src/channels/kivra/kivra-channel.ts';
import type { KivraConfig } from '../../src/channels/kivra/kivra-config.ts';
import { KIVRA_CHANNEL, kivraListener } from '../../src/channels/kivra/kivra-listener.ts';
import {
  startKivraSimulator,
  type KivraSimulator,
  type KivraSimulatorOptions,
} from '../../src/dev/kivra-simulator.ts';
import { OutboxDispatcher } from '../../src/outbox/outbox-dispatcher.ts';
import { RetrySchedule } from '../../src/outbox/retry-schedule.ts';
import type { AppOptions } from '../../src/app.ts';
import type { Logger } from '../../src/logging/logger.ts';
import { startTestApp, testLogger, type TestApp } from '../support/test-app.ts';

export interface KivraTestOptions {
  readonly kivra?: Partial<KivraConfig>;
  readonly channel?: KivraChannelOptions;
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
  const logger = options.logger ?? testLogger();
  const t = await startTestApp({ logger, listeners: [kivraListener(config)], ...options.app });
  const dispatcher = new OutboxDispatcher({
    store: t.app.outbox,
    channel: new KivraChannel(config, { batchSize: 20, ...options.channel }),
    logger,
    pollIntervalMs: 25,
    leaseMs: 10_000,
    retrySchedule: new RetrySchedule({ baseMs: 20, capMs: 200 }),
  });
  dispatcher.start();
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
      await dispatcher.stop();
      await t.close();
      await kivra.close();
    },
  };
}
