/**
 * Issue 6: the soak (`bench/soak.ts`) as a suite: mixed traffic for
 * SOAK_SECONDS (ten minutes by default) against `npm start`'s producer in a
 * process of its own, with its dispatcher delivering to an EI simulator;
 * reports the server's memory at start and end and every error.
 */
import { runSoak, SOAK_SECONDS, soakTables } from '../soak.ts';
import type { Suite } from '../suites.ts';

export const soak: Suite = {
  key: 'soak',
  title: 'Soak: mixed traffic, memory and errors',
  async run() {
    const result = await runSoak({ seconds: SOAK_SECONDS });
    const tables = soakTables(result);
    process.stdout.write(`${tables}\n`);
    const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    return {
      markdown: [
        `### ${this.title}`,
        '',
        `${Math.round(result.seconds)} s (SOAK_SECONDS=${SOAK_SECONDS}) of ${result.workers} clients in a loop: ` +
          'search free slots, book one, read it, read the patient’s schedule, cancel it; a ping, a ' +
          'GetAllTimeTypes and a malformed request in between. The server is what `npm start` runs ' +
          '(file store, demo calendar, outbox dispatcher to an EI simulator in the driver’s process). ' +
          'Memory is the server’s after a forced GC, at the start (after a 3 s warm-up) and at the end. ' +
          'An error is a transport failure, an unexpected HTTP status or a cancellation refused (ERROR; INFO is a cancellation with a text for the patient); ' +
          'a booking refused because another client took the slot first is counted, not an error.',
        '',
        `${result.errorCount === 0 ? 'met' : '**missed**'}: ${result.errorCount} errors in ` +
          `${result.requests} requests; heap used after GC ${mib(result.start.heapUsed)} → ` +
          `${mib(result.end.heapUsed)} MiB, RSS ${mib(result.start.rss)} → ${mib(result.end.rss)} MiB.`,
        '',
        tables,
      ].join('\n'),
      ...(result.errorCount === 0
        ? {}
        : { missedTargets: [`Soak: ${result.errorCount} errors in ${result.requests} requests`] }),
    };
  },
};
