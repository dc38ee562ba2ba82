/**
 * `/metrics` in the Prometheus text format: the outbox figures per channel
 * (read from the store at scrape time, so every process sharing the database
 * reports the same), SOAP requests per operation and outcome with their
 * latency, and the usual process figures.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OutboxStore } from '../outbox/outbox-store.ts';
import type { SoapRequestSummary } from '../soap/http-binding.ts';

export interface MetricsOptions {
  readonly outbox: OutboxStore;
  /** Channels to report, e.g. `['engagement-index']`. */
  readonly channels: readonly string[];
  readonly now?: () => number;
  /** Process figures (CPU, memory, event loop); on by default. */
  readonly processMetrics?: boolean;
  /** How often the store found its database unavailable, by reason (`CalendarStore.unavailableCounts`). */
  readonly storeUnavailable?: () => Readonly<Record<string, number>>;
}

export interface Metrics {
  readonly registry: Registry;
  /** The SOAP binding's `onRequest` hook. */
  readonly onSoapRequest: (summary: SoapRequestSummary) => void;
  /** Serves `GET /metrics`, as an `extraRoutes` entry. */
  readonly route: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
}

/** VP gives up at about 27 s (rivta-spec §1); the buckets straddle the 3 s p95 goal. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3, 5, 10, 27];

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  const now = options.now ?? Date.now;
  if (options.processMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'tidbok_' });

  // One status read per scrape, shared by the four outbox gauges.
  let snapshot: Promise<Map<string, Awaited<ReturnType<OutboxStore['status']>>>> | undefined;
  const statuses = () => {
    snapshot ??= (async () => {
      const out = new Map<string, Awaited<ReturnType<OutboxStore['status']>>>();
      for (const channel of options.channels)
        out.set(channel, await options.outbox.status(channel, now()));
      return out;
    })().finally(() => setImmediate(() => (snapshot = undefined)));
    return snapshot;
  };
  const outboxGauge = (
    name: string,
    help: string,
    value: (s: Awaited<ReturnType<OutboxStore['status']>>) => number,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['channel'],
      registers: [registry],
      async collect() {
        for (const [channel, status] of await statuses()) this.set({ channel }, value(status));
      },
    });
  outboxGauge(
    'tidbok_outbox_pending',
    'Outbox messages waiting to be delivered, including those waiting for a retry.',
    (s) => s.pending,
  );
  outboxGauge(
    'tidbok_outbox_in_flight',
    'Outbox messages claimed by a dispatcher and being delivered.',
    (s) => s.inFlight,
  );
  outboxGauge(
    'tidbok_outbox_dead_letters',
    'Outbox messages that failed permanently and wait for an operator (tidbok outbox retry).',
    (s) => s.dead.length,
  );
  outboxGauge(
    'tidbok_outbox_oldest_pending_age_seconds',
    'Age of the oldest outbox message not yet delivered; 0 when none waits.',
    (s) => (s.oldestPendingAgeMs ?? 0) / 1000,
  );

  const storeUnavailable = options.storeUnavailable;
  if (storeUnavailable)
    new Counter({
      name: 'tidbok_store_unavailable_total',
      help: 'Times the database could not do the work (busy: another process held the write lock; connection-lost), retries included.',
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [reason, count] of Object.entries(storeUnavailable()))
          this.inc({ reason }, count);
      },
    });

  const requests = new Counter({
    name: 'tidbok_soap_requests_total',
    help: 'SOAP requests answered, by operation and outcome (resultCode OK/INFO/ERROR, or fault).',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'tidbok_soap_request_duration_seconds',
    help: 'Time from receiving a SOAP request to answering it, by operation and outcome.',
    labelNames: ['operation', 'outcome'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });

  return {
    registry,
    onSoapRequest(summary) {
      const labels = { operation: summary.operation, outcome: summary.outcome };
      requests.inc(labels);
      latency.observe(labels, summary.durationMs / 1000);
    },
    async route(req, res, url) {
      if (url.pathname !== '/metrics') return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET', 'Content-Type': 'text/plain; charset=UTF-8' });
        res.end('Method not allowed\n');
        return true;
      }
      const text = await registry.metrics();
      res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : text);
      return true;
    },
  };
}
