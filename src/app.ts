/**
 * Composition root: store → domain service → operations → HTTP server. Used by
 * `main.ts` and by end-to-end tests, so the tests run exactly what ships.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { CalendarStore } from './store/calendar-store.ts';
import type { SchedulingService } from './domain/scheduling-service.ts';
import type { BookingChangeListener } from './domain/booking-change.ts';
import { createOperations } from './operations/registry.ts';
import type { AnyOperation } from './operations/operation.ts';
import { createHttpListener, type ListenerLimits } from './http/http-listener.ts';
import { urlHandler, type HttpHandler } from './http/http-handler.ts';
import { livenessHandler, readinessHandler } from './http/health-handlers.ts';
import { createSoapEndpoints } from './soap/soap-endpoints.ts';
import type { Logger } from './logging/logger.ts';
import type { SoapBindingLimits } from './soap/http-binding.ts';
import type { OutboxStore } from './outbox/outbox-store.ts';
import { OutboxDispatcher } from './outbox/outbox-dispatcher.ts';
import type { RetrySchedule } from './outbox/retry-schedule.ts';
import type { Channel } from './channels/channel.ts';
import type { EnabledChannel } from './channels/channel-module.ts';
import { createServices } from './services.ts';
import { createAdminApi } from './admin/admin-api.ts';
import { createConsoleHandler } from './console/console-app.ts';
import type { AdminRouteContribution } from './admin/admin-route.ts';
import { createMetrics, type Metrics } from './metrics/metrics.ts';
import { Housekeeper } from './housekeeping/housekeeper.ts';
import { mutualTlsOptions, type TlsMaterial } from './http/tls.ts';
import { consumerRefusal, identifyCaller, type AccessPolicy } from './http/access-control.ts';
import { gracefulCloser, type GracefulCloseOptions } from './http/graceful-close.ts';
import { checkStoreHealth, type StoreHealth } from './store/store-health.ts';

const packageJson = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

export interface AppOptions {
  /** Store URL, or an open store (tests share one between app instances). */
  readonly store: string | CalendarStore;
  readonly logger: Logger;
  readonly producerHsaId: string;
  /**
   * The enabled channels (config `channels`): every booking change gets each
   * one's outbox messages; each channel with a delivery target gets its own
   * dispatcher (start them with {@link App.startDispatcher}).
   */
  readonly channels?: readonly EnabledChannel[];
  /**
   * Overrides for every dispatcher, over what each channel sets (key gap,
   * lease, backoff): tests shorten gaps, polls and backoff.
   */
  readonly dispatch?: {
    readonly keyGapMs?: number;
    readonly pollIntervalMs?: number;
    readonly leaseMs?: number;
    readonly retrySchedule?: RetrySchedule;
  };
  /** Further listeners (tests). */
  readonly listeners?: readonly BookingChangeListener[];
  readonly now?: () => number;
  readonly limits?: Partial<SoapBindingLimits>;
  /** Further routes on the SOAP listener, tried after every other handler (tests, the soak run). */
  readonly extraRoutes?: readonly Parameters<typeof urlHandler>[1][];
  /** Timeouts and connection limit of every listener. */
  readonly listenerLimits?: Partial<ListenerLimits>;
  /**
   * Bearer token of the admin API under `/admin/` (config
   * `TIDBOK_ADMIN_TOKEN`); without one the admin API answers 404.
   */
  readonly adminToken?: string;
  /**
   * Where the admin API is served: on its own listener (`separate`, the
   * default: start it with {@link App.listenAdmin}) or on the SOAP listener
   * (`soap`, only when configured so; tests use it).
   */
  readonly adminListener?: 'separate' | 'soap';
  /** Routes other modules add to the admin API, besides the channels' own (tests). */
  readonly adminRoutes?: readonly AdminRouteContribution[];
  /** Housekeeping interval (ms, default 10 minutes); runs once {@link App.startHousekeeping} is called. */
  readonly housekeepingIntervalMs?: number;
  /** Process figures on /metrics (default true; tests turn them off). */
  readonly processMetrics?: boolean;
  /** Serve HTTPS with required client certificates (mutual TLS) instead of plain HTTP. */
  readonly tls?: TlsMaterial;
  /** Who may call the SOAP operations; absent lets everyone in (plain HTTP, tests). */
  readonly access?: AccessPolicy;
  /** Knobs of the graceful shutdown (tests). */
  readonly shutdown?: GracefulCloseOptions;
}

/** How one channel's dispatcher is doing, for `/health/ready`. */
export type DispatcherState = 'running' | 'stopped' | 'not configured';

