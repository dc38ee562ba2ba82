/**
 * Soak: mixed traffic against the producer in a child process for
 * `SOAK_SECONDS` (600 by default), then a markdown table of the memory at
 * start and end and the error count. `npm run bench` runs it as a suite
 * (`bench/suites/soak.ts`); alone:
 *
 *   node --import tsx bench/soak.ts          # SOAK_SECONDS=60 for a short run
 *
 * Each worker loops: search free slots, book one, read the booking, look at
 * the patient's schedule, cancel it (so the calendar never runs out), with a
 * ping, a metadata call and a malformed request in between. An error is a
 * transport failure, an unexpected HTTP status (the malformed request must
 * get its HTTP 500 fault), or a cancellation that did not end in OK. A
 * booking refused because another worker took the slot first is counted,
 * not an error.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decodeComplex } from '../src/xml/decode.ts';
import { parseXml } from '../src/xml/parse.ts';
import {
  CancelBooking,
  GetAllTimeTypes,
  GetAvailableTimeslots,
  GetBookingDetails,
  GetSubjectOfCareSchedule,
  MakeBooking,
} from '../src/contracts/scheduling.ts';
import { PingForConfiguration } from '../src/contracts/monitoring.ts';
import { startEiSimulator } from '../src/dev/ei-simulator.ts';
import { requestEnvelope } from '../test/support/soap-client.ts';
import {
  DEMO_FACILITY,
  availableTimeslotsRequest,
  bookingOutcome,
  decodeSlots,
  makeBookingRequest,
  patient,
  post,
} from '../test/support/demo-traffic.ts';

/** SOAK_SECONDS, or 600 (ten minutes). */
export const SOAK_SECONDS = Number(process.env['SOAK_SECONDS'] ?? 600);
const SOAK_WORKERS = Number(process.env['SOAK_WORKERS'] ?? 8);

/** The server process's memory (`process.memoryUsage()` after a GC), in bytes. */
export interface SoakMemory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
}

export interface SoakOptions {
  /** Seconds of traffic after a 3 s warm-up; SOAK_SECONDS by default. */
  readonly seconds?: number;
  /** Concurrent clients; SOAK_WORKERS or 8 by default. */
  readonly workers?: number;
}

export interface SoakResult {
  readonly seconds: number;
  readonly workers: number;
  readonly requests: number;
  readonly errorCount: number;
  readonly eiUpdates: number;
  readonly start: SoakMemory;
  readonly end: SoakMemory;
  /** Requests by call, and errors by kind. */
  readonly counts: ReadonlyMap<string, number>;
  readonly errors: ReadonlyMap<string, number>;
}

