/**
 * `npm run bench`: seeds a large calendar, starts tidbok, a node-soap
 * baseline and a raw node:http ceiling in processes of their own on
 * loopback, puts every workload in `workloads.ts` under keep-alive load with
 * autocannon, and prints the tables and writes them to docs/benchmarks.md.
 *
 * Environment:
 * - BENCH_DURATION: seconds per measurement (default 10); BENCH_WARMUP (default 2).
 * - BENCH_ONLY: comma-separated workload or suite keys to run alone.
 * - BENCH_PROFILE: a target key (e.g. `tidbok`) to run under `node --cpu-prof`;
 *   the profile is summarised at the end and kept under .tmp/profiles/.
 * - SOAK_SECONDS: length of the soak suite (default 600).
 * - BENCH_PG_URL: the PostgreSQL server for the store comparison
 *   (default postgres://postgres@127.0.0.1:5432/postgres); without one that suite is skipped.
 * - BENCH_ROUNDS: interleaved rounds of the headline workload and of the
 *   1,000-booking schedule (default 5, each half a measurement long); their
 *   medians are what those targets are checked on.
 * - BENCH_WRITE: `0` never writes docs/benchmarks.md, `1` always does. By
 *   default only a full run (no BENCH_ONLY, default duration) writes it.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../src/store/sqlite/sqlite-calendar-store.ts';
import { nationalContractsDir, nationalErrors } from '../test/support/national-schemas.ts';
import { withCpuShare } from './cpu.ts';
import { runLoad } from './load.ts';
import { formatProfileSummary, summariseProfile } from './profile-summary.ts';
import {
  renderResults,
  replaceResults,
  RESULTS_END,
  RESULTS_START,
  type Measurement,
  type Probe,
} from './report.ts';
import { FULL_SIZE, seedLargeCalendar } from './seed-large-calendar.ts';
import { SUITES } from './suites.ts';
import { startTarget, TARGETS, type RunningTarget, type TargetKey } from './targets.ts';
import {
  countOutcomes,
  HEADLINE_WORKLOAD,
  SCHEDULE_WORKLOAD,
  WORKLOADS,
  type Workload,
} from './workloads.ts';

const FIXED_RATE = 500;
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const docPath = join(repoRoot, 'docs', 'benchmarks.md');

const env = process.env;
const durationSeconds = Number(env['BENCH_DURATION'] ?? 10);
const warmUpSeconds = Number(env['BENCH_WARMUP'] ?? 2);
const rounds = Number(env['BENCH_ROUNDS'] ?? 5);
const roundSeconds = Math.max(2, durationSeconds / 2);
const only = env['BENCH_ONLY']
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const profileTarget = env['BENCH_PROFILE'] as TargetKey | undefined;
const isFullRun = !only && env['BENCH_DURATION'] === undefined && env['BENCH_WARMUP'] === undefined;
const write = env['BENCH_WRITE'] === '1' || (env['BENCH_WRITE'] !== '0' && isFullRun);

function log(line: string) {
  process.stdout.write(`${line}\n`);
}

function headersFor(w: Workload) {
  return {
    'Content-Type': 'text/xml; charset=UTF-8',
    SOAPAction: `"${w.interaction.soapAction}"`,
  };
}

async function post(url: string, w: Workload, body: string) {
  const response = await fetch(url + w.interaction.path, {
    method: 'POST',
    headers: headersFor(w),
    body,
  });
  return { status: response.status, text: await response.text() };
}

async function measure(
  target: RunningTarget,
  w: Workload,
  next: () => string,
  mode: Measurement['mode'],
): Promise<Measurement> {
  const outcomes: Record<string, number> = {};
  const spec = {
    url: target.url,
    path: w.interaction.path,
    headers: headersFor(w),
    body: next,
    connections: w.connections,
  };
  const counted = { ...spec, ...countOutcomes(w, outcomes) };
  if ((mode === 'throughput' || mode === 'round') && warmUpSeconds > 0)
    await runLoad({
      ...spec,
      durationSeconds: mode === 'round' ? Math.min(1, warmUpSeconds) : warmUpSeconds,
    });
  const { result, cpu } = await withCpuShare(target.pid, () =>
    mode === 'amount'
      ? runLoad({ ...counted, amount: w.amount! })
      : mode === 'fixed-rate'
        ? runLoad({ ...counted, durationSeconds, overallRate: FIXED_RATE })
        : runLoad({
            ...counted,
            durationSeconds: mode === 'round' ? roundSeconds : durationSeconds,
          }),
  );
  const problem = w.check(outcomes);
  log(
    `  ${TARGETS[target.key].name.padEnd(18)} ${mode.padEnd(10)} ${Math.round(
      result.requestsPerSecond,
    )
      .toString()
      .padStart(6)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms` +
      (cpu
        ? `  server ${Math.round(cpu.serverMicrosPerRequest)} µs CPU/req, busy ${Math.round(
            cpu.serverBusy * 100,
          )} %, load generator ${Math.round(cpu.generatorBusy * 100)} %`
        : '') +
      `  ${JSON.stringify(outcomes)}${problem ? `  PROBLEM: ${problem}` : ''}`,
  );
  return {
    workload: w,
    target: target.key,
    mode,
    result,
    ...(cpu ? { cpu } : {}),
    outcomes,
    ...(problem ? { problem } : {}),
  };
}

async function main() {
  const startedAt = performance.now();
  const loadBefore = loadavg()[0]!;
  const workloads = WORKLOADS.filter((w) => !only || only.includes(w.key));
  const suites = SUITES.filter((s) => !only || only.includes(s.key));
  if (workloads.length === 0 && suites.length === 0)
    throw new Error(
      `BENCH_ONLY names nothing known; workloads: ${WORKLOADS.map((w) => w.key).join(', ')}` +
        (SUITES.length > 0 ? `; suites: ${SUITES.map((s) => s.key).join(', ')}` : ''),
    );

  const workDir = mkdtempSync(join(tmpdir(), 'tidbok-bench-'));
  const running = new Map<TargetKey, RunningTarget>();
  const stopAll = async () => {
    for (const t of running.values()) await t.stop();
    running.clear();
  };
  const onSignal = () => {
    void stopAll().finally(() => {
      rmSync(workDir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    log(`Seeding the large calendar in ${workDir} …`);
    const seedStart = performance.now();
    const seedFile = join(workDir, 'seed.db');
    const store = openSqliteStore(seedFile);
    const calendar = await seedLargeCalendar(store, FULL_SIZE);
    await store.close();
    const seedSeconds = (performance.now() - seedStart) / 1000;
    log(`  ${JSON.stringify(calendar.counts)} in ${seedSeconds.toFixed(1)} s`);

    const profileDir = join(
      repoRoot,
      '.tmp',
      'profiles',
      new Date().toISOString().replace(/[:.]/g, '-'),
    );
    const needed = new Set<TargetKey>(['tidbok']);
    for (const w of workloads) for (const t of w.targets) needed.add(t);
    if (workloads.length === 0) needed.clear();
    for (const key of needed) {
      const target = await startTarget(key, {
        seedFile,
        workDir,
        ...(profileTarget === key ? { profileDir } : {}),
      });
      running.set(key, target);
      log(`Started ${target.def.name} (pid ${target.pid}) at ${target.url}`);
    }
    const tidbok = running.get('tidbok');

    // Each workload's answer from tidbok: checked against the national XSDs and
    // prebuilt for the ceiling. node-soap's answer to the same request is checked too.
    const probes: Probe[] = [];
    const prebuilt = new Map<Workload, { status: number; text: string }>();
    for (const w of workloads) {
      if (!tidbok || w.amount !== undefined) continue;
      const body = w.probe ? w.probe(calendar) : w.bodies(calendar)();
      const answer = await post(tidbok.url, w, body);
      prebuilt.set(w, answer);
      const soapTarget = w.targets.includes('node-soap') ? running.get('node-soap') : undefined;
      const soapAnswer = soapTarget ? await post(soapTarget.url, w, body) : undefined;
      probes.push({
        workload: w,
        bytes: Buffer.byteLength(answer.text),
        timeslots: (answer.text.match(/:timeslotDetail>/g) ?? []).length / 2,
        // Without ../shared/contracts (a clone on its own) the answers go unchecked.
        ...(nationalContractsDir ? { tidbokErrors: nationalErrors(answer.text) } : {}),
        ...(soapAnswer && nationalContractsDir
          ? { nodeSoapErrors: nationalErrors(soapAnswer.text) }
          : {}),
      });
      const p = probes[probes.length - 1]!;
      log(
        `${w.key}: tidbok answers ${answer.status}, ${p.bytes} bytes, ${p.timeslots} timeslots, ` +
          (p.tidbokErrors ? `${p.tidbokErrors.length} XSD errors` : 'not XSD-checked') +
          (p.nodeSoapErrors
            ? `; node-soap ${p.nodeSoapErrors.length} XSD errors, first: ${p.nodeSoapErrors[0] ?? 'none'}`
            : ''),
      );
    }

    const measurements: Measurement[] = [];
    for (const w of workloads) {
      log(`${w.title}`);
      for (const key of w.targets) {
        const target = running.get(key)!;
        if (target.def.prebuilt) {
          const answer = prebuilt.get(w);
          if (!answer) continue;
          await target.respondWith(answer.status, answer.text);
        }
        measurements.push(
          await measure(
            target,
            w,
            w.bodies(calendar),
            w.amount !== undefined ? 'amount' : 'throughput',
          ),
        );
      }
    }
    // The headline ratios again, in short rounds that take turns: on a shared
    // machine one long run per target can land in a slow or a fast minute, and
    // the median of rounds taken side by side is the steadier figure.
    // The 1,000-booking schedule the same way, with the ceiling (node-soap answers
    // it a few times a second): in one full run its long run read p50 71.5 ms, and
    // the same code on a fresh server 20 minutes later (the PostgreSQL suite's
    // SQLite target) 41.7 ms.
    for (const [key, targets] of [
      [HEADLINE_WORKLOAD, ['tidbok', 'node-soap', 'ceiling']],
      [SCHEDULE_WORKLOAD, ['tidbok', 'ceiling']],
    ] as const) {
      const w = workloads.find((x) => x.key === key);
      if (!w || rounds === 0) continue;
      log(`${w.title}: ${rounds} interleaved rounds of ${roundSeconds} s`);
      for (let round = 1; round <= rounds; round++)
        for (const targetKey of targets) {
          const target = running.get(targetKey);
          if (!target || !w.targets.includes(targetKey)) continue;
          const answer = prebuilt.get(w);
          if (target.def.prebuilt && answer) await target.respondWith(answer.status, answer.text);
          const m = await measure(target, w, w.bodies(calendar), 'round');
          measurements.push({ ...m, round });
        }
    }
    const reads = workloads.filter(
      (w) => w.kind === 'read' && w.amount === undefined && w.fixedRate !== false,
    );
    if (reads.length > 0) log(`Reads at a fixed ${FIXED_RATE} requests/s`);
    for (const w of reads)
      for (const key of ['tidbok', 'node-soap', 'ceiling'] as const) {
        const target = running.get(key);
        if (!target || !w.targets.includes(key)) continue;
        const answer = prebuilt.get(w);
        if (target.def.prebuilt && answer) await target.respondWith(answer.status, answer.text);
        log(`${w.title}`);
        measurements.push(await measure(target, w, w.bodies(calendar), 'fixed-rate'));
      }
    await stopAll();

    const suiteSections: string[] = [];
    const suiteMissed: string[] = [];
    for (const suite of suites) {
      log(`Suite: ${suite.title}`);
      const suiteDir = join(workDir, `suite-${suite.key}`);
      mkdirSync(suiteDir, { recursive: true });
      const result = await suite.run({
        calendar,
        seedFile,
        workDir: suiteDir,
        durationSeconds,
        warmUpSeconds,
      });
      suiteSections.push(result.markdown);
      suiteMissed.push(...(result.missedTargets ?? []));
    }

    const results = renderResults(
      {
        durationSeconds,
        warmUpSeconds,
        fixedRate: FIXED_RATE,
        ...(only ? { only } : {}),
        seedSeconds,
        counts: calendar.counts,
        totalSeconds: (performance.now() - startedAt) / 1000,
        loadAverage: [loadBefore, loadavg()[0]!],
      },
      workloads,
      measurements,
      probes,
      suiteSections,
      suiteMissed,
    );
    log(`\n${results}`);
    if (write) {
      const current = existsSync(docPath)
        ? readFileSync(docPath, 'utf8')
        : `# Benchmarks\n\n${RESULTS_START}\n${RESULTS_END}\n`;
      writeFileSync(docPath, replaceResults(current, results));
      log(`Wrote ${docPath}`);
    } else log('(docs/benchmarks.md not written: partial run; BENCH_WRITE=1 forces it)');

    if (profileTarget && existsSync(profileDir))
      for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')))
        log(
          `\n${join(profileDir, file)}\n${formatProfileSummary(summariseProfile(join(profileDir, file)))}`,
        );
  } finally {
    await stopAll();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
