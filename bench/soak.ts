/**
 * Soak: mixed traffic against the producer in a child process for
 * `SOAK_SECONDS` (600 by default), then a markdown table of the memory at
 * start and end and the error count.
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
import { startEiSimulator } from '../src/channels/engagement-index/ei-simulator.ts';
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

const SECONDS = Number(process.env['SOAK_SECONDS'] ?? 600);
const WORKERS = Number(process.env['SOAK_WORKERS'] ?? 8);

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

const dir = mkdtempSync(join(tmpdir(), 'tidbok-soak-'));
const simulator = await startEiSimulator({ hsaId: '5565594230' });
const child = spawn(
  process.execPath,
  ['--expose-gc', '--import', 'tsx', 'bench/soak-server.ts', join(dir, 'tidbok.db'), simulator.url],
  { stdio: ['ignore', 'pipe', 'inherit'] },
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
const memory = async (): Promise<Memory> =>
  (await (await fetch(`${url}/soak/memory`)).json()) as Memory;

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
      const booked = await call('MakeBooking', MakeBooking.path, makeBookingRequest(slot, person));
      const outcome = booked?.status === 200 ? bookingOutcome(booked.text) : undefined;
      if (outcome?.resultCode === 'ERROR') count(counts, 'MakeBooking refused (slot just taken)');
      if (outcome?.bookingId) {
        const at = { logicalAddress: DEMO_FACILITY };
        const bookingId = outcome.bookingId;
        await call(
          'GetBookingDetails',
          GetBookingDetails.path,
          requestEnvelope(GetBookingDetails, { healthcare_facility: DEMO_FACILITY, bookingId }, at),
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
        if (
          cancelled?.status === 200 &&
          decodeComplex(CancelBooking.response, body(cancelled.text)).resultCode !== 'OK'
        )
          count(errors, 'CancelBooking: not OK');
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

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
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
  const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
  const rows = [
    ['duration', `${seconds.toFixed(0)} s, ${WORKERS} concurrent clients`],
    ['requests', `${requests} (${(requests / seconds).toFixed(0)}/s)`],
    ['errors', String(errorCount)],
    ['EI Updates received', String(simulator.calls.length)],
    ['RSS start → end', `${mb(start.rss)} → ${mb(end.rss)}`],
    ['heap used start → end (after GC)', `${mb(start.heapUsed)} → ${mb(end.heapUsed)}`],
    ['heap total start → end', `${mb(start.heapTotal)} → ${mb(end.heapTotal)}`],
  ];
  console.log('| soak | |\n| --- | --- |');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  console.log('\n| call | count |\n| --- | ---: |');
  for (const [k, v] of [...counts].sort()) console.log(`| ${k} | ${v} |`);
  if (errors.size > 0) {
    console.log('\n| error | count |\n| --- | ---: |');
    for (const [k, v] of errors) console.log(`| ${k} | ${v} |`);
  }
  process.exitCode = errorCount > 0 ? 1 : 0;
} finally {
  agent.destroy();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await simulator.close();
  rmSync(dir, { recursive: true, force: true });
}