const serverScript = fileURLToPath(new URL('./soak-server.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export async function runSoak(options: SoakOptions = {}): Promise<SoakResult> {
  const SECONDS = options.seconds ?? SOAK_SECONDS;
  const WORKERS = options.workers ?? SOAK_WORKERS;
  const dir = mkdtempSync(join(tmpdir(), 'tidbok-soak-'));
  const simulator = await startEiSimulator({ hsaId: '5565594230' });
  // The server reads fixtures/ relative to its working directory: the repository root.
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', serverScript, join(dir, 'tidbok.db'), simulator.url],
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: repoRoot },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const match = /soak server on (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`soak server exited (${code})`)));
  });

  const agent = new Agent({ keepAlive: true, maxSockets: WORKERS });
  const memory = async (): Promise<SoakMemory> =>
    (await (await fetch(`${url}/soak/memory`)).json()) as SoakMemory;

  const counts = new Map<string, number>();
  const errors = new Map<string, number>();
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  let requests = 0;

  async function call(name: string, path: string, body: string, expect = 200) {
    requests += 1;
    count(counts, name);
    try {
      const answer = await post(agent, url + path, body);
      if (answer.status !== expect) count(errors, `${name}: HTTP ${answer.status}`);
      return answer;
    } catch (err) {
      count(errors, `${name}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      return undefined;
    }
  }

  function body(text: string) {
    return parseXml(text).children.find((c) => c.local === 'Body')!.children[0]!;
  }

  async function worker(w: number, until: number) {
    for (let i = 0; performance.now() < until; i++) {
      const person = patient((w + 1) * 100_000 + i);
      const found = await call(
        'GetAvailableTimeslots',
        GetAvailableTimeslots.path,
        availableTimeslotsRequest(person, 14),
      );
      const slots = found?.status === 200 ? decodeSlots(found.text) : [];
      const slot = slots[(w * 7919 + i * 31) % Math.max(1, slots.length)];
      if (slot) {
        const booked = await call(
          'MakeBooking',
          MakeBooking.path,
          makeBookingRequest(slot, person),
        );
        const outcome = booked?.status === 200 ? bookingOutcome(booked.text) : undefined;
        if (outcome?.resultCode === 'ERROR') count(counts, 'MakeBooking refused (slot just taken)');
        if (outcome?.bookingId) {
          const at = { logicalAddress: DEMO_FACILITY };
          const bookingId = outcome.bookingId;
          await call(
            'GetBookingDetails',
            GetBookingDetails.path,
            requestEnvelope(
              GetBookingDetails,
              { healthcare_facility: DEMO_FACILITY, bookingId },
              at,
            ),
          );
          await call(
            'GetSubjectOfCareSchedule',
            GetSubjectOfCareSchedule.path,
            requestEnvelope(
              GetSubjectOfCareSchedule,
              { healthcare_facility: DEMO_FACILITY, subject_of_care: person },
              at,
            ),
          );
          const cancelled = await call(
            'CancelBooking',
            CancelBooking.path,
            requestEnvelope(CancelBooking, { healthcare_facility: DEMO_FACILITY, bookingId }, at),
          );
          // INFO is a cancellation done, with the time type's text for the patient
          // (the demo calendar's lak20 has one); only ERROR is a failure.
          if (
            cancelled?.status === 200 &&
            decodeComplex(CancelBooking.response, body(cancelled.text)).resultCode === 'ERROR'
          )
            count(errors, 'CancelBooking: refused');
        }
      }
      if (i % 5 === 0)
        await call(
          'PingForConfiguration',
          PingForConfiguration.path,
          requestEnvelope(
            PingForConfiguration,
            { serviceContractNamespace: 'urn:riv:crm:scheduling:1', logicalAddress: DEMO_FACILITY },
            { logicalAddress: 'SE2321000016-TIDBOK' },
          ),
        );
      if (i % 5 === 1)
        await call(
          'GetAllTimeTypes',
          GetAllTimeTypes.path,
          requestEnvelope(
            GetAllTimeTypes,
            { healthcare_facility: DEMO_FACILITY, subject_of_care: person, careTypeIDs: [] },
            { logicalAddress: DEMO_FACILITY },
          ),
        );
      if (i % 10 === 2)
        await call('malformed request', MakeBooking.path, '<soapenv:Envelope><broken', 500);
    }
  }

  try {
    // A short warm-up, so "start" is the settled process rather than the first JIT compiles.
    await worker(WORKERS, performance.now() + 3_000);
    requests = 0;
    counts.clear();
    errors.clear();
    const start = await memory();
    const started = performance.now();
    const until = started + SECONDS * 1000;
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w, until)));
    const seconds = (performance.now() - started) / 1000;
    const end = await memory();
    return {
      seconds,
      workers: WORKERS,
      requests,
      errorCount: [...errors.values()].reduce((a, b) => a + b, 0),
      eiUpdates: simulator.calls.length,
      start,
      end,
      counts,
      errors,
    };
  } finally {
    agent.destroy();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The soak's tables in markdown: totals and memory, requests by call, errors by kind. */
export function soakTables(r: SoakResult): string {
  const rows = [
    ['duration', `${r.seconds.toFixed(0)} s, ${r.workers} concurrent clients`],
    ['requests', `${r.requests} (${(r.requests / r.seconds).toFixed(0)}/s)`],
    ['errors', String(r.errorCount)],
    ['EI Updates received', String(r.eiUpdates)],
    ['RSS start → end', `${mb(r.start.rss)} → ${mb(r.end.rss)}`],
    ['heap used start → end (after GC)', `${mb(r.start.heapUsed)} → ${mb(r.end.heapUsed)}`],
    ['heap total start → end', `${mb(r.start.heapTotal)} → ${mb(r.end.heapTotal)}`],
  ];
  const out = ['| soak | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
  out.push('', '| call | count |', '| --- | ---: |');
  for (const [k, v] of [...r.counts].sort()) out.push(`| ${k} | ${v} |`);
  if (r.errors.size > 0) {
    out.push('', '| error | count |', '| --- | ---: |');
    for (const [k, v] of r.errors) out.push(`| ${k} | ${v} |`);
  }
  return out.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runSoak();
  console.log(soakTables(result));
  process.exitCode = result.errorCount > 0 ? 1 : 0;
}
