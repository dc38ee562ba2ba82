/**
 * Issues 4 and 18: the repeated GetAvailableTimeslots, the varied (uncached)
 * search, GetSubjectOfCareSchedule with 1,000 bookings and MakeBooking on
 * PostgreSQL against SQLite, side by side in the same run, 10 clients each: tidbok on its SQLite file (one instance),
 * on PostgreSQL with one instance, and with two instances on the same
 * database, each in a process of its own. The two-instance load is split
 * across both (two autocannon runs at once, half the connections each); their
 * requests/s are summed and their latencies merged. MakeBooking draws from
 * disjoint thirds of the free slots (SQLite and one instance the first,
 * the two instances one of the others each), so no request races another
 * for a slot.
 *
 * The PostgreSQL calendar is seeded through the same seam as the SQLite one
 * (`seedLargeCalendar`, full size) in a throwaway schema dropped at the end.
 * Without a PostgreSQL server (BENCH_PG_URL, or postgres://postgres@127.0.0.1:5432/postgres)
 * the suite says so and returns.
 */
import { join } from 'node:path';
import pg from 'pg';
import { openThrowawayPostgresStore } from '../../test/support/postgres-schema.ts';
import { processCpuMs } from '../cpu.ts';
import { percentile, runLoad } from '../load.ts';
import {
  FULL_SIZE,
  seedLargeCalendar,
  type SeededLargeCalendar,
  type SlotRef,
} from '../seed-large-calendar.ts';
import type { Suite, SuiteContext } from '../suites.ts';
import { startTarget, type RunningTarget } from '../targets.ts';
import { countOutcomes, makeBookingBody, patient, WORKLOADS, type Workload } from '../workloads.ts';

const PG_URL = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CONNECTIONS = 10;

