/**
 * HTTP keep-alive load with autocannon (programmatic API), run in the
 * runner's process while every server runs in a process of its own.
 *
 * Latencies are taken from autocannon's per-response events in fractional
 * milliseconds (its own histogram rounds to whole milliseconds) and include
 * non-2xx answers (SOAP faults), so nothing slow is left out.
 */
import autocannon from 'autocannon';

export interface LoadSpec {
  /** Base URL of the server and the path to POST to. */
  readonly url: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  /** The body of the n-th request (0-based), so workloads can rotate bodies. */
  readonly body: (n: number) => string;
  readonly connections: number;
  /** Seconds; ignored when `amount` is set. */
  readonly durationSeconds?: number;
  /** Send exactly this many requests. */
  readonly amount?: number;
  /** Fixed overall rate (requests/s) instead of as fast as possible. */
  readonly overallRate?: number;
  /** Sees every answer, e.g. to count result codes. Costs the generator a join of the body's chunks. */
  readonly onResponse?: (status: number, body: string) => void;
  /** Sees every answer's HTTP status, without its body. */
  readonly onStatus?: (status: number) => void;
  /** Sees every latency (ms), e.g. to merge the percentiles of runs against several servers. */
  readonly onLatency?: (ms: number) => void;
}

export interface LoadResult {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly non2xx: number;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  let n = 0;
  const latencies: number[] = [];
  const startedAt = performance.now();
  let lastAt = startedAt;
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    pipelining: 1,
    timeout: 30,
    ...(spec.amount !== undefined
      ? { amount: spec.amount }
      : { duration: spec.durationSeconds ?? 10 }),
    ...(spec.overallRate !== undefined ? { overallRate: spec.overallRate } : {}),
    requests: [
      {
        method: 'POST',
        path: spec.path,
        headers: spec.headers,
        setupRequest: (request) => ({ ...request, body: spec.body(n++) }),
        ...(spec.onResponse ? { onResponse: spec.onResponse } : {}),
      },
    ],
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    spec.onStatus?.(status);
    latencies.push(ms);
    spec.onLatency?.(ms);
    lastAt = performance.now();
  });
  const result = await instance;
  const sorted = Float64Array.from(latencies).sort();
  const seconds =
    spec.amount !== undefined ? (lastAt - startedAt) / 1000 : Math.max(result.duration, 0.001);
  return {
    requests: latencies.length,
    requestsPerSecond: latencies.length / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1]! : NaN,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
