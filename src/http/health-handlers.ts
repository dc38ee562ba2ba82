/**
 * `/health/live` and `/health/ready`. Liveness is open on every listener
 * (load balancers probe it without a client certificate); readiness reports
 * the store and dispatchers, so it is behind the listener's caller check.
 */
import type { HttpHandler } from './http-handler.ts';
import { plainText } from './http-handler.ts';

export const livenessHandler: HttpHandler = {
  name: 'health/live',
  callerCheck: 'open',
  handle: (_req, res, target) =>
    target.url.pathname === '/health/live' && plainText(res, 200, 'ok\n'),
};

/** `/health/ready`: 200 when `ready`, else 503, with the checks as JSON. */
export function readinessHandler(
  readiness: () => Promise<{ readonly ready: boolean }>,
): HttpHandler {
  return {
    name: 'health/ready',
    async handle(_req, res, target) {
      if (target.url.pathname !== '/health/ready') return false;
      const report = await readiness();
      res.writeHead(report.ready ? 200 : 503, {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
      });
      res.end(JSON.stringify(report));
      return true;
    },
  };
}
