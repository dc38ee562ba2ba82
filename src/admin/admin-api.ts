/**
 * The admin HTTP API (JSON under `/admin/`): staff actions on bookings and
 * invitations, the outbox view and retry, and the EI reload. Mounted on the
 * SOAP server through its `extraRoutes` hook.
 *
 * Access: `Authorization: Bearer <TIDBOK_ADMIN_TOKEN>`. Without a configured
 * token the whole API is switched off and `/admin/…` answers 404 like any
 * unknown address. (Client-certificate access on a separate listener is
 * planned.)
 *
 * Errors are JSON `{ "error": "…" }`: 400 for a bad request, 401 without a
 * valid token, 404 for something unknown, 409 when the booking rules refuse
 * (with the refusal text patients would see, in Swedish).
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpServerDeps } from '../http/server.ts';
import type { Logger } from '../logging/logger.ts';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import type { OutboxStore } from '../outbox/outbox-store.ts';
import type { EiConfig } from '../channels/engagement-index/engagement-mapping.ts';
import { AdminHttpError } from './admin-http-error.ts';
import { StaffActionError } from './staff-actions.ts';
import { bookingRoutes } from './routes/booking-routes.ts';
import { outboxRoutes } from './routes/outbox-routes.ts';
import { engagementIndexRoutes } from './routes/engagement-index-routes.ts';

/** What route handlers may use. */
export interface AdminContext {
  readonly service: SchedulingService;
  readonly outbox: OutboxStore;
  /** EI settings for the reload; absent when EI reporting is not configured. */
  readonly ei: EiConfig | undefined;
  /** Wakes the outbox dispatcher after something was queued. */
  readonly notify: () => void;
  readonly now: () => number;
}

/** One request to a route, with its path parameters and parsed JSON body. */
export interface AdminRequest {
  readonly params: readonly string[];
  readonly url: URL;
  /** The JSON body; `undefined` when there was none. */
  readonly body: unknown;
}

export interface AdminRoute {
  readonly method: 'GET' | 'POST';
  /** Matched against the path; capture groups become `params` (URL-decoded). */
  readonly path: RegExp;
  /** Resolves to the JSON answer, sent with status 200 (or `status` when given). */
  readonly handle: (
    request: AdminRequest,
    context: AdminContext,
  ) => Promise<{ status?: number; body: unknown }>;
}

export interface AdminApiOptions extends AdminContext {
  /** The bearer token; undefined switches the API off (404). */
  readonly token: string | undefined;
  readonly logger: Logger;
}

const MAX_BODY_BYTES = 256 * 1024;

const routes: readonly AdminRoute[] = [...bookingRoutes, ...outboxRoutes, ...engagementIndexRoutes];

function sendJson(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares through fixed-length digests, so neither length nor content leaks through timing. */
function tokenMatches(given: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(given), expected);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new AdminHttpError(413, `the request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AdminHttpError(400, 'the request body is not valid JSON');
  }
}

const STATUS_OF: Record<StaffActionError['kind'], number> = {
  invalid: 400,
  'not-found': 404,
  refused: 409,
};

/** The admin API as an `extraRoutes` entry of the HTTP server. */
export function createAdminApi(
  options: AdminApiOptions,
): NonNullable<HttpServerDeps['extraRoutes']>[number] {
  const expected = options.token !== undefined ? digest(options.token) : undefined;
  return async (req, res, url) => {
    if (url.pathname !== '/admin' && !url.pathname.startsWith('/admin/')) return false;
    if (!expected) return false; // switched off: the server answers 404

    const auth = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!match || !tokenMatches(match[1]!, expected)) {
      // Drain nothing: the connection closes with the answer.
      res.setHeader('Connection', 'close');
      sendJson(
        res,
        401,
        { error: match ? 'the bearer token is not valid' : 'Authorization: Bearer <token> needed' },
        { 'WWW-Authenticate': match ? 'Bearer error="invalid_token"' : 'Bearer' },
      );
      return true;
    }

    const path = url.pathname.replace(/\/+$/, '');
    const onPath = routes.filter((r) => r.path.test(path));
    const route = onPath.find((r) => r.method === req.method);
    if (!route) {
      if (onPath.length > 0)
        sendJson(
          res,
          405,
          { error: `use ${onPath.map((r) => r.method).join(' or ')} here` },
          {
            Allow: onPath.map((r) => r.method).join(', '),
          },
        );
      else sendJson(res, 404, { error: `no admin resource at ${url.pathname}` });
      return true;
    }
    try {
      const params = (route.path.exec(path) ?? []).slice(1).map((p) => decodeURIComponent(p));
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      const answer = await route.handle({ params, url, body }, options);
      sendJson(res, answer.status ?? 200, answer.body);
    } catch (err) {
      if (err instanceof StaffActionError)
        sendJson(res, STATUS_OF[err.kind], { error: err.message });
      else if (err instanceof AdminHttpError) sendJson(res, err.status, { error: err.message });
      else {
        options.logger.error({ err, path: url.pathname }, 'admin request failed');
        sendJson(res, 500, { error: 'an internal error stopped the request' });
      }
    }
    return true;
  };
}
