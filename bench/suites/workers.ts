/**
 * Issue 18: one worker process against two on the same machine
 * (`TIDBOK_WORKERS`), on the SQLite file and on PostgreSQL. The server is
 * `src/main.ts` as operators start it, logging at info to a file; with two
 * workers the primary's round-robin hands the load generator's keep-alive
 * connections to both. Measured: the repeated GetAvailableTimeslots (answered
 * from each worker's cache) and GetSubjectOfCareSchedule with 1,000 bookings,
 * 10 connections each, requests/s, p50/p99 and the CPU time of all the
 * server's processes per request.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEiSimulator } from '../../src/dev/ei-simulator.ts';
import { openThrowawayPostgresStore } from '../../test/support/postgres-schema.ts';
import { processCpuMs } from '../cpu.ts';
import { percentile, runLoad } from '../load.ts';
import { FULL_SIZE, seedLargeCalendar, type SeededLargeCalendar } from '../seed-large-calendar.ts';
import type { Suite, SuiteContext } from '../suites.ts';
import { countOutcomes, WORKLOADS, type Workload } from '../workloads.ts';
import { probePostgres } from './postgres-vs-sqlite.ts';

const PG_URL = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CONNECTIONS = 10;
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

interface Server {
  readonly url: string;
  /** Every process of the server: the primary and its workers, or the one process. */
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

