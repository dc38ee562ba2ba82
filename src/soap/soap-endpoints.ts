/**
 * The SOAP side of a listener, as two handlers for the HTTP layer: calls
 * (POST to an operation's address; a caller the access check refuses gets a
 * SOAP fault, so this handler checks callers itself) and contract documents
 * (GET `?wsdl`, `?xsd=…` at the same address; other methods 405), behind
 * the listener's caller check like any other path.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { HttpHandler } from '../http/http-handler.ts';
import { plainText } from '../http/http-handler.ts';
import type { AnyOperation } from '../operations/operation.ts';
import { serveContractDocument } from './contract-documents.ts';
import { createSoapBinding, type SoapBindingDeps } from './http-binding.ts';

export interface SoapEndpoints {
  readonly calls: HttpHandler;
  readonly documents: HttpHandler;
}

/** The URL a client used, for the WSDL's soap:address (behind a proxy, X-Forwarded-* win). */
function endpointUrl(req: IncomingMessage, path: string): string {
  const secure = 'encrypted' in req.socket;
  const proto =
    (req.headers['x-forwarded-proto'] as string | undefined)?.split(',')[0] ??
    (secure ? 'https' : 'http');
  const host =
    (req.headers['x-forwarded-host'] as string | undefined) ?? req.headers.host ?? 'localhost';
  return `${proto}://${host}${path}`;
}

export function createSoapEndpoints(deps: SoapBindingDeps): SoapEndpoints {
  const handleSoap = createSoapBinding(deps);
  const byPath = new Map<string, AnyOperation>(
    deps.operations.map((op) => [op.interaction.path, op]),
  );
  return {
    calls: {
      name: 'soap',
      callerCheck: 'self',
      async handle(req, res, target) {
        if (req.method !== 'POST') return false;
        // A call to an operation's exact address needs no URL parsing: the
        // most common request by far.
        const operation = byPath.get(target.raw) ?? byPath.get(target.url.pathname);
        if (!operation) return false;
        await handleSoap(req, res, operation);
        return true;
      },
    },
    documents: {
      name: 'contract documents',
      handle(req, res, target) {
        const { pathname, searchParams } = target.url;
        const operation = byPath.get(pathname);
        if (!operation) return false;
        if (req.method !== 'GET' && req.method !== 'HEAD')
          return plainText(res, 405, 'Method not allowed\n', { Allow: 'GET, POST' });
        const doc = serveContractDocument(
          operation.interaction,
          searchParams,
          endpointUrl(req, pathname),
        );
        if (!doc)
          return plainText(
            res,
            200,
            `${operation.interaction.name}: POST SOAP 1.1 here, or GET ?wsdl\n`,
          );
        res.writeHead(doc.status, { 'Content-Type': doc.contentType });
        res.end(req.method === 'HEAD' ? undefined : doc.body);
        return true;
      },
    },
  };
}
