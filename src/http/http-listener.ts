/**
 * The HTTP layer: one listener (plain HTTP, or HTTPS with client
 * certificates) that hands each request to the handlers mounted on it, in
 * order, until one answers: SOAP calls and contract documents, health,
 * metrics, the admin API, the console. It knows nothing of SOAP or JSON;
 * it owns what every handler needs alike:
 *
 * - **No request ends the process.** A request target that is not a URL is
 *   answered 400; an error a handler throws or rejects with is logged and
 *   answered 500 (or, when the answer had begun, the connection is closed).
 * - **Who may call.** With a caller check (mutual TLS), a refused caller is
 *   answered 403 by the listener, and the refusal logged, on every path
 *   except those of handlers that refuse in their own protocol (SOAP
 *   faults) or are open by design (`/health/live`).
 * - **Bounds on slow and silent clients**: header, request and keep-alive
 *   timeouts and a connection limit ({@link ListenerLimits}).
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Logger } from '../logging/logger.ts';
import { maskPersonIdsInText } from '../domain/personnummer.ts';
import {
  BadRequestTargetError,
  plainText,
  requestTarget,
  type HttpHandler,
} from './http-handler.ts';

/** Bounds on clients; see {@link defaultListenerLimits}. */
export interface ListenerLimits {
  /**
   * Time to receive a request's headers (ms); also how long a new
   * connection may stay silent, and how long a TLS handshake may take.
   */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request (ms). */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open after an answer (ms). */
  readonly keepAliveTimeoutMs: number;
  /** Connections open at once; more are closed as they arrive. */
  readonly maxConnections: number;
}

export const defaultListenerLimits: ListenerLimits = {
  // VP itself gives up after ~29 s (rivta-spec §1).
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 55_000,
  maxConnections: 1_000,
};

/** Why a caller may not use this listener, or undefined when it may. */
export type CallerCheck = (req: IncomingMessage) => string | undefined;

export interface HttpListenerOptions {
  /** Asked in order; the first to answer ends the search; nobody: 404. */
  readonly handlers: readonly HttpHandler[];
  readonly logger: Logger;
  /** HTTPS options (mutual TLS, see tls.ts); absent serves plain HTTP. */
  readonly tls?: HttpsOptions;
  /** The caller check of every path whose handler leaves it to the listener. */
  readonly callerCheck?: CallerCheck;
  readonly limits?: Partial<ListenerLimits>;
}

export function createHttpListener(options: HttpListenerOptions): Server {
  const { handlers, logger, callerCheck } = options;
  const limits = { ...defaultListenerLimits, ...options.limits };

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = requestTarget(req.url);
    const refusal = callerCheck?.(req);
    for (const handler of handlers) {
      if (refusal !== undefined && (handler.callerCheck ?? 'listener') === 'listener') continue;
      if (await handler.handle(req, res, target)) return;
    }
    if (refusal === undefined) {
      plainText(res, 404, 'No service at this address\n');
      return;
    }
    logger.warn(
      { method: req.method, path: maskPersonIdsInText(target.url.pathname.slice(0, 200)), refusal },
      'http request refused: caller not allowed',
    );
    plainText(res, 403, `Forbidden: ${refusal}\n`);
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    dispatch(req, res).catch((err: unknown) => {
      if (err instanceof BadRequestTargetError) {
        if (!res.headersSent) plainText(res, 400, 'Bad request target\n', { Connection: 'close' });
        return;
      }
      logger.error({ err, method: req.method }, 'unhandled error in HTTP handler');
      if (!res.headersSent) plainText(res, 500, 'Internal error\n');
      else res.destroy();
    });
  };

  // Node enforces the header and request timeouts on this beat (30 s by default).
  const checking = {
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, limits.headersTimeoutMs / 4)),
  };
  const server: Server = options.tls
    ? createHttpsServer(
        // A client that never finishes its TLS handshake is bounded like one that never sends headers.
        { ...options.tls, ...checking, handshakeTimeout: limits.headersTimeoutMs },
        onRequest,
      )
    : createServer(checking, onRequest);
  // Node's header timeout only starts with the first byte: a connection that
  // never sends one would stay open for good. An idle timeout on the new
  // connection closes it; the first request lifts it (a handler may take
  // longer than that without the socket carrying a byte), and from then on
  // the request and keep-alive timeouts bound the connection.
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    socket.setTimeout(limits.headersTimeoutMs);
  });
  server.prependListener('request', (req: IncomingMessage) => {
    if (req.socket.timeout === limits.headersTimeoutMs) req.socket.setTimeout(0);
  });
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  return server;
}
