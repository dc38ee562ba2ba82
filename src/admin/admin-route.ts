/**
 * One route of the admin API, as a small typed spec: method, Express path,
 * zod schemas for the JSON body and the query, and a handler that receives
 * the parsed, typed values. The same spec mounts the route on Express and
 * describes it in the OpenAPI document at `/admin/openapi.json`.
 *
 * Other modules contribute routes the same way (see
 * {@link AdminRouteContribution}): a channel's reload, webhook subscriptions.
 *
 * @module
 */
import { z } from 'zod';
import type { SchedulingService } from '../domain/scheduling-service.ts';
import type { OutboxStore } from '../outbox/outbox-store.ts';
import { readInput } from '../staff/staff-inputs.ts';

/** What a route answers: the JSON body, sent with `status` (200 unless the spec says otherwise). */
export interface AdminAnswer {
  readonly status?: number;
  readonly body: unknown;
}

/** A route as the admin API mounts and documents it; make one with {@link defineAdminRoute}. */
export interface AdminRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** An Express path under `/admin/`, e.g. `/admin/bookings/:id`. */
  readonly path: string;
  /** One line for the OpenAPI document. */
  readonly summary: string;
  readonly body: z.ZodType;
  readonly query: z.ZodObject;
  /** The status of a successful answer (200 by default), for the OpenAPI document. */
  readonly status: number;
  /** The schema of a successful answer, for the OpenAPI document. */
  readonly answer?: z.ZodType;
  /** Checks the untyped request against the schemas, then runs the handler. */
  readonly run: (request: UntypedRequest) => Promise<unknown>;
}

/** A request as Express hands it over: path parameters decoded, body parsed as JSON, query parsed. */
export interface UntypedRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly query: unknown;
}

/** What {@link defineAdminRoute} takes: the schemas, and a handler typed by them. */
export interface AdminRouteSpec<Body extends z.ZodType, Query extends z.ZodObject> {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly summary: string;
  /** The JSON body's schema; {@link noBody} for none. A missing body is read as `{}`. */
  readonly body: Body;
  /** The query's schema; {@link noQuery} for none. */
  readonly query: Query;
  readonly status?: 200 | 201;
  readonly answer?: z.ZodType;
  readonly handle: (request: {
    readonly params: Readonly<Record<string, string>>;
    readonly body: z.output<Body>;
    readonly query: z.output<Query>;
  }) => Promise<unknown>;
}

/**
 * A typed admin route. Body and query are checked with their schemas before
 * the handler runs; a mismatch is answered 400 with every problem named (and
 * no value quoted).
 */
export function defineAdminRoute<Body extends z.ZodType, Query extends z.ZodObject>(
  spec: AdminRouteSpec<Body, Query>,
): AdminRoute {
  const { handle, status = 200, ...described } = spec;
  return {
    ...described,
    status,
    run: (request) =>
      handle({
        params: request.params,
        body: readInput(spec.body, request.body),
        query: readInput(spec.query, request.query),
      }),
  };
}

/** The body schema of a route that takes none (whatever is sent is ignored). */
export const noBody = z.object({});
/** The query schema of a route that takes none. */
export const noQuery = z.object({});

/** What the admin API lends to contributed routes. */
export interface AdminRouteContext {
  readonly service: SchedulingService;
  readonly outbox: OutboxStore;
  /** Wakes the outbox dispatchers after something was queued. */
  readonly notify: () => void;
  readonly now: () => number;
}

/**
 * How another module adds routes to the admin API: a function from the
 * shared context to its routes, each made with {@link defineAdminRoute} so
 * it is validated, authenticated (the admin bearer token) and documented in
 * `/admin/openapi.json` like the API's own. Paths must start with `/admin/`
 * and must not collide with another route.
 *
 * @example A channel's reload:
 * ```ts
 * export const eiAdminRoutes = (ei: EiConfig): AdminRouteContribution => ({ service, notify, now }) => [
 *   defineAdminRoute({
 *     method: 'POST',
 *     path: '/admin/ei/reload',
 *     summary: "Re-send a facility's current engagements",
 *     body: noBody,
 *     query: z.object({ facility: z.string() }),
 *     handle: async ({ query }) => { … },
 *   }),
 * ];
 * ```
 */
export type AdminRouteContribution = (context: AdminRouteContext) => readonly AdminRoute[];
