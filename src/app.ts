/**
 * Composition root: store → domain service → operations → HTTP server. Used by
 * `main.ts` and by end-to-end tests, so the tests run exactly what ships.
 */
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { CalendarStore } from './store/calendar-store.ts';
import type { SchedulingService } from './domain/scheduling-service.ts';
import type { BookingChangeListener } from './domain/booking-change.ts';
import { createOperations } from './operations/registry.ts';
import type { AnyOperation } from './operations/operation.ts';
import { createHttpServer, type HttpServerDeps } from './http/server.ts';
import type { Logger } from './logging/logger.ts';
import type { SoapBindingLimits } from './soap/http-binding.ts';
import type { OutboxStore } from './outbox/outbox-store.ts';
import { OutboxDispatcher } from './outbox/outbox-dispatcher.ts';
import type { RetrySchedule } from './outbox/retry-schedule.ts';
import { EngagementIndexChannel } from './channels/engagement-index/engagement-index-channel.ts';
import { EI_CHANNEL, type EiConfig } from './channels/engagement-index/engagement-mapping.ts';
import { createServices } from './services.ts';
import { createAdminApi } from './admin/admin-api.ts';
import { engagementIndexRoutes } from './admin/routes/engagement-index-routes.ts';
import type { AdminRouteContribution } from './admin/admin-route.ts';
import { createMetrics, type Metrics } from './metrics/metrics.ts';
import { Housekeeper } from './housekeeping/housekeeper.ts';
import { mutualTlsOptions, type TlsMaterial } from './http/tls.ts';
import type { AccessPolicy } from './http/access-control.ts';
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
   * Engagement index reporting: every booking change gets its EI outbox
   * messages; with `ei.url` set, a dispatcher delivers them (start it with
   * {@link App.startDispatcher}).
   */
  readonly ei?: EiConfig;
  /** Knobs for the EI dispatcher: tests shorten gaps, polls and backoff; `EI_LEASE_MS` sets the lease. */
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
  readonly extraRoutes?: HttpServerDeps['extraRoutes'];
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

/** What `/health/ready` reports. */
export interface Readiness {
  readonly ready: boolean;
  /** False once a shutdown has begun, so load balancers stop sending. */
  readonly accepting: boolean;
  readonly store: StoreHealth;
  /** Whether the EI dispatcher runs; `not configured` without an EI URL. */
  readonly dispatcher: 'running' | 'stopped' | 'not configured';
}

export interface App {
  readonly store: CalendarStore;
  readonly service: SchedulingService;
  readonly operations: readonly AnyOperation[];
  readonly server: Server;
  readonly outbox: OutboxStore;
  /** Present when EI reporting has a URL to deliver to. */
  readonly dispatcher: OutboxDispatcher | undefined;
  /** Passed bookings and expired invitations leave EI through this periodic job. */
  readonly housekeeper: Housekeeper;
  /** The `/metrics` registry and SOAP hook. */
  readonly metrics: Metrics;
  /** Starts delivering outbox messages (no-op without a dispatcher). */
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
  // The service wakes the dispatcher, which needs the outbox the services create.
  const wake: { dispatcher?: OutboxDispatcher } = {};
  const {
    store,
    outbox,
    service,
    close: closeStore,
  } = createServices({
    store: options.store,
    ...(options.ei ? { ei: options.ei } : {}),
    ...(options.listeners ? { listeners: options.listeners } : {}),
    // Wake the dispatcher as soon as a change commits, instead of waiting for its poll.
    onCommitted: () => wake.dispatcher?.notify(),
    ...(options.now ? { now: options.now } : {}),
  });
  const channel = options.ei?.url
    ? new EngagementIndexChannel(options.ei, {
        ...(options.dispatch?.keyGapMs !== undefined
          ? { keyGapMs: options.dispatch.keyGapMs }
          : {}),
      })
    : undefined;
  const dispatcher = channel
    ? new OutboxDispatcher({
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
      })
    : undefined;
  wake.dispatcher = dispatcher;
  const operations = createOperations(service, {
    version: packageJson.version,
    startedAtUtcMs: Date.now(),
    storeKind: store.capabilities.supportsSeveralProcesses ? 'postgresql' : 'sqlite',
  });
  const metrics = createMetrics({
    outbox,
    channels: [EI_CHANNEL],
    now,
    processMetrics: options.processMetrics ?? true,
  });
  const admin = createAdminApi({
    token: options.adminToken,
    service,
    outbox,
    notify: () => dispatcher?.notify(),
    now,
    logger: options.logger,
    version: packageJson.version,
    contributed: [engagementIndexRoutes(options.ei), ...(options.adminRoutes ?? [])],
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
    const dispatcherState = !dispatcher
      ? ('not configured' as const)
      : dispatcher.isRunning
        ? ('running' as const)
        : ('stopped' as const);
    return {
      ready:
        accepting &&
        storeHealth.reachable &&
        storeHealth.migrationsApplied !== false &&
        dispatcherState !== 'stopped',
      accepting,
      store: storeHealth,
      dispatcher: dispatcherState,
    };
  };
  const adminOnSoapListener = options.adminListener === 'soap';
  // The admin API holds every patient's bookings: by default it stays off the
  // SOAP listener (issue 6), on a listener of its own that operators bind to
  // loopback or an internal network.
  const adminServer =
    options.adminToken !== undefined && !adminOnSoapListener
      ? createServer((req, res) => {
          const url = new URL(req.url ?? '/', 'http://localhost');
          Promise.resolve(admin(req, res, url))
            .then((handled) => {
              if (!handled) {
                res.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' });
                res.end('No service at this address\n');
              }
            })
            .catch((err: unknown) => {
              options.logger.error({ err }, 'unhandled error in the admin API');
              if (!res.headersSent) res.writeHead(500).end();
              else res.destroy();
            });
        })
      : undefined;
  const server = createHttpServer({
    operations,
    isKnownFacility: async (hsaId) => (await store.getFacility(hsaId)) !== undefined,
    producerHsaId: options.producerHsaId,
    logger: options.logger,
    onRequest: metrics.onSoapRequest,
    ...(options.now ? { now: options.now } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    extraRoutes: [
      ...(adminOnSoapListener ? [admin] : []),
      metrics.route,
      ...(options.extraRoutes ?? []),
    ],
    ...(options.tls ? { tls: mutualTlsOptions(options.tls) } : {}),
    ...(options.access ? { access: options.access } : {}),
    readiness,
  });
  const closer = gracefulCloser(server, options.shutdown);
  const scheme = options.tls ? 'https' : 'http';

  return {
    store,
    service,
    operations,
    server,
    outbox,
    dispatcher,
    housekeeper,
    metrics,
    startDispatcher() {
      dispatcher?.start();
    },
    startHousekeeping() {
      housekeeper.start();
    },
    listen(port, host = '0.0.0.0') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const { port: actual } = server.address() as AddressInfo;
          resolve(`${scheme}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}`);
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
      // The dispatcher finishes its call in flight, so nothing is sent twice needlessly.
      await dispatcher?.stop();
      channel?.close();
      await closeStore();
    },
  };
}
