/**
 * Turns the measurements into the markdown that `npm run bench` prints and
 * writes between the result markers of docs/benchmarks.md (the text around
 * the markers is written by hand and kept).
 */
import { cpus, release, totalmem, type as osType } from 'node:os';
import { readFileSync } from 'node:fs';
import type { CpuShare } from './cpu.ts';
import type { LoadResult } from './load.ts';
import { HEADLINE_WORKLOAD, SCHEDULE_WORKLOAD, type Outcomes, type Workload } from './workloads.ts';
import { TARGETS, type TargetKey } from './targets.ts';

export const RESULTS_START = '<!-- bench:results:start (written by npm run bench) -->';
export const RESULTS_END = '<!-- bench:results:end -->';

export interface Measurement {
  readonly workload: Workload;
  readonly target: TargetKey;
  /** `round`: one of the short interleaved runs of the headline workload or the 1,000-booking schedule. */
  readonly mode: 'throughput' | 'fixed-rate' | 'amount' | 'round';
  /** Which round, for `round` measurements (from 1). */
  readonly round?: number;
  readonly result: LoadResult;
  /** CPU time of the server and of the load generator over the measurement (Linux only). */
  readonly cpu?: CpuShare;
  readonly outcomes: Outcomes;
  /** Why the outcomes were wrong, if they were. */
  readonly problem?: string;
}

export interface Probe {
  readonly workload: Workload;
  /** Size of tidbok's answer (also the ceiling's). */
  readonly bytes: number;
  /** timeslotDetail elements in tidbok's answer. */
  readonly timeslots: number;
  /** Errors against the national XSDs; absent when ../shared/contracts is not there. */
  readonly tidbokErrors?: readonly string[];
  readonly nodeSoapErrors?: readonly string[];
}

export interface RunSettings {
  readonly durationSeconds: number;
  readonly warmUpSeconds: number;
  readonly fixedRate: number;
  readonly only?: readonly string[];
  readonly seedSeconds: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly totalSeconds: number;
  /** One-minute load average when the run started and when it ended. */
  readonly loadAverage: readonly [number, number];
}

export function machineDescription(): string {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) model = line.split(':')[1]!.trim();
  } catch {
    // Not Linux: os.cpus() named it.
  }
  return (
    `${model}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, ` +
    `${osType()} ${release()}, Node ${process.version}`
  );
}

const rps = (r: LoadResult | undefined) => (r ? Math.round(r.requestsPerSecond).toString() : '–');
const ms = (x: number | undefined) =>
  x === undefined || Number.isNaN(x) ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(1);
const ratio = (a: LoadResult | undefined, b: LoadResult | undefined) =>
  a && b && b.requestsPerSecond > 0
    ? `${(a.requestsPerSecond / b.requestsPerSecond).toFixed(2)}×`
    : '–';
const kb = (bytes: number) => (bytes < 10_240 ? `${bytes} B` : `${Math.round(bytes / 1024)} KiB`);

function findMeasurement(
  ms: readonly Measurement[],
  w: Workload,
  t: TargetKey,
  mode: Measurement['mode'],
) {
  return ms.find((m) => m.workload === w && m.target === t && m.mode === mode);
}

function find(ms: readonly Measurement[], w: Workload, t: TargetKey, mode: Measurement['mode']) {
  return findMeasurement(ms, w, t, mode)?.result;
}

const micros = (cpu: CpuShare | undefined) =>
  cpu ? Math.round(cpu.serverMicrosPerRequest).toString() : '–';
const percent = (x: number | undefined) => (x === undefined ? '–' : `${Math.round(x * 100)} %`);
/** How many times less CPU per request `a` needs than `b`. */
const cpuRatio = (a: CpuShare | undefined, b: CpuShare | undefined) =>
  a && b && a.serverMicrosPerRequest > 0
    ? `${(b.serverMicrosPerRequest / a.serverMicrosPerRequest).toFixed(2)}×`
    : '–';

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface HeadlineRound {
  readonly round: number;
  readonly tidbok: Measurement;
  readonly nodeSoap: Measurement;
  readonly ceiling: Measurement;
}

/** The interleaved rounds of the headline workload that have all three targets. */
function headlineRounds(measurements: readonly Measurement[], w: Workload): HeadlineRound[] {
  const byRound = new Map<number, Partial<Record<TargetKey, Measurement>>>();
  for (const m of measurements)
    if (m.mode === 'round' && m.workload === w && m.round !== undefined)
      byRound.set(m.round, { ...byRound.get(m.round), [m.target]: m });
  const out: HeadlineRound[] = [];
  for (const [round, r] of [...byRound].sort((a, b) => a[0] - b[0]))
    if (r.tidbok && r['node-soap'] && r.ceiling)
      out.push({ round, tidbok: r.tidbok, nodeSoap: r['node-soap'], ceiling: r.ceiling });
  return out;
}

