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
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as soap from 'soap';
import type { ComplexType } from '../../src/contracts/model.ts';
import { generateContractFiles } from '../../src/contracts/generate-files.ts';
import { SchedulingService } from '../../src/domain/scheduling-service.ts';
import { createOperations } from '../../src/operations/registry.ts';
import { createStore } from '../../src/store/create-store.ts';
import { failChild, serveChild } from './child-protocol.ts';

/** The operations the benchmarks call; node-soap chains one request listener per path. */
const SERVED = [
  'GetAvailableTimeslots',
  'GetSubjectOfCareSchedule',
  'GetBookingDetails',
  'MakeBooking',
];

/** Moves `parameters` to the front of every request message (node-soap reads the first part as the body). */
export function parametersFirst(wsdl: string): string {
  return wsdl.replace(
    /(<wsdl:message name="\w+Request">)([\s\S]*?)(<\/wsdl:message>)/g,
    (_all, open: string, parts: string, close: string) => {
      const lines = parts.split('\n').filter((l) => l.trim() !== '');
      const body = lines.filter((l) => l.includes('name="parameters"'));
      const headers = lines.filter((l) => !l.includes('name="parameters"'));
      return `${open}\n${[...body, ...headers].join('\n')}\n  ${close}`;
    },
  );
}

/** node-soap's argument object as our decoder would have produced it from the same XML. */
function fromSoapArgs(type: ComplexType, args: Record<string, unknown> | undefined): unknown {
  const out: Record<string, unknown> = {};
  for (const element of type.elements) {
    const raw = args?.[element.name];
    const convert = (value: unknown): unknown => {
      if (element.type.kind === 'complex')
        return fromSoapArgs(element.type, value as Record<string, unknown>);
      if (element.type.kind === 'builtin' && element.type.name === 'boolean')
        return value === true || value === 'true' || value === '1';
      return typeof value === 'object' && value !== null && '$value' in value
        ? String((value as { $value: unknown }).$value)
        : value === undefined || value === null
          ? undefined
          : String(value);
    };
    if (element.maxOccurs === 'unbounded')
      out[element.name] = raw === undefined ? [] : (Array.isArray(raw) ? raw : [raw]).map(convert);
    else if (raw !== undefined) out[element.name] = convert(raw);
  }
  return out;
}

/** Drops undefined fields, which node-soap would otherwise write as empty elements. */
function defined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(defined);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = defined(v);
  return out;
}

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
  for (const file of generateContractFiles()) {
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(
      target,
      file.path.endsWith('.wsdl') ? parametersFirst(file.content) : file.content,
    );
  }

  const server = createServer((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  server.keepAliveTimeout = 65_000;
  for (const name of SERVED) {
    const operation = operations.find((o) => o.interaction.name === name);
    const wsdlFile = generateContractFiles().find(
      (f) => f.path.endsWith('.wsdl') && f.path.includes(`/${name}Interaction/`),
    );
    if (!operation || !wsdlFile) throw new Error(`no operation or WSDL for ${name}`);
    const { interaction } = operation;
    const method = async (args: Record<string, unknown>, _cb: unknown, headers: unknown) => {
      const logicalAddress = String(
        (headers as { LogicalAddress?: unknown } | undefined)?.LogicalAddress ?? '',
      );
      // The same facility check our binding makes, against the same store.
      if (!(await store.getFacility(logicalAddress)))
        throw { Fault: { faultcode: 'soap:Client', faultstring: 'unknown LogicalAddress' } };
      const response = await operation.handle(fromSoapArgs(interaction.request, args) as never, {
        logicalAddress,
        actor: undefined,
        nowUtcMs: Date.now(),
        correlationId: 'bench',
      });
      return defined(response);
    };
    // node-soap loads the WSDL's schema imports asynchronously; it calls back when ready.
    await new Promise<void>((resolve, reject) => {
      soap.listen(server, {
        path: interaction.path,
        services: {
          [`${name}ResponderService`]: { [`${name}ResponderPort`]: { [name]: method } },
        },
        xml: parametersFirst(wsdlFile.content),
        uri: join(dir, wsdlFile.path),
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
