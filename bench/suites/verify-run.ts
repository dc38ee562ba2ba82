/**
 * `tidbok verify` against tidbok on the seeded large calendar, in a server
 * process of its own: the whole suite (with a race of 5), several times.
 * The target (issue 17) is a full run under 30 s against a local producer.
 */
import { verifyProducer, type VerifyReport } from '../../src/verify/verify-producer.ts';
import { PATIENT } from '../../test/support/test-calendar.ts';
import type { Suite } from '../suites.ts';
import { startTarget } from '../targets.ts';

const RUNS = 3;
const TARGET_MS = 30_000;

export const verifyRun: Suite = {
  key: 'verify-run',
  title: 'tidbok verify, a full run',
  async run({ calendar, seedFile, workDir }) {
    // The first two facilities carry the read workloads' data; verify books on the third.
    const facility = calendar.facilities[2]!;
    const target = await startTarget('tidbok', { seedFile, workDir });
    const reports: VerifyReport[] = [];
    try {
      for (let i = 0; i < RUNS; i++)
        reports.push(
          await verifyProducer({
            client: { baseUrl: target.url },
            facility,
            subjectOfCare: PATIENT,
            race: 5,
          }),
        );
    } finally {
      await target.stop();
    }
    const durations = reports.map((r) => r.durationMs).sort((a, b) => a - b);
    const slowest = durations.at(-1)!;
    const failed = reports.flatMap((r) => r.checks.filter((c) => !c.passed).map((c) => c.id));
    const missed = [
      ...(slowest >= TARGET_MS
        ? [`tidbok verify: slowest full run ${slowest} ms, target < 30 s`]
        : []),
      ...(failed.length > 0
        ? [`tidbok verify: checks failed against tidbok: ${[...new Set(failed)].join(', ')}`]
        : []),
    ];
    const last = reports.at(-1)!;
    return {
      markdown: [
        '### tidbok verify, a full run',
        '',
        `${RUNS} full runs (race of 5) against tidbok on the seeded calendar, facility ${facility}, in a server process of its own.`,
        '',
        '| Runs | Checks | SOAP exchanges per run | Median run | Slowest run | Answer p95 | Target |',
        '| ---: | ---: | ---: | ---: | ---: | ---: | --- |',
        `| ${RUNS} | ${last.checks.length} (${last.passed} passed) | ${last.timing.exchanges} | ${durations[Math.floor(RUNS / 2)]} ms | ${slowest} ms | ${last.timing.p95Ms} ms | < 30 s: ${slowest < TARGET_MS ? 'met' : 'missed'} |`,
      ].join('\n'),
      ...(missed.length > 0 ? { missedTargets: missed } : {}),
    };
  },
};
