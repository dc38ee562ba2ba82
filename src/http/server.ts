/**
 * The HTTP front: routes each contract's path to the SOAP binding (POST) or
 * its WSDL/XSD (GET ?wsdl, ?xsd=…), plus liveness. Anything else is 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { AnyOperation } from '../operations/operation.ts';
import { createSoapBinding, type SoapBindingDeps } from '../soap/http-binding.ts';
import { serveContractDocument } from '../soap/contract-documents.ts';

export interface HttpServerDeps extends SoapBindingDeps {
  /** Extra routes tried before 404 (admin API, metrics); return true when handled. */
  readonly extraRoutes?: readonly ((
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ) => Promise<boolean> | boolean)[];
  /** HTTPS options (mutual TLS, see tls.ts); absent serves plain HTTP. */
  readonly tls?: HttpsOptions;
  /** Readiness for `/health/ready`: 200 when `ready`, else 503, with the checks as JSON. */
  readonly readiness?: () => Promise<{ readonly ready: boolean }>;
}

function plain(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=UTF-8', ...headers });
  res.end(text);
}

/** The URL a client used, for the WSDL's soap:address (behind a proxy, X-Forwarded-* win). */
function endpointUrl(req: IncomingMessage, path: string, secure: boolean): string {
  const proto =
    (req.headers['x-forwarded-proto'] as string | undefined)?.split(',')[0] ??
    (secure ? 'https' : 'http');
  const host =
    (req.headers['x-forwarded-host'] as string | undefined) ?? req.headers.host ?? 'localhost';
  return `${proto}://${host}${path}`;
}

export function createHttpServer(deps: HttpServerDeps): Server {
  const handleSoap = createSoapBinding(deps);
  const byPath = new Map<string, AnyOperation>(
    deps.operations.map((op) => [op.interaction.path, op]),
  );

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      // A SOAP call to an operation's exact address needs no URL parsing, the
      // most common request by far; anything else is parsed and normalised.
      const exact = req.method === 'POST' ? byPath.get(req.url ?? '') : undefined;
      if (exact) return await handleSoap(req, res, exact);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const operation = byPath.get(url.pathname);
      if (operation) {
        if (req.method === 'POST') return await handleSoap(req, res, operation);
        if (req.method === 'GET' || req.method === 'HEAD') {
          const doc = serveContractDocument(
            operation.interaction,
            url.searchParams,
            endpointUrl(req, url.pathname, 'encrypted' in req.socket),
          );
          if (doc) {
            res.writeHead(doc.status, { 'Content-Type': doc.contentType });
            return res.end(req.method === 'HEAD' ? undefined : doc.body);
          }
          return plain(
            res,
            200,
            `${operation.interaction.name}: POST SOAP 1.1 here, or GET ?wsdl\n`,
          );
        }
        return plain(res, 405, 'Method not allowed\n', { Allow: 'GET, POST' });
      }
      if (url.pathname === '/health/live') return plain(res, 200, 'ok\n');
      if (url.pathname === '/health/ready' && deps.readiness) {
        const report = await deps.readiness();
        res.writeHead(report.ready ? 200 : 503, {
          'Content-Type': 'application/json',
          'Cache-Control': 'no-store',
        });
        return res.end(JSON.stringify(report));
      }
      for (const route of deps.extraRoutes ?? []) if (await route(req, res, url)) return;
      plain(res, 404, 'No service at this address\n');
    } catch (err) {
      deps.logger.error({ err }, 'unhandled error in HTTP handler');
      if (!res.headersSent) plain(res, 500, 'Internal error\n');
      else res.destroy();
    }
  };
  const server: Server = deps.tls ? createHttpsServer(deps.tls, handler) : createServer(handler);
  // Bounds on slow or stalled clients; VP itself gives up after ~29 s (rivta-spec §1).
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 65_000;
  return server;
}