/** What `/health/ready` reports. */
export interface Readiness {
  readonly ready: boolean;
  /** False once a shutdown has begun, so load balancers stop sending. */
  readonly accepting: boolean;
  readonly store: StoreHealth;
  /**
   * Per enabled channel, whether its dispatcher runs; `not configured` when
   * the channel has no delivery target (e.g. no EI URL).
   */
  readonly dispatchers: Readonly<Record<string, DispatcherState>>;
}

export interface App {
  readonly store: CalendarStore;
  readonly service: SchedulingService;
  readonly operations: readonly AnyOperation[];
  readonly server: Server;
  readonly outbox: OutboxStore;
  /** One per enabled channel with a delivery target, by channel name. */
  readonly dispatchers: ReadonlyMap<string, OutboxDispatcher>;
  /** Passed bookings and expired invitations leave EI through this periodic job. */
  readonly housekeeper: Housekeeper;
  /** The `/metrics` registry and SOAP hook. */
  readonly metrics: Metrics;
  /** Starts every dispatcher delivering outbox messages (no-op without one). */
  startDispatcher(): void;
  /** Starts housekeeping: a run now, then one every interval. */
  startHousekeeping(): void;
  /** Starts listening; resolves to the base URL (e.g. http://127.0.0.1:8080). */
  listen(port: number, host?: string): Promise<string>;
  /** Starts the admin API's own listener (when it has one); resolves to its base URL. */
  listenAdmin(port: number, host?: string): Promise<string | undefined>;
  /** The checks behind `/health/ready`. */
  readiness(): Promise<Readiness>;
  /**
   * Graceful shutdown: stops accepting, lets requests in flight finish
   * (destroying what is left after `timeoutMs`, 20 s by default), stops the
   * dispatcher after its current call, closes the store (if the app opened it).
   */
  close(options?: { readonly timeoutMs?: number }): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const now = options.now ?? Date.now;
  const channels = options.channels ?? [];
  // The service wakes the dispatchers, which need the outbox the services create.
  const dispatchers = new Map<string, OutboxDispatcher>();
  const notifyDispatchers = () => {
    for (const dispatcher of dispatchers.values()) dispatcher.notify();
  };
  const {
    store,
    outbox,
    service,
    close: closeStore,
  } = createServices({
    store: options.store,
    channels,
    ...(options.listeners ? { listeners: options.listeners } : {}),
    // Wake the dispatchers as soon as a change commits, instead of waiting for their poll.
    onCommitted: notifyDispatchers,
    ...(options.now ? { now: options.now } : {}),
  });
  const deliveries: Channel[] = [];
  for (const enabled of channels) {
    const channel = enabled.createChannel(
      options.dispatch?.keyGapMs !== undefined ? { keyGapMs: options.dispatch.keyGapMs } : {},
      { store, logger: options.logger },
    );
    if (!channel) continue;
    deliveries.push(channel);
    dispatchers.set(
      enabled.name,
      new OutboxDispatcher({
        store: outbox,
        channel,
        logger: options.logger,
        ...(options.dispatch?.pollIntervalMs !== undefined
          ? { pollIntervalMs: options.dispatch.pollIntervalMs }
          : {}),
        ...(options.dispatch?.leaseMs !== undefined ? { leaseMs: options.dispatch.leaseMs } : {}),
        ...(options.dispatch?.retrySchedule
          ? { retrySchedule: options.dispatch.retrySchedule }
          : {}),
        ...(options.now ? { now: options.now } : {}),
      }),
    );
  }
  const operations = createOperations(service, {
    version: packageJson.version,
    startedAtUtcMs: Date.now(),
    storeKind: store.capabilities.supportsSeveralProcesses ? 'postgresql' : 'sqlite',
  });
  const metrics = createMetrics({
    outbox,
    channels: channels.map((c) => c.name),
    now,
    processMetrics: options.processMetrics ?? true,
    storeUnavailable: () => store.unavailableCounts(),
  });
  for (const channel of channels) channel.registerMetrics(metrics.registry);
  const admin = createAdminApi({
    token: options.adminToken,
    service,
    outbox,
    notify: notifyDispatchers,
    now,
    logger: options.logger,
    version: packageJson.version,
    contributed: [
      ...channels.flatMap((channel) => channel.adminRoutes() ?? []),
      ...(options.adminRoutes ?? []),
    ],
  });
  const housekeeper = new Housekeeper({
    service,
    outbox,
    logger: options.logger,
    ...(options.housekeepingIntervalMs !== undefined
      ? { intervalMs: options.housekeepingIntervalMs }
      : {}),
  });
  const readiness = async (): Promise<Readiness> => {
    // `closer` is set right below, before the server can serve a request.
    const accepting = !closer.isClosing;
    const storeHealth = await checkStoreHealth(store);
    const states: Record<string, DispatcherState> = {};
    for (const { name } of channels) {
      const dispatcher = dispatchers.get(name);
      states[name] = !dispatcher ? 'not configured' : dispatcher.isRunning ? 'running' : 'stopped';
    }
    return {
      ready:
        accepting &&
        storeHealth.reachable &&
        storeHealth.migrationsApplied !== false &&
        !Object.values(states).includes('stopped'),
      accepting,
      store: storeHealth,
      dispatchers: states,
    };
  };
  // The staff console and the 1177 simulator live beside the admin API, behind the same token.
  const soapBase: { url?: string } = {};
  const console_ =
    options.adminToken !== undefined
      ? createConsoleHandler({
          token: options.adminToken,
          service,
          outbox,
          channels: channels.map((c) => c.name),
          notify: notifyDispatchers,
          logger: options.logger,
          soapBaseUrl: () => soapBase.url,
        })
      : undefined;
  const adminOnSoapListener = options.adminListener === 'soap';
  const access = options.access;
  const soap = createSoapEndpoints({
    operations,
    calendarView: () => store.view(),
    producerHsaId: options.producerHsaId,
    logger: options.logger,
    onRequest: metrics.onSoapRequest,
    ...(options.now ? { now: options.now } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    identifyCaller: (req) => identifyCaller(req, access ?? {}),
  });
  const handlers: HttpHandler[] = [
    soap.calls,
    soap.documents,
    livenessHandler,
    readinessHandler(readiness),
    // The admin API holds every patient's bookings: by default it stays off the
    // SOAP listener (issue 6), on a listener of its own that operators bind to
    // loopback or an internal network.
    ...(adminOnSoapListener ? [admin, ...(console_ ? [console_] : [])] : []),
    urlHandler('metrics', metrics.route),
    ...(options.extraRoutes ?? []).map((route) => urlHandler('extra', route)),
  ];
  const listenerOptions = {
    logger: options.logger,
    ...(options.listenerLimits ? { limits: options.listenerLimits } : {}),
  };
  const adminServer =
    options.adminToken !== undefined && !adminOnSoapListener
      ? createHttpListener({
          ...listenerOptions,
          handlers: [admin, ...(console_ ? [console_] : [])],
        })
      : undefined;
  const server = createHttpListener({
    ...listenerOptions,
    handlers,
    ...(options.tls ? { tls: mutualTlsOptions(options.tls) } : {}),
    // On a listener with client certificates every path checks the caller
    // (but liveness, for load balancers); SOAP calls answer with a fault.
    ...(access ? { callerCheck: (req) => consumerRefusal(req, access) } : {}),
  });
  const closer = gracefulCloser(server, options.shutdown);
  const scheme = options.tls ? 'https' : 'http';

  return {
    store,
    service,
    operations,
    server,
    outbox,
    dispatchers,
    housekeeper,
    metrics,
    startDispatcher() {
      for (const dispatcher of dispatchers.values()) dispatcher.start();
    },
    startHousekeeping() {
      housekeeper.start();
    },
    listen(port, host = '0.0.0.0') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const { port: actual } = server.address() as AddressInfo;
          soapBase.url = `${scheme}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}`;
          resolve(soapBase.url);
        });
      });
    },
    listenAdmin(port, host = '127.0.0.1') {
      if (!adminServer) return Promise.resolve(undefined);
      return new Promise((resolve, reject) => {
        adminServer.once('error', reject);
        adminServer.listen(port, host, () => {
          const { port: actual } = adminServer.address() as AddressInfo;
          resolve(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}`);
        });
      });
    },
    readiness,
    async close(closeOptions = {}) {
      const adminClosed = adminServer?.listening
        ? new Promise<void>((resolve) => adminServer.close(() => resolve()))
        : Promise.resolve();
      adminServer?.closeAllConnections();
      const { forcedConnections } = await closer.close(closeOptions.timeoutMs ?? 20_000);
      await adminClosed;
      if (forcedConnections > 0)
        options.logger.warn(
          { forcedConnections },
          'shutdown bound reached: connections still busy were closed',
        );
      await housekeeper.stop();
      // Each dispatcher finishes its call in flight, so nothing is sent twice needlessly.
      await Promise.all([...dispatchers.values()].map((dispatcher) => dispatcher.stop()));
      for (const channel of deliveries) channel.close?.();
      await closeStore();
    },
  };
}
