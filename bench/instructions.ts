/**
 * `npm run bench:instructions`: how many CPU instructions tidbok's server
 * process spends per request, counted by valgrind's callgrind rather than
 * timed. On a shared virtual machine the same code took 4.3 to 7.0 ms of CPU
 * per request within minutes; an instruction count does not move with the
 * machine (two runs agree to within about 1 %), so it is what tells whether
 * a change made a request cheaper.
 *
 * The server is `bench/servers/tidbok-server.ts`, bundled with esbuild (so
 * that valgrind runs plain JavaScript and counts no TypeScript compiling),
 * on a copy of the seeded calendar, run as `node --single-threaded` so that
 * garbage collection and compilation are counted too. For each workload it sends
 * WARM requests, zeroes the counters, sends COUNT requests ten at a time (as
 * the benchmark's clients do), and divides the instructions by COUNT.
 *
 * Environment: BENCH_ONLY (comma-separated workload keys; default the
 * repeated search and the 1,000-booking schedule), INSTR_WARM (default 200),
 * INSTR_COUNT (default 200). Needs valgrind (`apt-get install valgrind`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { openSqliteStore } from '../src/store/sqlite/sqlite-calendar-store.ts';
import type { FromChild, ToChild } from './servers/child-protocol.ts';
import { FULL_SIZE, seedLargeCalendar } from './seed-large-calendar.ts';
import { WORKLOADS, type Workload } from './workloads.ts';

const env = process.env;
const warm = Number(env['INSTR_WARM'] ?? 200);
const count = Number(env['INSTR_COUNT'] ?? 200);
const keys = (env['BENCH_ONLY'] ?? 'available-timeslots,schedule-1000').split(',');
const CLIENTS = 10;
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

function hasValgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Sends `n` requests of `w`, `CLIENTS` at a time, and checks each answer's status. */
async function send(url: string, w: Workload, next: () => string, n: number): Promise<void> {
  for (let sent = 0; sent < n; sent += CLIENTS) {
    await Promise.all(
      Array.from({ length: Math.min(CLIENTS, n - sent) }, async () => {
        const response = await fetch(url + w.interaction.path, {
          method: 'POST',
          headers: {
            'Content-Type': 'text/xml; charset=UTF-8',
            SOAPAction: `"${w.interaction.soapAction}"`,
          },
          body: next(),
        });
        const text = await response.text();
        if (response.status !== 200)
          throw new Error(`${w.key}: HTTP ${response.status}: ${text.slice(0, 300)}`);
      }),
    );
  }
}

/** The instruction total of a callgrind dump file (its `summary:` line). */
function instructionsIn(file: string): number {
  const summary = /^summary:\s+(\d+)/m.exec(readFileSync(file, 'utf8'));
  if (!summary) throw new Error(`no summary line in ${file}`);
  return Number(summary[1]);
}

async function main(): Promise<void> {
  if (!hasValgrind()) {
    process.stderr.write('bench:instructions needs valgrind (apt-get install valgrind)\n');
    process.exit(2);
  }
  const workloads = keys.map((key) => {
    const w = WORKLOADS.find((x) => x.key === key);
    if (!w || w.kind !== 'read') throw new Error(`${key} is not a read workload of the bench`);
    return w;
  });
  const workDir = mkdtempSync(join(tmpdir(), 'tidbok-instructions-'));
  const cleanUp = [() => rmSync(workDir, { recursive: true, force: true })];
  try {
    const store = join(workDir, 'calendar.db');
    const seeding = openSqliteStore(store);
    const calendar = await seedLargeCalendar(seeding, FULL_SIZE);
    await seeding.close();

    // One folder below the root, as src/ is: the packages left out of the
    // bundle resolve, and so do files a module finds beside it (../package.json).
    const bundleDir = join(repoRoot, '.tmp');
    mkdirSync(bundleDir, { recursive: true });
    const bundle = join(bundleDir, `instructions-server-${process.pid}.mjs`);
    cleanUp.push(() => rmSync(bundle, { force: true }));
    await build({
      entryPoints: [join(repoRoot, 'bench', 'servers', 'tidbok-server.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile: bundle,
      logLevel: 'warning',
    });
    const outFile = join(workDir, 'callgrind.out');
    const child = spawn(
      'valgrind',
      [
        '--tool=callgrind',
        `--callgrind-out-file=${outFile}`,
        process.execPath,
        '--single-threaded',
        bundle,
      ],
      {
        cwd: repoRoot,
        env: { ...env, BENCH_STORE: store, LOG_LEVEL: 'info' },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      },
    );
    cleanUp.push(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (message: FromChild) =>
        message.type === 'ready'
          ? resolve(message.url)
          : reject(new Error(`the server did not start: ${JSON.stringify(message)}`)),
      );
      child.once('exit', () => reject(new Error(`valgrind exited:\n${stderr.slice(-2000)}`)));
    });

    const rows: string[] = [];
    for (const w of workloads) {
      const next = w.bodies(calendar);
      await send(url, w, next, warm);
      execFileSync('callgrind_control', ['--zero', String(child.pid)], { stdio: 'ignore' });
      await send(url, w, next, count);
      const before = new Set(readdirSync(workDir));
      execFileSync('callgrind_control', ['--dump', String(child.pid)], { stdio: 'ignore' });
      const dump = readdirSync(workDir).find(
        (f) => f.startsWith('callgrind.out.') && !before.has(f),
      );
      if (!dump) throw new Error('callgrind wrote no dump');
      const perRequest = instructionsIn(join(workDir, dump)) / count;
      rows.push(`| ${w.title} | ${(perRequest / 1e6).toFixed(2)} |`);
      process.stdout.write(
        `${w.key}: ${(perRequest / 1e6).toFixed(2)} million instructions per request\n`,
      );
    }
    child.send({ type: 'stop' } satisfies ToChild);
    await exited;
    process.stdout.write(
      [
        '',
        `Instructions per request in the server (callgrind; ${warm} requests to warm up, then ${count} counted, ${CLIENTS} at a time):`,
        '',
        '| Workload | million instructions |',
        '|---|--:|',
        ...rows,
        '',
      ].join('\n'),
    );
  } finally {
    for (const clean of cleanUp) clean();
  }
}

await main();
