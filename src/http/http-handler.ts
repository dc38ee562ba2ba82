/**
 * What the HTTP layer mounts: handlers that each answer the requests that
 * are theirs (SOAP calls, contract documents, health, metrics, the admin
 * API, the console) and pass the rest on.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The request target, as sent and, parsed on first use, as a URL. */
export interface RequestTarget {
  /** `req.url` as sent: the fast path compares it as it is. */
  readonly raw: string;
  /** The target resolved against `http://localhost`; throws {@link BadRequestTargetError} when it is none. */
  readonly url: URL;
}

/** A request target that is not a URL (`GET http://x:99999/ HTTP/1.1`); answered 400. */
export class BadRequestTargetError extends Error {
  override readonly name = 'BadRequestTargetError';
}

export function requestTarget(raw: string | undefined): RequestTarget {
  let url: URL | undefined;
  const target = raw ?? '/';
  return {
    raw: target,
    get url() {
      if (!url)
        try {
          url = new URL(target, 'http://localhost');
        } catch {
          throw new BadRequestTargetError('the request target is not a valid URL');
        }
      return url;
    },
  };
}

/**
 * One handler of a listener. Handlers are asked in the order they are
 * mounted; the first to answer ends the search.
 */
export interface HttpHandler {
  /** For logs. */
  readonly name: string;
  /**
   * Who turns away a caller the listener's caller check refuses:
   * `listener` (the default: such a caller never reaches the handler; the
   * listener answers 403), `self` (the handler answers the refusal in its
   * own protocol, e.g. a SOAP fault; it is given the request), or `open`
   * (no check: liveness for load balancers).
   */
  readonly callerCheck?: 'listener' | 'self' | 'open';
  /** Answers and returns true, or returns false to pass the request on. */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    target: RequestTarget,
  ): boolean | Promise<boolean>;
}

/** A handler from a function that looks at the parsed URL (metrics, test routes). */
export function urlHandler(
  name: string,
  route: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>,
): HttpHandler {
  return { name, handle: (req, res, target) => route(req, res, target.url) };
}

/**
 * A handler for an Express application (the admin API, the console): it
 * answers every request under its path prefixes, and Express answers them
 * all, its errors included (give the app an error handler).
 */
export function expressHandler(
  name: string,
  app: (req: IncomingMessage, res: ServerResponse) => void,
  prefixes: readonly string[],
): HttpHandler {
  return {
    name,
    handle(req, res, target) {
      const { pathname } = target.url;
      if (!prefixes.some((p) => pathname === p || pathname.startsWith(`${p}/`))) return false;
      app(req, res);
      return true;
    },
  };
}

export function plainText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): true {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=UTF-8', ...headers });
  res.end(text);
  return true;
}