/** The server's version, or why it cannot be reached. */
export async function probePostgres(url: string): Promise<{ version?: string; problem?: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return { version: rows[0]!.server_version };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface Figures {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly outcomes: Record<string, number>;
  /** CPU time of the server processes (all instances together) per answered request, µs; NaN off Linux. */
  readonly cpuMicrosPerRequest: number;
  readonly problem?: string;
}

/** Measures `w` against every instance at once, each with its own bodies and an even share of the connections. */
async function measure(
  context: SuiteContext,
  w: Workload,
  instances: readonly { target: RunningTarget; next: () => string }[],
): Promise<Figures> {
  const outcomes: Record<string, number> = {};
  const latencies: number[] = [];
  const run = (seconds: number, record: boolean) =>
    Promise.all(
      instances.map(({ target, next }) =>
        runLoad({
          url: target.url,
          path: w.interaction.path,
          headers: {
            'Content-Type': 'text/xml; charset=UTF-8',
            SOAPAction: `"${w.interaction.soapAction}"`,
          },
          body: next,
          connections: CONNECTIONS / instances.length,
          durationSeconds: seconds,
          ...(record
            ? {
                ...countOutcomes(w, outcomes),
                onLatency: (ms: number) => latencies.push(ms),
              }
            : {}),
        }),
      ),
    );
  if (context.warmUpSeconds > 0) await run(context.warmUpSeconds, false);
  // Requests/s depend on what else the machine runs; CPU per request much less.
  const cpu = () => instances.reduce((sum, i) => sum + (processCpuMs(i.target.pid) ?? NaN), 0);
  const cpuBefore = cpu();
  const results = await run(context.durationSeconds, true);
  const cpuMs = cpu() - cpuBefore;
  const requests = results.reduce((a, r) => a + r.requests, 0);
  const sorted = Float64Array.from(latencies).sort();
  const problem = w.check(outcomes);
  return {
    requestsPerSecond: results.reduce((a, r) => a + r.requestsPerSecond, 0),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    outcomes,
    cpuMicrosPerRequest: (cpuMs * 1000) / Math.max(1, requests),
    ...(problem ? { problem } : {}),
  };
}

/** MakeBooking bodies over `slots` in turn, for patients numbered from `firstPatient`. */
function bookings(slots: readonly SlotRef[], firstPatient: number): () => string {
  let n = 0;
  return () => {
    const i = n++;
    // Past the end the slots repeat, and the refusals show in the outcomes.
    return makeBookingBody(slots[i % slots.length]!, patient(firstPatient + i));
  };
}

/** The free slots in three disjoint parts, leaving out the two the HTTP workloads keep for themselves. */
function thirds(c: SeededLargeCalendar): [SlotRef[], SlotRef[], SlotRef[]] {
  const usable = c.freeSlots.slice(0, -2);
  const third = Math.floor(usable.length / 3);
  return [usable.slice(0, third), usable.slice(third, 2 * third), usable.slice(2 * third)];
}

type Config = 'sqlite' | 'pg1' | 'pg2';

export const postgresVsSqlite: Suite = {
  key: 'postgres-vs-sqlite',
  title: 'PostgreSQL against SQLite',
  async run(context) {
    const heading = `### ${this.title}`;
    const server = await probePostgres(PG_URL);
    if (!server.version) {
      process.stdout.write(`  skipped: no PostgreSQL server at ${PG_URL} (${server.problem})\n`);
      return {
        markdown: [
          heading,
          '',
          `Skipped: no PostgreSQL server answered at \`${new URL(PG_URL).host}\` (${server.problem}). ` +
            'Set BENCH_PG_URL to a server to measure this.',
        ].join('\n'),
      };
    }
    const workload = (key: string) => WORKLOADS.find((w) => w.key === key)!;
    // The repeated search (answers reused while the calendar version stands), the
    // varied one (every answer computed), and the large schedule.
    const reads = ['available-timeslots', 'available-timeslots-varied', 'schedule-1000'].map(
      workload,
    );
    const makeBooking = workload('make-booking');

    const pgStore = await openThrowawayPostgresStore(PG_URL);
    const figures = new Map<string, Figures>();
    const running: RunningTarget[] = [];
    const start = async (name: string, env: Record<string, string> = {}) => {
      const target = await startTarget('tidbok', {
        seedFile: context.seedFile,
        workDir: join(context.workDir, name),
        env,
      });
      running.push(target);
      return target;
    };
    const stopAll = async () => {
      for (const t of running.splice(0)) await t.stop();
    };
    let seedSeconds: number;
    let pgCalendar: SeededLargeCalendar;
    try {
      process.stdout.write(
        `  seeding PostgreSQL ${server.version} (${pgStore.url.replace(/\?.*/, '')}) …\n`,
      );
      const seedStart = performance.now();
      pgCalendar = await seedLargeCalendar(pgStore.store, FULL_SIZE);
      seedSeconds = (performance.now() - seedStart) / 1000;
      process.stdout.write(
        `  ${JSON.stringify(pgCalendar.counts)} in ${seedSeconds.toFixed(1)} s\n`,
      );

      const record = async (
        config: Config,
        w: Workload,
        instances: Parameters<typeof measure>[2],
      ) => {
        const f = await measure(context, w, instances);
        figures.set(`${config}/${w.key}`, f);
        process.stdout.write(
          `  ${config.padEnd(6)} ${w.key.padEnd(20)} ${Math.round(f.requestsPerSecond)
            .toString()
            .padStart(6)} req/s  p50 ${f.p50Ms.toFixed(2)} ms  p99 ${f.p99Ms.toFixed(2)} ms  ` +
            `${Math.round(f.cpuMicrosPerRequest)} µs CPU/req  ` +
            `${JSON.stringify(f.outcomes)}${f.problem ? `  PROBLEM: ${f.problem}` : ''}\n`,
        );
      };

      const sqliteSlots = thirds(context.calendar);
      const sqlite = await start('sqlite');
      for (const w of reads)
        await record('sqlite', w, [{ target: sqlite, next: w.bodies(context.calendar) }]);
      await record('sqlite', makeBooking, [
        { target: sqlite, next: bookings(sqliteSlots[0], 1000) },
      ]);
      await stopAll();

      const pgSlots = thirds(pgCalendar);
      const env = { BENCH_STORE_URL: pgStore.url };
      const one = await start('pg1', env);
      for (const w of reads) await record('pg1', w, [{ target: one, next: w.bodies(pgCalendar) }]);
      await record('pg1', makeBooking, [{ target: one, next: bookings(pgSlots[0], 1000) }]);
      await stopAll();

      const a = await start('pg2-a', env);
      const b = await start('pg2-b', env);
      for (const w of reads)
        await record('pg2', w, [
          { target: a, next: w.bodies(pgCalendar) },
          { target: b, next: w.bodies(pgCalendar) },
        ]);
      await record('pg2', makeBooking, [
        { target: a, next: bookings(pgSlots[1], 1000) },
        { target: b, next: bookings(pgSlots[2], 1000) },
      ]);
    } finally {
      await stopAll();
      await pgStore.dispose();
    }

    const cell = (config: Config, w: Workload) => {
      const f = figures.get(`${config}/${w.key}`)!;
      return `${Math.round(f.requestsPerSecond)} | ${f.p50Ms.toFixed(2)} | ${f.p99Ms.toFixed(1)}`;
    };
    const ratio = (x: Config, y: Config, w: Workload) =>
      `${(figures.get(`${x}/${w.key}`)!.requestsPerSecond / figures.get(`${y}/${w.key}`)!.requestsPerSecond).toFixed(2)}×`;
    const problems = [...figures.entries()].filter(([, f]) => f.problem);
    const lines = [
      heading,
      '',
      `tidbok as shipped (one process per instance, logging at info) on its SQLite file and on PostgreSQL ` +
        `${server.version} on the same machine (${new URL(PG_URL).host}), the same full-size calendar seeded ` +
        `into each through the store seam (PostgreSQL: ${seedSeconds.toFixed(1)} s). ` +
        `${CONNECTIONS} keep-alive connections in all: with two instances, two autocannon runs at once with ` +
        `${CONNECTIONS / 2} each, requests/s summed and latencies merged. MakeBooking books a different free ` +
        'slot with every request, the two instances from disjoint sets. The load generator shares the ' +
        'two cores with the servers and PostgreSQL, so two instances compete for the same CPU: the ' +
        'PG ×2 / PG ×1 ratio shows what a second instance costs or gains on one machine, not how it ' +
        'scales across machines.',
      '',
      '| Workload | SQLite ×1 req/s | p50 ms | p99 ms | PG ×1 req/s | p50 ms | p99 ms | PG ×2 req/s | p50 ms | p99 ms | PG ×1 / SQLite | PG ×2 / PG ×1 |',
      '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
      ...[...reads, makeBooking].map(
        (w) =>
          `| ${w.title} | ${cell('sqlite', w)} | ${cell('pg1', w)} | ${cell('pg2', w)} | ${ratio('pg1', 'sqlite', w)} | ${ratio('pg2', 'pg1', w)} |`,
      ),
      '',
      'Server CPU time per answered request (µs; for PG ×2 both instances together), the figure least ' +
        'moved by what else the machine runs:',
      '',
      '| Workload | SQLite ×1 | PG ×1 | PG ×2 | PG ×1 / SQLite |',
      '|---|--:|--:|--:|--:|',
      ...[...reads, makeBooking].map((w) => {
        const us = (config: Config) => figures.get(`${config}/${w.key}`)!.cpuMicrosPerRequest;
        return `| ${w.title} | ${Math.round(us('sqlite'))} | ${Math.round(us('pg1'))} | ${Math.round(us('pg2'))} | ${(us('pg1') / us('sqlite')).toFixed(2)}× |`;
      }),
      '',
      problems.length === 0
        ? 'Every answer was checked: reads all `ok`, MakeBooking `OK`/`INFO` only.'
        : `**Wrong outcomes**: ${problems.map(([k, f]) => `${k}: ${f.problem}`).join('; ')}.`,
    ];
    return {
      markdown: lines.join('\n'),
      ...(problems.length > 0
        ? {
            missedTargets: problems.map(
              ([k, f]) => `PostgreSQL against SQLite, ${k}: ${f.problem}`,
            ),
          }
        : {}),
    };
  },
};