interface ScheduleRound {
  readonly round: number;
  readonly tidbok: Measurement;
  readonly ceiling?: Measurement;
}

/** The interleaved rounds of the 1,000-booking schedule (tidbok, and the ceiling where it ran). */
function scheduleRounds(measurements: readonly Measurement[], w: Workload): ScheduleRound[] {
  const out: ScheduleRound[] = [];
  for (const m of measurements)
    if (m.mode === 'round' && m.workload === w && m.target === 'tidbok' && m.round !== undefined) {
      const ceiling = measurements.find(
        (c) =>
          c.mode === 'round' && c.workload === w && c.target === 'ceiling' && c.round === m.round,
      );
      out.push({ round: m.round, tidbok: m, ...(ceiling ? { ceiling } : {}) });
    }
  return out.sort((a, b) => a.round - b.round);
}

const perSecond = (a: Measurement, b: Measurement) =>
  a.result.requestsPerSecond / b.result.requestsPerSecond;
/** How many times less server CPU per request `a` used than `b` (NaN without CPU figures). */
const lessCpu = (a: Measurement, b: Measurement) =>
  a.cpu && b.cpu ? b.cpu.serverMicrosPerRequest / a.cpu.serverMicrosPerRequest : NaN;
const times = (x: number) => (Number.isNaN(x) ? '–' : `${x.toFixed(2)}×`);
const spread = (xs: readonly number[]) =>
  `${times(median(xs))} (rounds ${times(Math.min(...xs))} to ${times(Math.max(...xs))})`;

/** The figures the issue sets targets for, checked. */
export function targetChecks(measurements: readonly Measurement[], workloads: readonly Workload[]) {
  const lines: { ok: boolean; text: string }[] = [];
  /** Context for the targets, printed under them. */
  const info: string[] = [];
  const gat = workloads.find((w) => w.key === HEADLINE_WORKLOAD);
  if (gat) {
    const t = find(measurements, gat, 'tidbok', 'throughput');
    const s = find(measurements, gat, 'node-soap', 'throughput');
    const c = find(measurements, gat, 'ceiling', 'throughput');
    const rounds = headlineRounds(measurements, gat);
    if (rounds.length > 0) {
      // Checked on the median of the interleaved rounds, the steadier figure.
      const vsSoap = rounds.map((r) => perSecond(r.tidbok, r.nodeSoap));
      const vsCeiling = rounds.map((r) => perSecond(r.tidbok, r.ceiling));
      lines.push(
        {
          ok: median(vsSoap) >= 5,
          text: `GetAvailableTimeslots: tidbok/node-soap = ${spread(vsSoap)}, median of ${rounds.length} interleaved rounds; the long run: ${ratio(t, s)} (target ≥ 5×)`,
        },
        {
          ok: median(vsCeiling) >= 0.5,
          text: `GetAvailableTimeslots: tidbok/ceiling = ${spread(vsCeiling)}, median of ${rounds.length} interleaved rounds; the long run: ${ratio(t, c)} (target ≥ 0.5×)`,
        },
      );
    } else if (t && s)
      lines.push({
        ok: t.requestsPerSecond >= 5 * s.requestsPerSecond,
        text: `GetAvailableTimeslots: tidbok/node-soap = ${ratio(t, s)} (target ≥ 5×)`,
      });
    if (t && c && rounds.length === 0)
      lines.push({
        ok: t.requestsPerSecond >= 0.5 * c.requestsPerSecond,
        text: `GetAvailableTimeslots: tidbok/ceiling = ${ratio(t, c)} (target ≥ 0.5×)`,
      });
    const [tc, sc, cc] = (['tidbok', 'node-soap', 'ceiling'] as const).map(
      (key) => findMeasurement(measurements, gat, key, 'throughput')?.cpu,
    );
    if (tc && sc && cc)
      info.push(
        `GetAvailableTimeslots by server CPU per request (not a target; see the CPU table): ` +
          `tidbok ${micros(tc)} µs, node-soap ${micros(sc)} µs (${cpuRatio(tc, sc)} more), ` +
          `ceiling ${micros(cc)} µs (tidbok/ceiling ${(cc.serverMicrosPerRequest / tc.serverMicrosPerRequest).toFixed(2)}×)`,
      );
  }
  for (const [key, how] of [
    ['schedule-1000-single', 'one client'],
    [SCHEDULE_WORKLOAD, '10 clients at once'],
  ] as const) {
    const w = workloads.find((x) => x.key === key);
    const t = w && find(measurements, w, 'tidbok', 'throughput');
    const rounds = w ? scheduleRounds(measurements, w).map((r) => r.tidbok.result.p50Ms) : [];
    if (rounds.length > 0)
      // Checked on the median of the interleaved rounds, as the headline is.
      lines.push({
        ok: median(rounds) < 50,
        text: `GetSubjectOfCareSchedule, 1000 bookings, ${how}: tidbok p50 = ${ms(median(rounds))} ms, median of ${rounds.length} interleaved rounds (${ms(Math.min(...rounds))} to ${ms(Math.max(...rounds))}); the long run: ${t ? ms(t.p50Ms) : '–'} ms (target < 50 ms)`,
      });
    else if (t)
      lines.push({
        ok: t.p50Ms < 50,
        text: `GetSubjectOfCareSchedule, 1000 bookings, ${how}: tidbok p50 = ${ms(t.p50Ms)} ms (target < 50 ms)`,
      });
  }
  for (const m of measurements)
    if (m.mode === 'fixed-rate' && m.target === 'tidbok')
      lines.push({
        ok: m.result.p99Ms < 100,
        text: `${m.workload.title} at 500 req/s: tidbok p99 = ${ms(m.result.p99Ms)} ms (target < 100 ms)`,
      });
  return { lines, info };
}

