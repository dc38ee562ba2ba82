/** The terminal report: one line per check, ✔ or ✘, grouped by must-have, the tally last. */
import { mustHaveTitles } from './check-catalogue.ts';
import type { CheckResult } from './verify-context.ts';
import type { VerifyReport } from './verify-producer.ts';

/** Checks grouped by must-have, in report order. */
export function groupByMustHave(report: VerifyReport): [number, CheckResult[]][] {
  const groups = new Map<number, CheckResult[]>();
  for (const check of report.checks) {
    const group = groups.get(check.mustHave) ?? [];
    group.push(check);
    groups.set(check.mustHave, group);
  }
  return [...groups];
}

/** The title of a must-have group, as both reports print it. */
export function groupTitle(mustHave: number): string {
  const title = mustHaveTitles[mustHave] ?? '';
  return mustHave === 0 ? title : `must-have ${mustHave}: ${title}`;
}

/** The last line of every report. */
export function tally(report: VerifyReport): string {
  return `${report.passed} passed, ${report.failed} failed`;
}

// A reason can quote the producer (a faultstring, a resultText): no control characters reach the terminal.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;
const printable = (text: string) => text.replace(CONTROL, '?');

/** The report as lines of text. */
export function textReport(report: VerifyReport): string[] {
  const lines = [
    `tidbok verify ${report.producer}: facility ${report.facility}, patient ${report.subjectOfCare}` +
      (report.readOnly ? ' (read-only)' : ''),
  ];
  for (const [mustHave, checks] of groupByMustHave(report)) {
    lines.push('', groupTitle(mustHave));
    for (const check of checks) {
      lines.push(`  ${check.passed ? '✔' : '✘'} ${check.id}: ${check.title}`);
      if (!check.passed) lines.push(`      ${printable(check.reason ?? '')}`);
    }
  }
  if (report.notes.length > 0) lines.push('', ...report.notes.map((n) => `note: ${printable(n)}`));
  const { exchanges, p95Ms, maxMs } = report.timing;
  lines.push(
    '',
    `${exchanges} SOAP exchanges in ${(report.durationMs / 1000).toFixed(1)} s; answers p95 ${p95Ms} ms, slowest ${maxMs} ms.` +
      (report.failed > 0 ? ' Run with --report <file.html> to see the evidence.' : ''),
    tally(report),
  );
  return lines;
}
