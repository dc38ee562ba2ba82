/**
 * Composition root: store → domain service → operations → HTTP server. Used by
 * `main.ts` and by end-to-end tests, so the tests run exactly what ships.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { CalendarStore } from './store/calendar-store.ts';
import { createStore } from './store/create-store.ts';
import { SchedulingService } from './domain/scheduling-service.ts';
import type { BookingChangeListener } from './domain/booking-change.ts';
import { createOperations } from './operations/registry.ts';
import type { AnyOperation } from './operations/operation.ts';
import { createHttpServer, type HttpServerDeps } from './http/server.ts';
import type { Logger } from './logging/logger.ts';
import type { SoapBindingLimits } from './soap/http-binding.ts';

const packageJson = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

export interface AppOptions {
  /** Store URL, or an open store (tests share one between app instances). */
  readonly store: string | CalendarStore;
  readonly logger: Logger;
  readonly producerHsaId: string;
  readonly listeners?: readonly BookingChangeListener[];
  readonly onCommitted?: () => void;
  readonly now?: () => number;
  readonly limits?: Partial<SoapBindingLimits>;
  readonly extraRoutes?: HttpServerDeps['extraRoutes'];
}

export interface App {
  readonly store: CalendarStore;
  readonly service: SchedulingService;
  readonly operations: readonly AnyOperation[];
  readonly server: Server;
  /** Starts listening; resolves to the base URL (e.g. http://127.0.0.1:8080). */
  listen(port: number, host?: string): Promise<string>;
  /** Stops accepting, waits for open requests, closes the store (if the app opened it). */
  close(): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const store = typeof options.store === 'string' ? createStore(options.store) : options.store;
  const ownsStore = typeof options.store === 'string';
  const service = new SchedulingService({
    store,
    ...(options.listeners ? { listeners: options.listeners } : {}),
    ...(options.onCommitted ? { onCommitted: options.onCommitted } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const operations = createOperations(service, {
    version: packageJson.version,
    startedAtUtcMs: Date.now(),
    storeKind: store.capabilities.supportsSeveralProcesses ? 'postgresql' : 'sqlite',
  });
  const server = createHttpServer({
    operations,
    isKnownFacility: async (hsaId) => (await store.getFacility(hsaId)) !== undefined,
    producerHsaId: options.producerHsaId,
    logger: options.logger,
    ...(options.now ? { now: options.now } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.extraRoutes ? { extraRoutes: options.extraRoutes } : {}),
  });

  return {
    store,
    service,
    operations,
    server,
    listen(port, host = '0.0.0.0') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const { port: actual } = server.address() as AddressInfo;
          resolve(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}`);
        });
      });
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      if (ownsStore) await store.close();
    },
  };
}