/** `src/main.ts` with `workers` workers on `store`, its output in a file; resolves once it serves. */
async function startServer(
  store: string,
  workers: number,
  eiUrl: string,
  logFile: string,
): Promise<Server> {
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      DATABASE_URL: store,
      TIDBOK_WORKERS: String(workers),
      TIDBOK_SEED: 'none',
      TIDBOK_PLAIN_HTTP: 'true',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      // A pool needs a real EI target; reads queue nothing for it.
      EI_URL: eiUrl,
      EI_SOURCE_SYSTEM: 'SE2321000016-TIDBOK',
      EI_DATA_CONTROLLER: 'SE2321000016-BENCH',
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 180_000;
  for (;;) {
    const text = readFileSync(logFile, 'utf8');
    const url = /serving crm:scheduling 1\.1 on (http:\/\/\S+)/.exec(text)?.[1];
    const ready = workers === 1 ? url : /worker processes \(pids ([\d, ]+)\)/.exec(text)?.[1];
    if (url && ready) {
      const pids = [child.pid!, ...(workers === 1 ? [] : ready.split(', ').map(Number))];
      return {
        url,
        pids,
        async stop() {
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`tidbok with ${workers} workers did not start:\n${text.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Figures {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU time of all the server's processes per answered request (µs). */
  readonly cpuMicrosPerRequest: number;
  readonly problem?: string;
}

async function measure(
  context: SuiteContext,
  server: Server,
  w: Workload,
  calendar: SeededLargeCalendar,
) {
  const outcomes: Record<string, number> = {};
  const latencies: number[] = [];
  const next = w.bodies(calendar);
  const spec = {
    url: server.url,
    path: w.interaction.path,
    headers: {
      'Content-Type': 'text/xml; charset=UTF-8',
      SOAPAction: `"${w.interaction.soapAction}"`,
    },
    body: next,
    connections: CONNECTIONS,
  };
  if (context.warmUpSeconds > 0) await runLoad({ ...spec, durationSeconds: context.warmUpSeconds });
  const cpu = () => server.pids.reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0);
  const cpuBefore = cpu();
  const result = await runLoad({
    ...spec,
    durationSeconds: context.durationSeconds,
    ...countOutcomes(w, outcomes),
    onLatency: (ms: number) => latencies.push(ms),
  });
  const cpuMs = cpu() - cpuBefore;
  const sorted = Float64Array.from(latencies).sort();
  const problem = w.check(outcomes);
  const figures: Figures = {
    requestsPerSecond: result.requestsPerSecond,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    cpuMicrosPerRequest: (cpuMs * 1000) / Math.max(1, result.requests),
    ...(problem ? { problem } : {}),
  };
  return figures;
}

type Store = 'SQLite' | 'PostgreSQL';

export const workers: Suite = {
  key: 'workers',
  title: 'One worker process against two (TIDBOK_WORKERS)',
  async run(context) {
    const heading = `### ${this.title}`;
    const reads = ['available-timeslots', 'schedule-1000'].map((key) =>
      WORKLOADS.find((w) => w.key === key)!,
    );
    const ei = await startEiSimulator({});
    const figures = new Map<string, Figures>();
    const measureStore = async (store: Store, url: string, calendar: SeededLargeCalendar) => {
      for (const count of [1, 2]) {
        const dir = join(context.workDir, `workers-${store}-${count}`);
        mkdirSync(dir, { recursive: true });
        const server = await startServer(url, count, ei.url, join(dir, 'stdout.log'));
        try {
          for (const w of reads) {
            const f = await measure(context, server, w, calendar);
            figures.set(`${store}/${count}/${w.key}`, f);
            process.stdout.write(
              `  ${store.padEnd(10)} ×${count} ${w.key.padEnd(20)} ${Math.round(f.requestsPerSecond)
                .toString()
                .padStart(6)} req/s  p50 ${f.p50Ms.toFixed(2)} ms  p99 ${f.p99Ms.toFixed(2)} ms  ` +
                `${Math.round(f.cpuMicrosPerRequest)} µs CPU/req${f.problem ? `  PROBLEM: ${f.problem}` : ''}\n`,
            );
          }
        } finally {
          await server.stop();
        }
      }
    };
    let pgNote = '';
    try {
      // The workers share one copy of the seeded file, as they would in production.
      const sqliteFile = join(context.workDir, 'workers-calendar.db');
      copyFileSync(context.seedFile, sqliteFile);
      await measureStore('SQLite', sqliteFile, context.calendar);
      const server = await probePostgres(PG_URL);
      if (server.version) {
        const pgStore = await openThrowawayPostgresStore(PG_URL);
        try {
          process.stdout.write(`  seeding PostgreSQL ${server.version} for the workers …\n`);
          const pgCalendar = await seedLargeCalendar(pgStore.store, FULL_SIZE);
          await measureStore('PostgreSQL', pgStore.url, pgCalendar);
        } finally {
          await pgStore.dispose();
        }
      } else pgNote = ` PostgreSQL was skipped: no server answered at \`${new URL(PG_URL).host}\`.`;
    } finally {
      await ei.close();
    }

    const rows: string[] = [];
    for (const store of ['SQLite', 'PostgreSQL'] as const)
      for (const w of reads) {
        const one = figures.get(`${store}/1/${w.key}`);
        const two = figures.get(`${store}/2/${w.key}`);
        if (!one || !two) continue;
        const cells = (f: Figures) =>
          `${Math.round(f.requestsPerSecond)} | ${f.p50Ms.toFixed(2)} | ${f.p99Ms.toFixed(1)} | ${Math.round(f.cpuMicrosPerRequest)}`;
        rows.push(
          `| ${store} | ${w.title} | ${cells(one)} | ${cells(two)} | ${(two.requestsPerSecond / one.requestsPerSecond).toFixed(2)}× |`,
        );
      }
    const problems = [...figures.entries()].filter(([, f]) => f.problem);
    const lines = [
      heading,
      '',
      '`src/main.ts` as operators start it, with `TIDBOK_WORKERS=1` (one process) and `=2` (a primary ' +
        'and two workers on the same port), logging at info to a file, on one copy of the seeded SQLite ' +
        `file and on a PostgreSQL schema seeded with the same calendar. ${CONNECTIONS} keep-alive ` +
        'connections (autocannon in the runner), which the primary hands to the workers in turn. CPU is ' +
        'the time of every server process (primary and workers) per answered request. The machine has ' +
        'two cores, shared by the workers, the load generator, PostgreSQL and whatever else runs: two ' +
        'workers can at best use the core the load generator leaves, so the ratio is a floor for a ' +
        `machine with cores to spare.${pgNote}`,
      '',
      '| Store | Workload | ×1 req/s | p50 ms | p99 ms | CPU µs/req | ×2 req/s | p50 ms | p99 ms | CPU µs/req | ×2 / ×1 |',
      '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
      ...rows,
      '',
      problems.length === 0
        ? 'Every answer was checked (all `ok`).'
        : `**Wrong outcomes**: ${problems.map(([k, f]) => `${k}: ${f.problem}`).join('; ')}.`,
    ];
    return {
      markdown: lines.join('\n'),
      ...(problems.length > 0
        ? { missedTargets: problems.map(([k, f]) => `Workers, ${k}: ${f.problem}`) }
        : {}),
    };
  },
};
