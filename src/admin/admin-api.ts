/**
 * The admin HTTP API (JSON under `/admin/`) on Express 5: staff actions on
 * bookings and invitations, the outbox view and retry, routes other modules
 * contribute (a channel's reload), and its OpenAPI document at
 * `GET /admin/openapi.json`, generated from the same zod schemas that check
 * the requests.
 *
 * Access: `Authorization: Bearer <TIDBOK_ADMIN_TOKEN>` on every route, the
 * OpenAPI document included. Without a configured token the whole API is
 * switched off and `/admin/…` answers 404 like any unknown address.
 *
 * Errors are JSON `{ "error": "…" }`: 400 for a bad request, 401 without a
 * valid token, 404 for something unknown, 405 for a known path with another
 * method, 409 when the booking rules refuse (with the refusal text patients
 * would see, in Swedish), 413 for a body over 256 KiB. No error text ever
 * holds a personnummer in clear.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { expressHandler, type HttpHandler } from '../http/http-handler.ts';
import type { Logger } from '../logging/logger.ts';
import { maskPersonIdsInText } from '../domain/personnummer.ts';
import { StaffActionError } from '../staff/staff-action-error.ts';
import { AdminHttpError } from './admin-http-error.ts';
import { adminOpenApiDocument } from './admin-openapi.ts';
import type { AdminRoute, AdminRouteContext, AdminRouteContribution } from './admin-route.ts';
import { outboxRoutes } from './routes/outbox-routes.ts';
import { staffRoutes } from './routes/staff-routes.ts';
import { facilityRoutes } from './routes/facility-routes.ts';

export interface AdminApiOptions extends AdminRouteContext {
  /** The bearer token; undefined switches the API off (404). */
  readonly token: string | undefined;
  readonly logger: Logger;
  /** Routes of other modules (see {@link AdminRouteContribution}). */
  readonly contributed?: readonly AdminRouteContribution[];
  /** The version in the OpenAPI document. */
  readonly version: string;
}

const MAX_BODY_BYTES = 256 * 1024;

const STATUS_OF: Record<StaffActionError['kind'], number> = {
  invalid: 400,
  'not-found': 404,
  refused: 409,
};

function sendJson(res: Response, status: number, body: unknown): void {
  res
    .status(status)
    .set({ 'Content-Type': 'application/json; charset=UTF-8', 'Cache-Control': 'no-store' })
    .send(`${JSON.stringify(body, null, 2)}\n`);
}

function sendError(res: Response, status: number, message: string): void {
  sendJson(res, status, { error: maskPersonIdsInText(message) });
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares through fixed-length digests, so neither length nor content leaks through timing. */
function bearerAuth(token: string) {
  const expected = digest(token);
  return (req: Request, res: Response, next: NextFunction) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (match && timingSafeEqual(digest(match[1]!), expected)) return next();
    // Read nothing more: the connection closes with the answer.
    res.set({
      Connection: 'close',
      'WWW-Authenticate': match ? 'Bearer error="invalid_token"' : 'Bearer',
    });
    sendError(
      res,
      401,
      match ? 'the bearer token is not valid' : 'Authorization: Bearer <token> needed',
    );
  };
}

/** The status and text of a refusal by Express or the body parser, or undefined for any other error. */
function bodyError(err: unknown): { status: number; message: string } | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  if ('type' in err && err.type === 'entity.parse.failed')
    return { status: 400, message: 'the request body is not valid JSON' };
  if ('type' in err && err.type === 'entity.too.large')
    return { status: 413, message: `the request body exceeds ${MAX_BODY_BYTES} bytes` };
  // Other refusals of Express and its body parser (a path that does not decode, a charset it
  // cannot read) carry their 4xx status; their messages may quote the input, so ours is generic.
  if ('status' in err && typeof err.status === 'number' && err.status >= 400 && err.status < 500)
    return { status: err.status, message: 'the request cannot be read' };
  return undefined;
}

const METHOD = { GET: 'get', POST: 'post', DELETE: 'delete' } as const;

function mount(router: express.Router, routes: readonly AdminRoute[]): void {
  const byPath = new Map<string, AdminRoute[]>();
  for (const route of routes) byPath.set(route.path, [...(byPath.get(route.path) ?? []), route]);
  for (const [path, onPath] of byPath) {
    const route = router.route(path);
    for (const spec of onPath)
      route[METHOD[spec.method]](async (req: Request, res: Response) => {
        const params = Object.fromEntries(
          Object.entries(req.params).map(([name, value]) => [name, String(value)]),
        );
        const answer = await spec.run({ params, body: req.body, query: req.query });
        sendJson(res, spec.status, answer);
      });
    const allowed = onPath.map((r) => r.method);
    route.all((_req: Request, res: Response) => {
      res.set('Allow', allowed.join(', '));
      sendError(res, 405, `use ${allowed.join(' or ')} here`);
    });
  }
}

/** The admin API's Express application (token required), for mounting on a listener. */
export function createAdminApp(options: AdminApiOptions & { readonly token: string }) {
  const routes = [
    ...staffRoutes(options.service),
    ...facilityRoutes(options.service.store),
    ...outboxRoutes(options),
    ...(options.contributed ?? []).flatMap((contribute) => contribute(options)),
  ];
  const openApi = adminOpenApiDocument(routes, options.version);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const router = express.Router();
  router.use(bearerAuth(options.token));
  // Every body is read as JSON, whatever its Content-Type says, as before Express.
  router.use(express.json({ type: () => true, limit: MAX_BODY_BYTES }));
  router.get('/admin/openapi.json', (_req, res) => sendJson(res, 200, openApi));
  mount(router, routes);
  router.use((req, res) => sendError(res, 404, `no admin resource at ${req.path}`));
  app.use(router);
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    // An answer already on its way: Express closes the connection.
    if (res.headersSent) return next(err);
    const readError = bodyError(err);
    if (err instanceof StaffActionError) sendError(res, STATUS_OF[err.kind], err.message);
    else if (err instanceof AdminHttpError) sendError(res, err.status, err.message);
    else if (readError) sendError(res, readError.status, readError.message);
    else {
      options.logger.error({ err, path: maskPersonIdsInText(req.path) }, 'admin request failed');
      sendError(res, 500, 'an internal error stopped the request');
    }
  });
  return app;
}

/**
 * The admin API as a handler of the HTTP layer: answers everything under
 * `/admin`, nothing else (and nothing at all without a token).
 */
export function createAdminApi(options: AdminApiOptions): HttpHandler {
  if (options.token === undefined) return { name: 'admin API (off)', handle: () => false };
  return expressHandler('admin API', createAdminApp({ ...options, token: options.token }), [
    '/admin',
  ]);
}
