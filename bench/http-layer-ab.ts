/**
 * Express or the bare HTTP layer for the SOAP path? An A/B of
 * GetAvailableTimeslots: the same SOAP endpoints, once mounted on the bare
 * listener (what ships) and once behind an Express 5 application, in one
 * process on one store, measured with autocannon (a process of its own) in
 * interleaved rounds so drift in the machine's load hits both alike.
 *
 * Run: `node --import tsx bench/http-layer-ab.ts [rounds] [seconds]`.
 * The figures are in docs/architecture.md, section "HTTP layer".
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { createApp } from '../src/app.ts';
import { importCalendarFile } from '../src/calendar/import-calendar-file.ts';
import { GetAvailableTimeslots } from '../src/contracts/scheduling.ts';
import { requestTarget } from '../src/http/http-handler.ts';
import { createHttpListener } from '../src/http/http-listener.ts';
import { silentLogger } from '../src/logging/logger.ts';
import { createSoapEndpoints } from '../src/soap/soap-endpoints.ts';

const rounds = Number(process.argv[2] ?? 4);
const seconds = Number(process.argv[3] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'tidbok-ab-'));
const app = createApp({ store: join(dir, 'ab.db'), logger: silentLogger, producerHsaId: 'SE-AB' });
await importCalendarFile(app.service, 'fixtures/demo-calendar.json');
const soap = createSoapEndpoints({
  operations: app.operations,
  calendarView: () => app.store.view(),
  logger: silentLogger,
});

const bare = createHttpListener({ handlers: [soap.calls], logger: silentLogger });
const onExpress = express();
onExpress.disable('x-powered-by');
onExpress.set('etag', false);
onExpress.post(GetAvailableTimeslots.path, async (req, res, next) => {
  try {
    if (!(await soap.calls.handle(req, res, requestTarget(req.url)))) next();
  } catch (err) {
    next(err);
  }
});
const viaExpress = createServer(onExpress);

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${GetAvailableTimeslots.path}`;
}
const urls = { bare: await listen(bare), express: await listen(viaExpress) };
const bodyFile = join(dir, 'request.xml');
writeFileSync(bodyFile, readFileSync('fixtures/requests/GetAvailableTimeslots.xml'));

/** autocannon in a process of its own, asynchronously: the servers run in this one. */
async function measure(
  url: string,
): Promise<{ rps: number; p50: number; p99: number; non2xx: number; cpuUs: number }> {
  const cpu = process.cpuUsage();
  const { stdout: out } = await promisify(execFile)(
    process.execPath,
    [
      'node_modules/autocannon/autocannon.js',
      '--json',
      '-c',
      '10',
      '-d',
      String(seconds),
      '-m',
      'POST',
      '-H',
      'Content-Type=text/xml; charset=UTF-8',
      '-i',
      bodyFile,
      url,
    ],
    { encoding: 'utf8' },
  );
  const r = JSON.parse(out) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
  };
  const used = process.cpuUsage(cpu);
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    // This process runs only the servers: its CPU time per request is what each costs,
    // and suffers less than throughput from other load on the machine.
    cpuUs: (used.user + used.system) / Math.max(1, r.requests.total),
  };
}

// Warm both up, then interleave.
await measure(urls.bare);
await measure(urls.express);
const results: Record<'bare' | 'express', { rps: number[]; cpuUs: number[] }> = {
  bare: { rps: [], cpuUs: [] },
  express: { rps: [], cpuUs: [] },
};
for (let i = 0; i < rounds; i++)
  for (const key of i % 2 === 0 ? (['bare', 'express'] as const) : (['express', 'bare'] as const)) {
    const r = await measure(urls[key]);
    if (r.non2xx > 0) throw new Error(`${key}: ${r.non2xx} answers were not 2xx`);
    results[key].rps.push(r.rps);
    results[key].cpuUs.push(r.cpuUs);
    process.stdout.write(
      `round ${i + 1} ${key.padEnd(7)} ${r.rps.toFixed(0)} req/s  ${r.cpuUs.toFixed(0)} µs CPU/req  p50 ${r.p50} ms  p99 ${r.p99} ms\n`,
    );
  }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cost = (of: (k: 'bare' | 'express') => number, higherIsBetter: boolean) => {
  const [b, e] = [of('bare'), of('express')];
  return `bare ${b.toFixed(0)}, Express ${e.toFixed(0)}: Express costs ${(((higherIsBetter ? b / e : e / b) - 1) * 100).toFixed(1)} %`;
};
process.stdout.write(`median req/s: ${cost((k) => median(results[k].rps), true)}\n`);
process.stdout.write(`median µs CPU/req: ${cost((k) => median(results[k].cpuUs), false)}\n`);
bare.close();
viaExpress.close();
await app.close();
rmSync(dir, { recursive: true, force: true });
