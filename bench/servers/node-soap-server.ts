/**
 * The baseline a TypeScript developer would reach for: the `soap` package
 * (node-soap) serving the same operations from the same data. Requests are
 * dispatched by node-soap from a WSDL; the handlers turn node-soap's argument
 * objects into our decoded requests and call the very same operation
 * handlers (SchedulingService, CalendarStore), so the data path is equal and
 * only the SOAP layer differs.
 *
 * node-soap cannot dispatch the national WSDL shape, where the request
 * message lists its header parts before `parameters`: it takes the first part
 * as the body. So the WSDLs here are a variant of our generated ones with the
 * header parts moved after `parameters`. node-soap also writes the response
 * elements in the wrong namespaces, so its answers are not schema-valid (the
 * runner shows the first validation error).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as soap from 'soap';
import { SchedulingService } from '../../src/domain/scheduling-service.ts';
import { createOperations } from '../../src/operations/registry.ts';
import { createStore } from '../../src/store/create-store.ts';
import { failChild, serveChild } from './child-protocol.ts';
import { defined, fromSoapArgs, writeVariantContractFiles } from './node-soap-variant.ts';

/** The operations the benchmarks call; node-soap chains one request listener per path. */
const SERVED = [
  'GetAvailableTimeslots',
  'GetSubjectOfCareSchedule',
  'GetBookingDetails',
  'MakeBooking',
];

async function main() {
  const path = process.env['BENCH_STORE'];
  if (!path) throw new Error('BENCH_STORE is not set');
  const store = createStore(`sqlite:${path}`);
  const service = new SchedulingService({ store });
  const operations = createOperations(service, {
    version: 'bench',
    startedAtUtcMs: Date.now(),
    storeKind: 'sqlite',
  });

  const dir = mkdtempSync(join(tmpdir(), 'tidbok-bench-node-soap-'));
  const wsdls = writeVariantContractFiles(dir);

  const server = createServer((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  server.keepAliveTimeout = 65_000;
  for (const name of SERVED) {
    const operation = operations.find((o) => o.interaction.name === name);
    const wsdlFile = wsdls.get(name);
    if (!operation || !wsdlFile) throw new Error(`no operation or WSDL for ${name}`);
    const { interaction } = operation;
    const method = async (args: Record<string, unknown>, _cb: unknown, headers: unknown) => {
      const logicalAddress = String(
        (headers as { LogicalAddress?: unknown } | undefined)?.LogicalAddress ?? '',
      );
      // The same facility check our binding makes, through the same kind of view.
      const calendar = store.view();
      if (!(await calendar.getFacility(logicalAddress)))
        throw { Fault: { faultcode: 'soap:Client', faultstring: 'unknown LogicalAddress' } };
      const response = await operation.withTypes((op) =>
        op.handle(fromSoapArgs(interaction.request, args) as never, {
          logicalAddress,
          actor: undefined,
          nowUtcMs: Date.now(),
          correlationId: 'bench',
          calendar,
        }),
      );
      return defined(response);
    };
    // node-soap loads the WSDL's schema imports asynchronously; it calls back when ready.
    await new Promise<void>((resolve, reject) => {
      soap.listen(server, {
        path: interaction.path,
        services: {
          [`${name}ResponderService`]: { [`${name}ResponderPort`]: { [name]: method } },
        },
        xml: wsdlFile.xml,
        uri: wsdlFile.path,
        suppressStack: true,
        callback: (err: unknown) => (err ? reject(err as Error) : resolve()),
      });
    });
  }
  await serveChild(server, async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
}

main().catch(failChild);
