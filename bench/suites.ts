/**
 * Benchmarks that are not one SOAP exchange under load, e.g. the EI outbox
 * drain (how fast the dispatcher empties a backlog) or SQLite against
 * PostgreSQL. Each suite gets the seeded calendar and a work directory,
 * measures what it likes within its time budget, and returns a markdown
 * section that the runner puts into docs/benchmarks.md after the HTTP
 * tables. `BENCH_ONLY=<key>` runs one suite alone.
 */
import type { SeededLargeCalendar } from './seed-large-calendar.ts';
import { eiDrain } from './suites/ei-drain.ts';
import { postgresVsSqlite } from './suites/postgres-vs-sqlite.ts';
import { requestStages } from './suites/request-stages.ts';
import { soak } from './suites/soak.ts';
import { verifyRun } from './suites/verify-run.ts';
import { workers } from './suites/workers.ts';

export interface SuiteContext {
  readonly calendar: SeededLargeCalendar;
  /** The seeded SQLite file; copy it before writing to it. */
  readonly seedFile: string;
  /** A private temporary directory, removed after the run. */
  readonly workDir: string;
  /** Seconds per measurement (BENCH_DURATION). */
  readonly durationSeconds: number;
  /** Seconds of warm-up before each measurement (BENCH_WARMUP). */
  readonly warmUpSeconds: number;
}

export interface SuiteResult {
  /** Markdown: a heading (`###`), a table, and what it shows. */
  readonly markdown: string;
  /** Missed targets, one line each; they are listed with the HTTP ones. */
  readonly missedTargets?: readonly string[];
}

export interface Suite {
  readonly key: string;
  readonly title: string;
  run(context: SuiteContext): Promise<SuiteResult>;
}

/** Run in this order; the soak (ten minutes by default) comes last. */
export const SUITES: readonly Suite[] = [
  requestStages,
  eiDrain,
  postgresVsSqlite,
  workers,
  verifyRun,
  soak,
];