export function renderResults(
  settings: RunSettings,
  workloads: readonly Workload[],
  measurements: readonly Measurement[],
  probes: readonly Probe[],
  suiteSections: readonly string[],
  extraMissed: readonly string[],
): string {
  const out: string[] = [];
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  out.push(
    `Run of ${date} on ${machineDescription()}.`,
    '',
    `Calendar: ${Object.entries(settings.counts)
      .map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`)
      .join(', ')} (seeded in ${settings.seedSeconds.toFixed(1)} s). ` +
      `Each measurement: ${settings.warmUpSeconds} s warm-up, then ${settings.durationSeconds} s; ` +
      `10 keep-alive connections unless stated. Whole run: ${Math.round(settings.totalSeconds)} s` +
      (settings.only ? `; only ${settings.only.join(', ')}.` : '.') +
      ` Load average (1 min) ${settings.loadAverage[0].toFixed(2)} at the start, ` +
      `${settings.loadAverage[1].toFixed(2)} at the end: anything above ~0.5 means other work shared the cores.`,
    '',
    'Targets:',
    ...Object.values(TARGETS).map((t) => `- **${t.name}**: ${t.description}.`),
    '',
  );

  const checks = targetChecks(measurements, workloads);
  if (checks.lines.length > 0 || extraMissed.length > 0) {
    out.push('### Targets', '');
    for (const c of checks.lines) out.push(`- ${c.ok ? 'met' : '**missed**'}: ${c.text}`);
    for (const m of extraMissed) out.push(`- **missed**: ${m}`);
    for (const i of checks.info) out.push(`- ${i}`);
    out.push('');
  }

  const throughput = workloads.filter((w) => w.amount === undefined);
  if (throughput.length > 0) {
    out.push(
      '### Throughput (as fast as the server answers)',
      '',
      '| Workload | answer | tidbok req/s | p50 ms | p99 ms | node-soap req/s | p50 ms | p99 ms | ceiling req/s | p50 ms | p99 ms | tidbok / node-soap | tidbok / ceiling |',
      '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    );
    for (const w of throughput) {
      const t = find(measurements, w, 'tidbok', 'throughput');
      const s = find(measurements, w, 'node-soap', 'throughput');
      const c = find(measurements, w, 'ceiling', 'throughput');
      const probe = probes.find((p) => p.workload === w);
      const answer = probe
        ? `${kb(probe.bytes)}${probe.timeslots > 0 ? `, ${probe.timeslots} slots` : ''}`
        : '–';
      out.push(
        `| ${w.title} | ${answer} | ${rps(t)} | ${ms(t?.p50Ms)} | ${ms(t?.p99Ms)} | ${rps(s)} | ${ms(s?.p50Ms)} | ${ms(s?.p99Ms)} | ${rps(c)} | ${ms(c?.p50Ms)} | ${ms(c?.p99Ms)} | ${ratio(t, s)} | ${ratio(t, c)} |`,
      );
    }
    out.push('');
  }

  const withCpu = throughput.filter((w) =>
    (['tidbok', 'node-soap', 'ceiling'] as const).some(
      (t) => findMeasurement(measurements, w, t, 'throughput')?.cpu,
    ),
  );
  if (withCpu.length > 0) {
    out.push(
      '### CPU per request (the same throughput runs)',
      '',
      "The server's CPU time (user + system, all threads, from /proc) divided by the requests it " +
        'answered, its busy share of one core, and the busy share of the load generator (autocannon, ' +
        "in the runner's process). A run whose load generator is near 100 % while its server is " +
        'not was limited by the generator: its requests/s understate the server, and the CPU ' +
        'figures are the fairer comparison. Ratios: how many times less CPU tidbok needs per request.',
      '',
      '| Workload | tidbok µs/req | busy | generator | node-soap µs/req | busy | generator | ceiling µs/req | busy | generator | node-soap / tidbok | tidbok / ceiling |',
      '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    );
    for (const w of withCpu) {
      const [t, s, c] = (['tidbok', 'node-soap', 'ceiling'] as const).map(
        (key) => findMeasurement(measurements, w, key, 'throughput')?.cpu,
      );
      const cell = (x: CpuShare | undefined) =>
        `${micros(x)} | ${percent(x?.serverBusy)} | ${percent(x?.generatorBusy)}`;
      out.push(
        `| ${w.title} | ${cell(t)} | ${cell(s)} | ${cell(c)} | ${cpuRatio(t, s)} | ${
          t && c ? `${(c.serverMicrosPerRequest / t.serverMicrosPerRequest).toFixed(2)}×` : '–'
        } |`,
      );
    }
    out.push('');
  }

  const headline = workloads.find((w) => w.key === HEADLINE_WORKLOAD);
  const rounds = headline ? headlineRounds(measurements, headline) : [];
  if (headline && rounds.length > 0) {
    const cell = (m: Measurement) => `${rps(m.result)} | ${micros(m.cpu)}`;
    out.push(
      `### ${headline.title}: ${rounds.length} interleaved rounds`,
      '',
      'The three servers take turns, one short run each per round, so that a slow or a fast ' +
        'minute on a shared machine falls on all of them alike; the targets are checked on the ' +
        'medians. Per target: requests/s and server µs CPU per request.',
      '',
      '| Round | tidbok req/s | µs CPU | node-soap req/s | µs CPU | ceiling req/s | µs CPU | tidbok / node-soap | by CPU | tidbok / ceiling | by CPU |',
      '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    );
    for (const r of rounds)
      out.push(
        `| ${r.round} | ${cell(r.tidbok)} | ${cell(r.nodeSoap)} | ${cell(r.ceiling)} | ${times(
          perSecond(r.tidbok, r.nodeSoap),
        )} | ${times(lessCpu(r.tidbok, r.nodeSoap))} | ${times(perSecond(r.tidbok, r.ceiling))} | ${times(lessCpu(r.tidbok, r.ceiling))} |`,
      );
    const med = (f: (r: HeadlineRound) => number) => times(median(rounds.map(f)));
    out.push(
      `| median | | | | | | | ${med((r) => perSecond(r.tidbok, r.nodeSoap))} | ${med((r) =>
        lessCpu(r.tidbok, r.nodeSoap),
      )} | ${med((r) => perSecond(r.tidbok, r.ceiling))} | ${med((r) => lessCpu(r.tidbok, r.ceiling))} |`,
      '',
    );
  }

  const schedule = workloads.find((w) => w.key === SCHEDULE_WORKLOAD);
  const scheduleRuns = schedule ? scheduleRounds(measurements, schedule) : [];
  if (schedule && scheduleRuns.length > 0) {
    const cell = (m: Measurement | undefined) =>
      m ? `${rps(m.result)} | ${ms(m.result.p50Ms)} | ${micros(m.cpu)}` : '– | – | –';
    out.push(
      `### ${schedule.title}: ${scheduleRuns.length} interleaved rounds`,
      '',
      'tidbok and the raw ceiling take turns, one short run each per round, 10 clients; the ' +
        'p50 target is checked on the median of tidbok’s rounds.',
      '',
      '| Round | tidbok req/s | p50 ms | µs CPU | ceiling req/s | p50 ms | µs CPU |',
      '|--:|--:|--:|--:|--:|--:|--:|',
    );
    for (const r of scheduleRuns)
      out.push(`| ${r.round} | ${cell(r.tidbok)} | ${cell(r.ceiling)} |`);
    const p50s = scheduleRuns.map((r) => r.tidbok.result.p50Ms);
    out.push(`| median | | ${ms(median(p50s))} | | | | |`, '');
  }

  const quiet = measurements.filter((m) => m.target === 'tidbok-quiet');
  if (quiet.length > 0) {
    out.push(
      '### What the per-request log line costs',
      '',
      '| Workload | tidbok, log info (production) req/s | p50 ms | tidbok, log warn req/s | p50 ms | info / warn |',
      '|---|--:|--:|--:|--:|--:|',
    );
    for (const q of quiet) {
      const t = find(measurements, q.workload, 'tidbok', 'throughput');
      out.push(
        `| ${q.workload.title} | ${rps(t)} | ${ms(t?.p50Ms)} | ${rps(q.result)} | ${ms(q.result.p50Ms)} | ${ratio(t, q.result)} |`,
      );
    }
    out.push('');
  }

  const fixed = measurements.filter((m) => m.mode === 'fixed-rate');
  if (fixed.length > 0) {
    out.push(
      `### Reads at a fixed ${settings.fixedRate} requests/s`,
      '',
      '| Workload | target | achieved req/s | p50 ms | p99 ms | max ms | p99 < 100 ms | server µs CPU/req |',
      '|---|---|--:|--:|--:|--:|:-:|--:|',
    );
    for (const m of fixed)
      out.push(
        `| ${m.workload.title} | ${TARGETS[m.target].name} | ${rps(m.result)} | ${ms(m.result.p50Ms)} | ${ms(m.result.p99Ms)} | ${ms(m.result.maxMs)} | ${m.result.p99Ms < 100 ? 'yes' : '**no**'} | ${micros(m.cpu)} |`,
      );
    out.push('');
  }

  const once = measurements.filter((m) => m.mode === 'amount');
  if (once.length > 0) {
    out.push(
      '### Contention',
      '',
      '| Workload | target | requests | outcomes | correct | p50 ms | p99 ms | max ms |',
      '|---|---|--:|---|:-:|--:|--:|--:|',
    );
    for (const m of once)
      out.push(
        `| ${m.workload.title} | ${TARGETS[m.target].name} | ${m.result.requests} | ${Object.entries(
          m.outcomes,
        )
          .map(([k, v]) => `${k} ×${v}`)
          .join(
            ', ',
          )} | ${m.problem ? '**no**' : 'yes'} | ${ms(m.result.p50Ms)} | ${ms(m.result.p99Ms)} | ${ms(m.result.maxMs)} |`,
      );
    out.push('');
  }

  const problems = measurements.filter((m) => m.problem && m.mode !== 'amount');
  const errors = measurements.filter((m) => m.result.errors > 0);
  if (problems.length > 0 || errors.length > 0) {
    out.push('### Wrong answers and errors', '');
    for (const m of problems)
      out.push(`- ${m.workload.title}, ${TARGETS[m.target].name} (${m.mode}): ${m.problem}`);
    for (const m of errors)
      out.push(
        `- ${m.workload.title}, ${TARGETS[m.target].name} (${m.mode}): ${m.result.errors} connection errors or timeouts`,
      );
    out.push('');
  }

  if (probes.length > 0 && probes.every((p) => p.tidbokErrors === undefined))
    out.push(
      '### Are the answers schema-valid?',
      '',
      'Not checked: the national contract files are not at ../shared/contracts.',
      '',
    );
  const validity = probes.filter((p) => p.nodeSoapErrors !== undefined);
  if (validity.length > 0) {
    out.push(
      '### Are the answers schema-valid? (national XSDs)',
      '',
      '| Workload | tidbok | node-soap | first node-soap error |',
      '|---|---|---|---|',
    );
    for (const p of validity) {
      const first = p.nodeSoapErrors![0]?.replaceAll('|', '\\|') ?? '';
      out.push(
        `| ${p.workload.title} | ${p.tidbokErrors?.length === 0 ? 'valid' : `**${p.tidbokErrors?.length} errors**`} | ${p.nodeSoapErrors!.length === 0 ? 'valid' : `${p.nodeSoapErrors!.length} errors`} | ${first} |`,
      );
    }
    out.push('');
  }

  for (const section of suiteSections) out.push(section.trimEnd(), '');
  return out.join('\n');
}

/** The document with its result block replaced (or appended when it has none). */
export function replaceResults(document: string, results: string): string {
  const start = document.indexOf(RESULTS_START);
  const end = document.indexOf(RESULTS_END);
  const block = `${RESULTS_START}\n\n${results.trimEnd()}\n\n${RESULTS_END}`;
  if (start < 0 || end < start) return `${document.trimEnd()}\n\n${block}\n`;
  return document.slice(0, start) + block + document.slice(end + RESULTS_END.length);
}
